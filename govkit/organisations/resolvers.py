"""GraphQL entry points of organisations: map input, call the service, map output."""

from __future__ import annotations

import strawberry

from govkit.access.policy import Action
from govkit.organisations import service
from govkit.organisations import vocabulary as v
from govkit.organisations.types import (
    Commitment,
    Organisation,
    OrganisationType,
    RecordCommitmentInput,
    SchoolProfile,
    SchoolProfilePatch,
)
from govkit.resolving import Info, public, to_plain


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="The group, the head office and the schools", metadata=public(Action.READ_DIRECTORY))
    async def organisations(self, info: Info, type: OrganisationType | None = None) -> list[Organisation]:
        rows = await info.context.call(service.list_organisations, type=type)
        return [Organisation.from_model(o) for o in rows]

    @strawberry.field(
        description="One organisation by its code, e.g. imt-atlantique", metadata=public(Action.READ_DIRECTORY)
    )
    async def organisation(self, info: Info, code: str) -> Organisation:
        return Organisation.from_model(await info.context.call(service.get_organisation, code=code))


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(description="Change an organisation's profile; a new revision when it changes")
    async def update_school_profile(self, info: Info, code: str, patch: SchoolProfilePatch) -> SchoolProfile:
        revision = await info.context.call(service.update_profile, code=code, patch=to_plain(patch))
        return SchoolProfile.from_revision(revision)

    @strawberry.mutation(description="Record a commitment; it supersedes earlier records of its type and title")
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
        )
        return Commitment.from_model(await info.context.call(service.record_commitment, data=data))
