"""GraphQL entry points of the rules: map input, call the service, map output."""

from __future__ import annotations

from datetime import date
from functools import cache

import strawberry

from govkit.resolving import Info
from govkit.rules import service
from govkit.rules.loader import load_rules
from govkit.rules.types import Barometer, Finding, RuleRun, Waiver, waiver_of


@cache
def _titles() -> dict[str, tuple[str, str]]:
    return {r.id: (r.title.fr, r.title.en) for r in load_rules().rules}


@strawberry.type
class RulesQuery:
    @strawberry.field(description="Findings of the latest rule run, for a school or every school you may read")
    async def findings(
        self, info: Info, school: str | None = None, severity: str | None = None, include_resolved: bool = False
    ) -> list[Finding]:
        rows = await info.context.call(
            service.findings, school=school, severity=severity, include_resolved=include_resolved
        )
        return [Finding.from_stored(r, _titles()) for r in rows]

    @strawberry.field(description="The barometer of a year, as things stood at its end")
    async def barometer(self, info: Info, year: int) -> Barometer:
        return Barometer.from_data(await info.context.call(service.barometer, year=year))


@strawberry.type
class RulesMutation:
    @strawberry.mutation(description="Evaluate the rules now (or as of a date) and store the run")
    async def run_rules(self, info: Info, as_of: date | None = None, schools: list[str] | None = None) -> RuleRun:
        result = await info.context.call(service.run_rules, as_of=as_of, schools=schools)
        run = result.run
        return RuleRun(
            id=strawberry.ID(str(run.id)),
            ran_at=run.ran_at,
            as_of=run.as_of,
            rules_sha256=run.rules_sha256,
            findings=run.findings,
            blocking_errors=len(result.blocking),
        )

    @strawberry.mutation(description="Waive a finding until a date, with a reason (legal staff)")
    async def grant_waiver(
        self, info: Info, rule_id: str, school: str, reason: str, expires_on: date, key: str | None = None
    ) -> Waiver:
        waiver = await info.context.call(
            service.grant_waiver, rule_id=rule_id, school=school, reason=reason, expires_on=expires_on, key=key
        )
        return waiver_of(waiver)

    @strawberry.mutation(description="Record a school's training coverage for a population and year (Axe 2)")
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
