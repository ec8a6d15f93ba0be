"""GraphQL entry points of organisations: map input, call the service, map output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from govkit.access.policy import Action
from govkit.organisations import service
from govkit.organisations import vocabulary as v
from govkit.organisations.inputs import RecordCommitmentInput, SchoolProfilePatch
from govkit.organisations.types import (
    Commitment,
    DatePrecision,
    Organisation,
    OrganisationType,
    SchoolProfile,
)
from govkit.resolving import Info, public, to_plain
from govkit.timeline import AsOf


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="The group, the head office and the schools", metadata=public(Action.READ_DIRECTORY))
    async def organisations(self, info: Info, type: OrganisationType | None = None) -> list[Organisation]:
        rows = await info.context.call(service.list_organisations, type=type)
        return [Organisation.from_model(o) for o in rows]

    @strawberry.field(
        description="One organisation by its code, e.g. imt-atlantique", metadata=public(Action.READ_DIRECTORY)
    )
    async def organisation(
        self,
        info: Info,
        code: str,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The day its profile, commitments and campuses answer for (default: today)"
            ),
        ] = None,
        known_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="Only what govkit had recorded by this moment (audits); UTC when no offset"
            ),
        ] = None,
    ) -> Organisation:
        organisation = await info.context.call(service.get_organisation, code=code)
        when = None if as_of is None and known_at is None else AsOf.of(as_of, known_at)
        return Organisation.from_model(organisation, when)


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(description="Change an organisation's profile; a new revision when it changes")
    async def update_school_profile(
        self,
        info: Info,
        code: str,
        patch: SchoolProfilePatch,
        valid_from: Annotated[
            date | None,
            strawberry.argument(description="The first day the change is true (default: today; not in the future)"),
        ] = None,
        valid_from_precision: Annotated[
            DatePrecision,
            strawberry.argument(description="How precisely validFrom is known (it is then the period's start)"),
        ] = DatePrecision.DAY,
        date_source: Annotated[
            str | None, strawberry.argument(description="What dates the change (a passage, a document, a person)")
        ] = None,
    ) -> SchoolProfile:
        dating = service.Dating(valid_from, DatePrecision(valid_from_precision), date_source)
        revision = await info.context.call(service.update_profile, code=code, patch=to_plain(patch), dating=dating)
        return SchoolProfile.from_revision(revision, dating.start())

    @strawberry.mutation(
        description="Record a commitment: from its date it follows earlier records of its type and title; "
        "with supersedes, a correction of that record"
    )
    async def record_commitment(self, info: Info, input: RecordCommitmentInput) -> Commitment:
        data = service.CommitmentInput(
            organisation_code=input.organisation,
            type=v.CommitmentType(input.type),
            status=v.CommitmentStatus(input.status),
            title=input.title,
            effective_on=input.effective_on,
            date_precision=v.DatePrecision(input.date_precision) if input.date_precision else None,
            expires_on=input.expires_on,
            evidence_url=input.evidence_url,
            note=input.note,
            date_source=input.date_source,
            supersedes=input.supersedes,
            how=v.ArrangementHow(input.how),
            members=tuple(input.members),
            provider=input.provider,
            capacity=input.capacity.to_dict() if input.capacity else None,
        )
        return Commitment.from_model(await info.context.call(service.record_commitment, data=data))
