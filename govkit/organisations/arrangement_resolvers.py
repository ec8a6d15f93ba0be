"""GraphQL entry points of arrangements: list each once with its members; join, opt out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from govkit.organisations import arrangements
from govkit.organisations.arrangement_types import Arrangement, ArrangementMember
from govkit.organisations.models import ArrangementMember as MemberRow
from govkit.organisations.service import organisations_by_id
from govkit.organisations.types import DatePrecision
from govkit.resolving import Info
from govkit.timeline import AsOf, Precision


@strawberry.type
class ArrangementQuery:
    @strawberry.field(
        description="The shared, group and external arrangements in effect on a day, each ONCE with its members "
        "(those of organisations the caller may read); with school, those it holds, is a member of or opted out of"
    )
    async def arrangements(
        self,
        info: Info,
        as_of: Annotated[date | None, strawberry.argument(description="The day asked (default: today)")] = None,
        known_at: Annotated[
            datetime | None, strawberry.argument(description="Only what govkit had recorded by this moment")
        ] = None,
        school: Annotated[str | None, strawberry.argument(description="An organisation code")] = None,
    ) -> list[Arrangement]:
        when = AsOf.of(as_of, known_at)
        views = await info.context.call(arrangements.list_arrangements, when=when, school=school)
        return [Arrangement.from_view(view, when.day) for view in views]


@strawberry.type
class ArrangementMutation:
    @strawberry.mutation(
        description="A school joins a group arrangement of the head office by agreement, from a date (an opt-out "
        "in progress ends that day)"
    )
    async def join_arrangement(
        self,
        info: Info,
        commitment_id: Annotated[strawberry.ID, strawberry.argument(description="The arrangement's record id")],
        school: str,
        valid_from: date,
        valid_from_precision: DatePrecision = DatePrecision.DAY,
        source: Annotated[
            str | None, strawberry.argument(description="What records the agreement (a decision, a convention)")
        ] = None,
    ) -> ArrangementMember:
        period = await info.context.call(
            arrangements.join_arrangement,
            commitment_id=commitment_id,
            school=school,
            valid_from=valid_from,
            precision=Precision(valid_from_precision),
            source=source,
        )
        return await _member(info, period)

    @strawberry.mutation(
        description="A school opts out of a group arrangement from a date: from then on it needs its own arrangement"
    )
    async def opt_out_of_arrangement(
        self,
        info: Info,
        commitment_id: Annotated[strawberry.ID, strawberry.argument(description="The arrangement's record id")],
        school: str,
        valid_from: date,
        reason: str,
        valid_from_precision: DatePrecision = DatePrecision.DAY,
    ) -> ArrangementMember:
        period = await info.context.call(
            arrangements.opt_out_of_arrangement,
            commitment_id=commitment_id,
            school=school,
            valid_from=valid_from,
            reason=reason,
            precision=Precision(valid_from_precision),
        )
        return await _member(info, period)


async def _member(info: Info, period: MemberRow) -> ArrangementMember:
    """The period recorded, with its organisation (the directory is public)."""
    found = await info.context.call(organisations_by_id, ids=[period.organisation_id])
    return ArrangementMember.from_model(period, found[period.organisation_id])
