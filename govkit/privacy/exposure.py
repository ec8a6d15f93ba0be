"""Minimal exposure of persons: which fields of which GraphQL types, pages and CSV files are a person's
personal data, and what each viewer is shown of them (GDPR art. 5(1)(c) and 25).

Who sees what is decided in the service layer by ``govkit.access.policy.person_data_exposure`` (the
``Action.READ_PERSON_DATA`` rule and the ``persons:read`` scope); this module lists the fields and
masks them:

- ``Exposure.FULL``: the values (legal staff; a school's administration for its own persons; an intranet
  token granted the ``persons:read`` scope, for its school; a member for themself);
- ``Exposure.PSEUDONYM``: a stable pseudonym (``P-`` + 16 hex digits of an HMAC-SHA256 of the person's id
  under ``GOVKIT_PSEUDONYM_KEY``) instead of every identifying field (auditors);
- ``Exposure.WITHHELD``: nothing (an intranet token without the scope, any other school's staff).

A withheld field is **null**, always, never an error: a query that asks only for withheld fields gets
nulls (its counts, rates and documents are unaffected). That is why these fields are nullable in the
GraphQL schema. A search of persons by name, e-mail or external id is refused (403) to a viewer who may
not see those fields, so that a search cannot tell them apart.

This module imports no domain: the models of every domain declare their columns through
``govkit.privacy.declarations``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from govkit.personal_data import KNOWN_SCOPES, PERSONS_READ_SCOPE, Exposure

__all__ = [
    "IDENTIFYING",
    "KNOWN_SCOPES",
    "PERSONAL_FIELDS",
    "PERSONS_READ_SCOPE",
    "Exposure",
    "exposed_fields",
    "mask",
    "pseudonym",
]

#: Every place personal fields of persons leave govkit, by where (GraphQL type, page, CSV file) and field
#: (the Python attribute names of the type; GraphQL spells them in camelCase). The field-level
#: authorisation matrix (tests/auth/test_personal_field_matrix.py) walks this list.
PERSONAL_FIELDS: Mapping[str, tuple[str, ...]] = {
    # the member's own record (me.person), and the pending persons of a campaign (campaigns.pendingPersons)
    "Person": ("external_id", "given_name", "family_name", "email", "entry_date", "preferred_language"),
    # receipts (receipt(code), me.acknowledgements, the acknowledge mutations): the wording names the person
    "Receipt": ("person_external_id", "wording"),
    # the dashboard's page of pending persons (/ui/schools/{code}/campaigns/{id}) and its CSV export
    "page:pending": ("external_id", "given_name", "family_name", "email"),
    "csv:pending": ("external_id", "family_name", "given_name", "email"),
    # evidence files (legal staff and the person's own school's administration only; audited as exports)
    "EvidencePerson": ("external_id", "given_name", "family_name"),
    # e-mail notices (legal staff and the school's own administration only)
    "Notice": ("recipient", "person_external_id"),
    # correction requests with who asked (legal staff and the school's own administration only)
    "CorrectionRequester": ("external_id", "given_name", "family_name", "email"),
    # legal holds (legal staff only): the person held, by their identifier at the school
    "LegalHold": ("person_external_id",),
}

#: Of those, the fields that name a person: replaced by the pseudonym for auditors.
IDENTIFYING = frozenset({"external_id", "person_external_id", "given_name", "family_name", "email", "wording"})


def pseudonym(person_id: int, key: str) -> str:
    """A person's stable pseudonym: the same id and key always give the same text; without the key it
    cannot be linked back to the person."""
    digest = hmac.new(key.encode(), f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return "P-" + digest[:16]


def exposed_fields(where: str, exposure: Exposure) -> tuple[str, ...]:
    """The personal fields of ``where`` a viewer with ``exposure`` is shown (read logs name them)."""
    if exposure is Exposure.FULL:
        return PERSONAL_FIELDS[where]
    if exposure is Exposure.PSEUDONYM:
        return ("pseudonym",)
    return ()


def mask(where: str, values: Mapping[str, Any], exposure: Exposure) -> dict[str, Any]:
    """``values`` with the personal fields of ``where`` a viewer with ``exposure`` may not see set to None."""
    if exposure is Exposure.FULL:
        return dict(values)
    hidden = set(PERSONAL_FIELDS[where])
    return {name: None if name in hidden else value for name, value in values.items()}
