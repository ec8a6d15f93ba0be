"""GraphQL inputs of profiles and commitments (the types they fill are in govkit.organisations.types)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from govkit.organisations.types import (
    ArrangementHow,
    CommitmentStatus,
    CommitmentType,
    DatePrecision,
    Language,
    ListeningCellKind,
    ReportingChannelKind,
    ResidenceManager,
)

if TYPE_CHECKING:
    from govkit.organisations.arrangement_types import CapacityInput


@strawberry.input
class AddressInput:
    street: str | None = None
    postal_code: str | None = None
    city: str
    country: str = "FR"


@strawberry.input
class ContactInput:
    name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None


@strawberry.input
class EqualityReferentInput:
    name: str | None = None
    email: str | None = None
    appointed_on: date | None = None
    time_share_percent: float | None = None
    budget_eur: int | None = None
    shared_with: list[str] = strawberry.field(default_factory=list)
    relays: list[ContactInput] = strawberry.field(default_factory=list)


@strawberry.input
class ListeningCellInput:
    kind: ListeningCellKind
    description: str | None = None
    members_count: int | None = None
    partners: list[str] = strawberry.field(default_factory=list)
    contacts: list[ContactInput] = strawberry.field(default_factory=list)


@strawberry.input
class ReportingChannelInput:
    kind: ReportingChannelKind
    description: str | None = None
    url: str | None = None
    email: str | None = None
    anonymous: bool | None = None


@strawberry.input
class DisciplinaryBoardInput:
    name: str
    convened_by: str | None = None
    description: str | None = None


@strawberry.input
class ResidenceInput:
    code: str
    name: str
    campus: str | None = None
    managed_by: ResidenceManager
    manager_name: str | None = None
    places: int | None = None


@strawberry.input
class HousingInput:
    has_residences: bool | None = None
    residences: list[ResidenceInput] = strawberry.field(default_factory=list)


@strawberry.input
class WebsitesInput:
    public_site: str | None = None
    public_equality_page: str | None = None
    intranet_vss_page: str | None = None


@strawberry.input(description="Fields to change; each field given replaces the current value, null clears it")
class SchoolProfilePatch:
    official_name: str | None = strawberry.UNSET
    short_name: str | None = strawberry.UNSET
    address: AddressInput | None = strawberry.UNSET
    director: ContactInput | None = strawberry.UNSET
    equality_referent: EqualityReferentInput | None = strawberry.UNSET
    listening_cell: ListeningCellInput | None = strawberry.UNSET
    reporting_channel: ReportingChannelInput | None = strawberry.UNSET
    disciplinary_board: DisciplinaryBoardInput | None = strawberry.UNSET
    housing: HousingInput | None = strawberry.UNSET
    websites: WebsitesInput | None = strawberry.UNSET
    languages: list[Language] | None = strawberry.UNSET


@strawberry.input
class RecordCommitmentInput:
    organisation: str = strawberry.field(description="Organisation code")
    type: CommitmentType
    status: CommitmentStatus
    title: str
    effective_on: date | None = None
    date_precision: DatePrecision | None = None
    expires_on: date | None = None
    evidence_url: str | None = None
    note: str | None = None
    date_source: str | None = strawberry.field(
        default=None, description="What dates effectiveOn (a passage, a document, a person)"
    )
    supersedes: int | None = strawberry.field(
        default=None,
        description="A correction: the id of the record of the same organisation this one corrects (it then "
        "no longer counts)",
    )
    how: ArrangementHow = strawberry.field(
        default=ArrangementHow.OWN,
        description="own (default), shared (with members: the school codes it serves, the holder's included), "
        "group (the head office's; schools join it with joinArrangement), external (with its provider)",
    )
    members: list[str] = strawberry.field(default_factory=list, description="School codes, for a shared arrangement")
    provider: str | None = strawberry.field(default=None, description="The provider of an external arrangement")
    capacity: Annotated[CapacityInput, strawberry.lazy("govkit.organisations.arrangement_types")] | None = None
