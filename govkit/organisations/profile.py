"""The school profile: typed, validated facts that fill each school's variants.

Every field is optional except the names and languages: a fact nobody has
confirmed stays ``None`` (unknown) rather than being invented.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from govkit.organisations.vocabulary import (
    Language,
    ListeningCellKind,
    ReportingChannelKind,
    ResidenceManager,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64),
]

_URL = re.compile(r"^https?://[^\s/$.?#][^\s<>\"]*$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9](?:[0-9 .()-]{4,22})[0-9]$")


def _check_url(value: str) -> str:
    if len(value) > 500 or not _URL.match(value):
        raise ValueError("must be an http:// or https:// address without spaces")
    return value


def _check_phone(value: str) -> str:
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 6:
        raise ValueError("must be a telephone number such as +33 1 23 45 67 89")
    return value


Url = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_url)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_phone)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Address(_Model):
    street: Text | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z -]{3,10}$")] | None = None
    city: Text
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "FR"


class Contact(_Model):
    name: Text | None = None
    role: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    url: Url | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Contact:
        if not any((self.name, self.role, self.email, self.phone, self.url)):
            raise ValueError("a contact needs at least a name, role, e-mail, telephone or address")
        return self


class EqualityReferent(_Model):
    """The equality referent (référent égalité), whose missions include VSS."""

    name: Text | None = None
    email: EmailStr | None = None
    appointed_on: date | None = None
    time_share_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    budget_eur: Annotated[int, Field(ge=0)] | None = None
    shared_with: list[Code] = Field(default_factory=list, max_length=10)
    relays: list[Contact] = Field(default_factory=list, max_length=50)


class ListeningCell(_Model):
    """The listening cell (cellule d'écoute), internal or run with partners."""

    kind: ListeningCellKind
    description: LongText | None = None
    members_count: Annotated[int, Field(ge=0, le=10_000)] | None = None
    partners: list[Text] = Field(default_factory=list, max_length=20)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)


class ReportingChannel(_Model):
    """How victims and witnesses report (signalement)."""

    kind: ReportingChannelKind
    description: LongText | None = None
    url: Url | None = None
    email: EmailStr | None = None
    anonymous: bool | None = None


class DisciplinaryBoard(_Model):
    """The disciplinary board (conseil de discipline) and who convenes it."""

    name: Text
    convened_by: Text | None = None
    description: LongText | None = None


class Residence(_Model):
    """A student residence (MAISEL, maison des élèves) and who manages it."""

    code: Code
    name: Text
    campus: Code | None = None
    managed_by: ResidenceManager
    manager_name: Text | None = None
    places: Annotated[int, Field(ge=0, le=100_000)] | None = None


class Housing(_Model):
    """Housing facts: ``has_residences`` None means unknown."""

    has_residences: bool | None = None
    residences: list[Residence] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> Housing:
        if self.residences and self.has_residences is False:
            raise ValueError("residences are listed but has_residences is false")
        codes = [r.code for r in self.residences]
        if len(codes) != len(set(codes)):
            raise ValueError("residence codes must be unique")
        return self


class Websites(_Model):
    public_site: Url | None = None
    public_equality_page: Url | None = None
    intranet_vss_page: Url | None = None


class SchoolProfile(_Model):
    """The validated profile of an organisation: the variables of its variants."""

    official_name: Text
    short_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    address: Address | None = None
    director: Contact | None = None
    equality_referent: EqualityReferent | None = None
    listening_cell: ListeningCell | None = None
    reporting_channel: ReportingChannel | None = None
    disciplinary_board: DisciplinaryBoard | None = None
    housing: Housing = Field(default_factory=Housing)
    websites: Websites = Field(default_factory=Websites)
    languages: list[Language] = Field(default_factory=lambda: [Language.FR], min_length=1, max_length=2)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[Language]) -> list[Language]:
        if len(set(value)) != len(value):
            raise ValueError("each language may appear once")
        if Language.FR not in value:
            raise ValueError("French (fr) is required: the French text is the one in force")
        return value

    def canonical_json(self) -> str:
        """Stable JSON (sorted keys) used for hashing and storage."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


PROFILE_FIELDS: tuple[str, ...] = tuple(SchoolProfile.model_fields)


def merge_profile(current: SchoolProfile | None, patch: dict[str, Any]) -> SchoolProfile:
    """Apply a top-level patch: each key given replaces that field wholesale."""
    unknown = sorted(set(patch) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(f"unknown profile field(s): {', '.join(unknown)}")
    base = current.model_dump(mode="json") if current else {}
    base.update(patch)
    return SchoolProfile.model_validate(base)
