"""Roles, and who an authenticated caller is (the principal)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LEGAL = "legal"  # group-wide: templates, rules, every school
    SCHOOL_ADMIN = "school_admin"  # one school's administration
    MEMBER = "member"  # one person: a student or staff member
    INTRANET = "intranet"  # read-only, one school
    AUDITOR = "auditor"  # read-only, everywhere


#: Roles scoped to one organisation, and roles bound to one person.
SCHOOL_SCOPED = frozenset({Role.SCHOOL_ADMIN, Role.INTRANET, Role.MEMBER})
PERSON_SCOPED = frozenset({Role.MEMBER})


@dataclass(frozen=True)
class Principal:
    """The caller of a service function; ``role`` None means anonymous."""

    role: Role | None
    subject: str = "anonymous"
    identity_id: int | None = None
    grant_id: int | None = None
    organisation_id: int | None = None
    organisation_code: str | None = None
    person_id: int | None = None
    auth_method: str = "none"
    scopes: frozenset[str] = frozenset()  # named scopes of the token's role grant (e.g. persons:read)

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    @property
    def label(self) -> str:
        """How the caller is named in records (created_by, recorded_by…)."""
        return self.subject if self.role is None else f"{self.subject} ({self.role})"


ANONYMOUS = Principal(role=None)
SYSTEM = Principal(role=Role.LEGAL, subject="system", auth_method="system")
