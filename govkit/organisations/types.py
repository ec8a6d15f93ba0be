"""GraphQL types and inputs of organisations, profiles and commitments."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import strawberry

from govkit.db import stored_id
from govkit.organisations import models, service
from govkit.organisations import vocabulary as v
from govkit.resolving import Batch, Info, build

# The batch reads of an organisation's fields: one authorised service call per request and field.
ORGANISATIONS: Batch[int, models.Organisation | None] = Batch(service.organisations_by_id, "ids", lambda: None)
CAMPUSES: Batch[int, list[models.Campus]] = Batch(service.campuses_by_organisation, "organisation_ids", list)
PROFILES: Batch[int, models.ProfileRevision | None] = Batch(
    service.profiles_by_organisation, "organisation_ids", lambda: None
)
COMMITMENTS: Batch[int, list[models.Commitment]] = Batch(service.commitments_by_organisation, "organisation_ids", list)
COMMITMENT_HISTORY: Batch[int, list[models.Commitment]] = Batch(
    partial(service.commitments_by_organisation, history=True), "organisation_ids", list
)

# The vocabulary's enums, in GraphQL under their own names (strawberry.enum marks the class and
# returns it): the names below are the enums themselves, so that they can be used as types.
strawberry.enum(v.OrganisationType, description="group, head office or school")
strawberry.enum(v.CommitmentType, description="What an organisation commits to")
strawberry.enum(v.CommitmentStatus)
strawberry.enum(v.DatePrecision, description="How precisely a date is known")
strawberry.enum(v.ResidenceManager, description="Who runs a residence")
strawberry.enum(v.ListeningCellKind)
strawberry.enum(v.ReportingChannelKind)
strawberry.enum(v.Language)
OrganisationType = v.OrganisationType
CommitmentType = v.CommitmentType
CommitmentStatus = v.CommitmentStatus
DatePrecision = v.DatePrecision
ResidenceManager = v.ResidenceManager
ListeningCellKind = v.ListeningCellKind
ReportingChannelKind = v.ReportingChannelKind
Language = v.Language


# --- profile (output) ----------------------------------------------------------


@strawberry.type
class Address:
    street: str | None
    postal_code: str | None
    city: str
    country: str


@strawberry.type
class Contact:
    name: str | None
    role: str | None
    email: str | None
    phone: str | None
    url: str | None


@strawberry.type
class EqualityReferent:
    name: str | None
    email: str | None
    appointed_on: date | None
    time_share_percent: float | None
    budget_eur: int | None
    shared_with: list[str]
    relays: list[Contact]


@strawberry.type
class ListeningCell:
    kind: ListeningCellKind
    description: str | None
    members_count: int | None
    partners: list[str]
    contacts: list[Contact]


@strawberry.type
class ReportingChannel:
    kind: ReportingChannelKind
    description: str | None
    url: str | None
    email: str | None
    anonymous: bool | None


@strawberry.type
class DisciplinaryBoard:
    name: str
    convened_by: str | None
    description: str | None


@strawberry.type
class Residence:
    code: str
    name: str
    campus: str | None
    managed_by: ResidenceManager
    manager_name: str | None
    places: int | None


@strawberry.type
class Housing:
    has_residences: bool | None = strawberry.field(description="null when unknown")
    residences: list[Residence]


@strawberry.type
class Websites:
    public_site: str | None
    public_equality_page: str | None
    intranet_vss_page: str | None


@strawberry.type
class ProfileSource:
    field: str
    quote: str = strawberry.field(description="The passage of the action plan this fact comes from")


@strawberry.type(description="The validated profile of an organisation; null fields are unknown")
class SchoolProfile:
    official_name: str
    short_name: str
    address: Address | None
    director: Contact | None
    equality_referent: EqualityReferent | None
    listening_cell: ListeningCell | None
    reporting_channel: ReportingChannel | None
    disciplinary_board: DisciplinaryBoard | None
    housing: Housing
    websites: Websites
    languages: list[Language]
    revision: int
    sha256: str
    updated_at: datetime
    updated_by: str
    sources: list[ProfileSource]

    @classmethod
    def from_revision(cls, revision: models.ProfileRevision) -> SchoolProfile:
        return build(
            cls,
            revision.data,
            revision=revision.revision,
            sha256=revision.sha256,
            updated_at=revision.created_at,
            updated_by=revision.created_by,
            sources=[ProfileSource(field=k, quote=str(q)) for k, q in sorted(revision.sources.items())],
        )


# --- commitments, campuses, organisations ---------------------------------------


@strawberry.type
class Commitment:
    id: strawberry.ID
    type: CommitmentType
    status: CommitmentStatus
    title: str
    effective_on: date | None
    date_precision: DatePrecision | None
    expires_on: date | None
    evidence_url: str | None
    note: str | None
    source: str | None = strawberry.field(description="The action plan passage, for seed facts")
    recorded_at: datetime
    recorded_by: str

    @classmethod
    def from_model(cls, c: models.Commitment) -> Commitment:
        return build(cls, c, source=c.source_quote)


@strawberry.type
class Campus:
    code: str
    name: str


@strawberry.type
class Organisation:
    db_id: strawberry.Private[int]
    parent_db_id: strawberry.Private[int | None]
    id: strawberry.ID
    code: str
    name: str
    short_name: str
    type: OrganisationType

    @classmethod
    def from_model(cls, o: models.Organisation) -> Organisation:
        return build(cls, o, db_id=stored_id(o), parent_db_id=o.parent_id)

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        if self.parent_db_id is None:
            return None
        parent = await info.context.loader(ORGANISATIONS).load(self.parent_db_id)
        return Organisation.from_model(parent) if parent else None

    @strawberry.field
    async def campuses(self, info: Info) -> list[Campus]:
        rows = await info.context.loader(CAMPUSES).load(self.db_id)
        return [build(Campus, c) for c in rows]

    @strawberry.field(description="The current profile; null when none was recorded yet")
    async def profile(self, info: Info) -> SchoolProfile | None:
        revision = await info.context.loader(PROFILES).load(self.db_id)
        return SchoolProfile.from_revision(revision) if revision else None

    @strawberry.field(description="Commitments in force: the latest record of each type and title")
    async def commitments(self, info: Info, type: CommitmentType | None = None) -> list[Commitment]:
        rows = await info.context.loader(COMMITMENTS).load(self.db_id)
        return [Commitment.from_model(c) for c in rows if type is None or c.type == type.value]

    @strawberry.field(description="Every commitment record, newest first")
    async def commitment_history(self, info: Info) -> list[Commitment]:
        rows = await info.context.loader(COMMITMENT_HISTORY).load(self.db_id)
        return [Commitment.from_model(c) for c in rows]


# --- inputs ---------------------------------------------------------------------


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
