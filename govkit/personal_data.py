"""How a table column says whether it holds personal data: ``sa_column_kwargs=personal("identity")``
or ``sa_column_kwargs=not_personal("why")`` on the model field (SQLAlchemy's ``Column.info``).

A module of its own that imports nothing of govkit, so that every package's models may use it
without importing govkit.privacy (whose modules import those packages); govkit.privacy.declarations
re-exports it.

Every column of a table that concerns persons carries one of the two; the register of processing
(govkit.privacy.register) is generated from them, and a test fails on a column without one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "INFO_KEY",
    "KNOWN_SCOPES",
    "PERSONS_READ_SCOPE",
    "Category",
    "Exposure",
    "declaration_of",
    "not_personal",
    "personal",
]

INFO_KEY = "govkit_privacy"

#: The named scope an intranet token needs to see persons' names, e-mails and external ids
#: (govkit.access.policy.REQUIRED_SCOPES; govkit.privacy.exposure decides each field).
PERSONS_READ_SCOPE = "persons:read"
#: Every scope a token may be granted.
KNOWN_SCOPES = frozenset({PERSONS_READ_SCOPE})


class Exposure(StrEnum):
    """What a caller sees of a person's personal fields (govkit.access.policy.person_data_exposure)."""

    FULL = "full"
    PSEUDONYM = "pseudonym"
    WITHHELD = "withheld"


class Category(StrEnum):
    """The categories of personal data govkit stores (the register describes each one)."""

    IDENTITY = "identity"  # names, external (school) identifiers
    CONTACT = "contact"  # e-mail address, preferred language
    MEMBERSHIP = "membership"  # school, populations, status, entry and departure dates, residence
    ACKNOWLEDGEMENT = "acknowledgement"  # who acknowledged which version, when, how (wording, reason)
    CLIENT = "client"  # IP address and user agent of an acknowledgement or a sign-in
    SIGN_IN = "sign_in"  # sign-in links, identity provider subjects, staff identities
    NOTICE = "notice"  # e-mail notices sent to a person: address, dates, delivery status
    ACTOR = "actor"  # which staff member recorded, approved or decided something (``*_by`` columns)
    AUDIT = "audit"  # the audit log: who did or read what, persons named by id
    READ_LOG = "read_log"  # who read a person's personal data, and when
    CORRECTION = "correction"  # requests for the correction of one's data (art. 16), and decisions
    LEGAL_HOLD = "legal_hold"  # suspensions of erasure during a case, with their reasons


def personal(category: Category | str, **details: Any) -> dict[str, Any]:
    """``sa_column_kwargs`` of a column holding personal data of ``category``."""
    return {"info": {INFO_KEY: {"personal": True, "category": str(Category(category)), **details}}}


def not_personal(why: str) -> dict[str, Any]:
    """``sa_column_kwargs`` of a column of a person-related table that holds no personal data, with why."""
    if not why.strip():
        raise ValueError("say why the column holds no personal data")
    return {"info": {INFO_KEY: {"personal": False, "why": why}}}


def declaration_of(column: Any) -> dict[str, Any] | None:
    """A column's declaration (None: undeclared)."""
    info = getattr(column, "info", None) or {}
    found = info.get(INFO_KEY)
    return dict(found) if found else None
