"""GraphQL types and inputs of organisations, profiles and commitments."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from govkit.days import utc_today
from govkit.db import stored_id
from govkit.organisations import commitments as in_effect
from govkit.organisations import models, service
from govkit.organisations import vocabulary as v
from govkit.resolving import Batch, Info, build
from govkit.timeline import AsOf, is_uncertain

if TYPE_CHECKING:
    from govkit.organisations.arrangement_types import Arrangement

# The batch reads of an organisation's fields: one authorised service call per request and field.
ORGANISATIONS: Batch[int, models.Organisation | None] = Batch(service.organisations_by_id, "ids", lambda: None)


def _none() -> None:
    return None


@lru_cache(maxsize=256)
def _as_of(function: Any, when: AsOf | None, missing: Any, history: bool = False) -> Batch[int, Any]:
    """The batch read of ``function`` as of ``when`` (one per function and date: the same object for
    the same arguments, so that a request has one DataLoader of each)."""
    keywords: dict[str, Any] = {"when": when}
    if history:
        keywords["history"] = True
    return Batch(partial(function, **keywords), "organisation_ids", missing)


def campuses_batch(when: AsOf | None) -> Batch[int, list[models.Campus]]:
    return _as_of(service.campuses_by_organisation, when, list)


def profiles_batch(when: AsOf | None) -> Batch[int, models.ProfileRevision | None]:
    return _as_of(service.profiles_by_organisation, when, _none)


def commitments_batch(when: AsOf | None, history: bool = False) -> Batch[int, list[models.Commitment]]:
    return _as_of(service.commitments_by_organisation, when, list, history)


# The vocabulary's enums, in GraphQL under their own names (strawberry.enum marks the class and
# returns it): the names below are the enums themselves, so that they can be used as types.
strawberry.enum(v.OrganisationType, description="group, head office or school")
strawberry.enum(v.CommitmentType, description="What an organisation commits to")
strawberry.enum(v.CommitmentStatus)
strawberry.enum(
    v.DatePrecision,
    name="DatePrecision",
    description="How precisely a date is known: a day, a month, a year, an academic year (1 Sep–31 Aug)",
)
strawberry.enum(v.ResidenceManager, description="Who runs a residence")
strawberry.enum(v.ListeningCellKind)
strawberry.enum(v.ReportingChannelKind)
strawberry.enum(v.Language)
strawberry.enum(
    v.ArrangementHow,
    description="How an obligation is met: own, shared (named schools, one capacity), group (the head office's, "
    "joined by agreement), external (a provider under a convention)",
)
strawberry.enum(v.MemberRole, description="member, or opted out (from validFrom)")
OrganisationType = v.OrganisationType
CommitmentType = v.CommitmentType
CommitmentStatus = v.CommitmentStatus
DatePrecision = v.DatePrecision
ResidenceManager = v.ResidenceManager
ListeningCellKind = v.ListeningCellKind
ReportingChannelKind = v.ReportingChannelKind
Language = v.Language
ArrangementHow = v.ArrangementHow
MemberRole = v.MemberRole


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
    updated_at: datetime = strawberry.field(description="When govkit recorded this revision")
    updated_by: str
    sources: list[ProfileSource]
    valid_from: date = strawberry.field(description="The first day this revision describes the organisation")
    valid_from_precision: DatePrecision
    date_source: str | None = strawberry.field(description="What dates validFrom (a passage, a document, a person)")
    recorded_at: datetime = strawberry.field(description="When govkit recorded this revision (as updatedAt)")
    recorded_by: str
    uncertain: bool = strawberry.field(
        description="True when, on the day asked, this revision may not be in effect yet (dated to a period "
        "that day is inside): not documented rather than known"
    )

    @classmethod
    def from_revision(cls, revision: models.ProfileRevision, day: date | None = None) -> SchoolProfile:
        return build(
            cls,
            revision.data,
            revision=revision.revision,
            sha256=revision.sha256,
            updated_at=revision.created_at,
            updated_by=revision.created_by,
            sources=[ProfileSource(field=k, quote=str(q)) for k, q in sorted(revision.sources.items())],
            valid_from=revision.valid_from,
            valid_from_precision=DatePrecision(revision.valid_from_precision),
            date_source=revision.date_source,
            recorded_at=revision.created_at,
            recorded_by=revision.created_by,
            uncertain=is_uncertain(
                revision.valid_from, revision.valid_from_precision, revision.created_at, day or utc_today()
            ),
        )


# --- commitments, campuses, organisations ---------------------------------------


@strawberry.type(description="A commitment record: valid from a date (valid time), recorded at a moment")
class Commitment:
    id: strawberry.ID
    type: CommitmentType
    status: CommitmentStatus
    title: str
    effective_on: date | None = strawberry.field(description="As validFrom")
    date_precision: DatePrecision | None = strawberry.field(description="As validFromPrecision")
    expires_on: date | None = strawberry.field(description="As validTo")
    evidence_url: str | None
    note: str | None
    source: str | None = strawberry.field(description="The action plan passage, for seed facts")
    recorded_at: datetime
    recorded_by: str
    valid_from: date | None = strawberry.field(description="The first day it was true; null when unknown")
    valid_from_precision: DatePrecision | None
    valid_to: date | None = strawberry.field(description="The day it stopped being true (exclusive)")
    date_source: str | None = strawberry.field(description="What dates validFrom (a passage, a document, a person)")
    supersedes: strawberry.ID | None = strawberry.field(description="The record this one corrects")
    how: ArrangementHow = strawberry.field(description="own, shared, group or external (see Arrangement)")
    provider: str | None = strawberry.field(description="The external provider under a convention")
    uncertain: bool = strawberry.field(
        description="True when, on the day asked, it may not be in effect yet (dated to a period that day is "
        "inside, or undated and recorded later): not documented rather than known"
    )

    @classmethod
    def from_model(cls, c: models.Commitment, day: date | None = None) -> Commitment:
        return build(
            cls,
            c,
            source=c.source_quote,
            valid_from=c.effective_on,
            valid_from_precision=DatePrecision(c.date_precision) if c.date_precision else None,
            valid_to=c.expires_on,
            supersedes=None if c.supersedes_id is None else strawberry.ID(str(c.supersedes_id)),
            uncertain=in_effect.uncertain(c, day or utc_today()),
        )


@strawberry.type(description="A campus, open from validFrom (null: unknown) until validTo (exclusive)")
class Campus:
    code: str
    name: str
    valid_from: date | None
    valid_from_precision: DatePrecision | None
    valid_to: date | None
    date_source: str | None
    recorded_at: datetime
    recorded_by: str
    uncertain: bool

    @classmethod
    def from_model(cls, c: models.Campus, day: date | None = None) -> Campus:
        return build(
            cls,
            c,
            valid_from_precision=DatePrecision(c.valid_from_precision) if c.valid_from_precision else None,
            uncertain=is_uncertain(c.valid_from, c.valid_from_precision, c.recorded_at, day or utc_today()),
        )


@strawberry.type
class Organisation:
    db_id: strawberry.Private[int]
    parent_db_id: strawberry.Private[int | None]
    #: the question in time its profile, commitments and campuses answer (None: today)
    when: strawberry.Private[AsOf | None]
    id: strawberry.ID
    code: str
    name: str
    short_name: str
    type: OrganisationType

    @classmethod
    def from_model(cls, o: models.Organisation, when: AsOf | None = None) -> Organisation:
        return build(cls, o, db_id=stored_id(o), parent_db_id=o.parent_id, when=when)

    @property
    def day(self) -> date:
        return self.when.day if self.when else utc_today()

    @strawberry.field(description="The day its profile, commitments and campuses answer for (asOf; today by default)")
    def as_of(self) -> date:
        return self.day

    @strawberry.field(description="The moment of govkit's knowledge they answer for (knownAt); null: everything")
    def known_at(self) -> datetime | None:
        return self.when.known_at if self.when else None

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        if self.parent_db_id is None:
            return None
        parent = await info.context.loader(ORGANISATIONS).load(self.parent_db_id)
        return Organisation.from_model(parent, self.when) if parent else None

    @strawberry.field(description="The campuses open on the day asked (a campus of unknown opening date counts)")
    async def campuses(self, info: Info) -> list[Campus]:
        rows = await info.context.loader(campuses_batch(self.when)).load(self.db_id)
        return [Campus.from_model(c, self.day) for c in rows]

    @strawberry.field(description="The profile in effect on the day asked; null when none was in effect yet")
    async def profile(self, info: Info) -> SchoolProfile | None:
        revision = await info.context.loader(profiles_batch(self.when)).load(self.db_id)
        return SchoolProfile.from_revision(revision, self.day) if revision else None

    @strawberry.field(
        description="Commitments in effect on the day asked: of each type and title, the latest record in valid "
        "time (its date, or the day it was recorded when unknown), corrections replacing what they correct"
    )
    async def commitments(self, info: Info, type: CommitmentType | None = None) -> list[Commitment]:
        rows = await info.context.loader(commitments_batch(self.when)).load(self.db_id)
        return [Commitment.from_model(c, self.day) for c in rows if type is None or c.type == type.value]

    @strawberry.field(
        description="The shared, group and external arrangements it holds, is a member of or opted out of, on the "
        "day asked (each with its members)"
    )
    async def arrangements(
        self, info: Info
    ) -> list[Annotated[Arrangement, strawberry.lazy("govkit.organisations.arrangement_types")]]:
        from govkit.organisations.arrangement_types import Arrangement, arrangements_batch

        views = await info.context.loader(arrangements_batch(self.when)).load(self.db_id)
        return [Arrangement.from_view(view, self.day, self.db_id) for view in views]

    @strawberry.field(description="Every commitment record known (at knownAt), newest first, corrected ones too")
    async def commitment_history(self, info: Info) -> list[Commitment]:
        rows = await info.context.loader(commitments_batch(self.when, history=True)).load(self.db_id)
        return [Commitment.from_model(c, self.day) for c in rows]
