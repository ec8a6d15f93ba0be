"""GraphQL entry points of the rules: map input, call the service, map output."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated

import strawberry

from govkit.resolving import Info
from govkit.rules import service
from govkit.rules.loader import load_rules
from govkit.rules.types import Barometer, Finding, RuleRun


@cache
def _titles() -> dict[str, tuple[str, str]]:
    return {r.id: (r.title.fr, r.title.en) for r in load_rules().rules}


@strawberry.type
class RulesQuery:
    @strawberry.field(
        description="Findings for a school or every school you may read: of the latest current run by default; "
        "of run runId; or as of asOf (as known at knownAt): the run stored for that date (runRules(asOf)) if "
        "there is one, else evaluated on the fly and stored nowhere — then every finding is new and has no "
        "runId. asOf/knownAt and runId exclude each other."
    )
    async def findings(
        self,
        info: Info,
        school: str | None = None,
        severity: str | None = None,
        include_resolved: bool = False,
        as_of: Annotated[date | None, strawberry.argument(description="The day (valid time)")] = None,
        known_at: Annotated[
            datetime | None, strawberry.argument(description="As govkit knew it then (recorded time)")
        ] = None,
        run_id: strawberry.ID | None = None,
    ) -> list[Finding]:
        rows = await info.context.call(
            service.findings,
            school=school,
            severity=severity,
            include_resolved=include_resolved,
            as_of=as_of,
            known_at=known_at,
            run_id=run_id,
        )
        return [Finding.from_stored(r, _titles()) for r in rows]

    @strawberry.field(description="The stored rule runs, newest first, with their date basis")
    async def rule_runs(
        self, info: Info, basis: str | None = None, as_of: date | None = None, first: int = 20
    ) -> list[RuleRun]:
        runs = await info.context.call(service.rule_runs, basis=basis, as_of=as_of, limit=first)
        return [RuleRun.from_model(r) for r in runs]

    @strawberry.field(
        description="The barometer of a year from what was true at its end (valid time), whenever it was "
        "recorded; a commitment dated too loosely to tell is not known (null), not absent"
    )
    async def barometer(
        self,
        info: Info,
        year: int,
        as_of: Annotated[
            date | None, strawberry.argument(description="Another day than the end of the year (valid time)")
        ] = None,
        known_at: Annotated[
            datetime | None, strawberry.argument(description="As govkit knew it then (recorded time)")
        ] = None,
    ) -> Barometer:
        data = await info.context.call(service.barometer, year=year, as_of=as_of, known_at=known_at)
        return Barometer.from_data(data)


@strawberry.type
class RulesMutation:
    @strawberry.mutation(
        description="Evaluate the rules and store the run: now (the new current run), or as of a past date "
        "asOf / as known at knownAt (stored with basis as_of: the current run and its findings stay)"
    )
    async def run_rules(
        self,
        info: Info,
        as_of: date | None = None,
        schools: list[str] | None = None,
        known_at: datetime | None = None,
    ) -> RuleRun:
        result = await info.context.call(service.run_rules, as_of=as_of, known_at=known_at, schools=schools)
        return RuleRun.from_model(result.run, len(result.blocking))

    @strawberry.mutation(
        description="Record a school's training coverage for a population and year (Axe 2): recorded as the "
        "training record of the closest audience (student → new_students…) in the academic year starting that year",
        deprecation_reason="Use recordTraining (an audience, an academic year, counts that may be unknown)",
    )
    async def record_training_coverage(
        self,
        info: Info,
        school: str,
        year: int,
        population: str,
        trained: int,
        total: int,
        training: str = "vss_awareness",
    ) -> bool:
        await info.context.call(
            service.record_training_coverage,
            school=school,
            year=year,
            population=population,
            training=training,
            trained=trained,
            total=total,
        )
        return True
