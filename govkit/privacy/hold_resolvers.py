"""GraphQL entry points of the legal holds (legal staff only; audited): list them, place one on a
person with a reason, release one (govkit.privacy.legal_holds)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from govkit.privacy import legal_holds as service
from govkit.resolving import Info


@strawberry.type(description="A suspension of the erasure of a person's personal data during a case (legal staff)")
class LegalHold:
    id: strawberry.ID
    person_id: strawberry.ID = strawberry.field(description="The person held, by id")
    school: str
    person_external_id: str = strawberry.field(description="The person's identifier at their school")
    reason: str = strawberry.field(description="Why: the case the person's data are kept for")
    placed_at: datetime
    placed_by: str
    released_at: datetime | None = strawberry.field(description="Released (null: the hold is open)")
    released_by: str | None

    @classmethod
    def of(cls, found: service.HeldPerson) -> LegalHold:
        hold = found.hold
        return cls(
            id=strawberry.ID(str(hold.id)),
            person_id=strawberry.ID(str(hold.person_id)),
            school=found.school,
            person_external_id=found.external_id,
            reason=hold.reason,
            placed_at=hold.placed_at,
            placed_by=hold.placed_by,
            released_at=hold.released_at,
            released_by=hold.released_by,
        )


@strawberry.type
class LegalHoldQuery:
    @strawberry.field(description="The legal holds, newest first: open ones, or all (legal staff)")
    async def legal_holds(
        self,
        info: Info,
        include_released: Annotated[bool, strawberry.argument(description="Also the holds released since")] = False,
    ) -> list[LegalHold]:
        found = await info.context.call(
            service.legal_holds, include_released=include_released, correlation_id=info.context.correlation_id
        )
        return [LegalHold.of(h) for h in found]


@strawberry.type
class LegalHoldMutation:
    @strawberry.mutation(
        description="Suspend the erasure of a person's personal data during a case, with the reason (legal "
        "staff; audited): the retention job keeps them until the hold is released"
    )
    async def place_legal_hold(self, info: Info, school: str, person_external_id: str, reason: str) -> LegalHold:
        found = await info.context.call(
            service.place_legal_hold,
            school=school,
            person_external_id=person_external_id,
            reason=reason,
            correlation_id=info.context.correlation_id,
        )
        info.context.audited.add(str(info.path.key))  # written with the hold, in its transaction
        return LegalHold.of(found)

    @strawberry.mutation(
        description="Release a legal hold (legal staff; audited): the next retention run erases the person if due"
    )
    async def release_legal_hold(self, info: Info, id: strawberry.ID) -> LegalHold:
        found = await info.context.call(
            service.release_legal_hold, hold_id=str(id), correlation_id=info.context.correlation_id
        )
        info.context.audited.add(str(info.path.key))
        return LegalHold.of(found)
