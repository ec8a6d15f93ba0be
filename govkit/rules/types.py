"""GraphQL types of findings, waivers, rule runs and the barometer."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from govkit.resolving import build
from govkit.rules import barometer as barometer_module
from govkit.rules import models
from govkit.rules.service import StoredFinding


@strawberry.type
class Waiver:
    id: strawberry.ID
    rule_id: str
    key: str | None
    reason: str
    expires_on: date
    granted_by: str
    granted_at: datetime


def waiver_of(w: models.Waiver) -> Waiver:
    return build(Waiver, w)


@strawberry.type(description="What a rule found at an organisation, with its source in the action plan")
class Finding:
    rule_id: str
    rule_title_fr: str
    rule_title_en: str
    school: str
    severity: str
    status: str = strawberry.field(
        description="new, open (already found by the previous run of the same date basis) or resolved; "
        "every finding evaluated on the fly (findings(asOf) without a stored run) is new"
    )
    key: str = strawberry.field(
        description="What the finding is about; ends in /not_documented when a fact is recorded but not "
        "dated (or valued) well enough to tell (an info finding, « non documenté »), distinct from the key "
        "of a missing fact"
    )
    message_fr: str
    message_en: str
    source: str
    evidence: JSON
    parameters: JSON = strawberry.field(
        description="Its rule's parameters on the day (deadline, thresholds, populations): a list of {name, "
        "value, source: {kind: plan|law|default, text, article?}, valid_from} (valid_from: null for the rule "
        "file's value, else the day a recorded value took effect); stored once per run, not in the evidence"
    )
    waived: bool
    waiver: Waiver | None
    not_documented: bool = strawberry.field(
        description="The fact is recorded but not dated or valued well enough to tell (« non documenté »)"
    )
    run_id: strawberry.ID | None = strawberry.field(
        description="The stored run it belongs to; null when evaluated on the fly (findings(asOf) without a "
        "stored run of that date: nothing is stored)"
    )

    @classmethod
    def from_stored(cls, stored: StoredFinding, titles: dict[str, tuple[str, str]]) -> Finding:
        r = stored.record
        title_fr, title_en = titles.get(r.rule_id, (r.rule_id, r.rule_id))
        return build(
            cls,
            r,
            rule_title_fr=title_fr,
            rule_title_en=title_en,
            school=stored.organisation,
            waived=stored.waived,
            waiver=waiver_of(stored.waiver) if stored.waiver else None,
            parameters=list(stored.parameters),
            not_documented=bool(r.evidence.get("not_documented")),
            run_id=None if r.run_id is None else strawberry.ID(str(r.run_id)),
        )


@strawberry.type(description="A stored evaluation of the rules")
class RuleRun:
    id: strawberry.ID
    ran_at: datetime
    as_of: date
    basis: str = strawberry.field(
        description="current (as of today, everything recorded: the run dashboards and findings without a "
        "date show) or as_of (as of a past date, or as known at knownAt: never replaces the current run)"
    )
    known_at: datetime | None = strawberry.field(description="As govkit knew it then; null: everything recorded")
    rules_sha256: str
    findings: int
    blocking_errors: int = strawberry.field(description="Unwaived errors: `govkit check` exits 1 when > 0")

    @classmethod
    def from_model(cls, run: models.RuleRun, blocking_errors: int | None = None) -> RuleRun:
        """``blocking_errors``: the run's unwaived errors (its stored count when not given)."""
        return build(cls, run, blocking_errors=run.errors if blocking_errors is None else blocking_errors)


@strawberry.type
class Indicator:
    id: str
    axe: int
    label_fr: str
    label_en: str
    unit: str


@strawberry.type
class IndicatorValue:
    id: str
    value: float | None = strawberry.field(description="null when not known or not recorded")


@strawberry.type
class PopulationValue:
    population: str
    value: float


@strawberry.type
class BarometerRow:
    school: str
    name: str
    values: list[IndicatorValue]
    acknowledgement_by_population: list[PopulationValue]

    @classmethod
    def from_data(cls, row: barometer_module.BarometerRow) -> BarometerRow:
        return cls(
            school=row.organisation,
            name=row.name,
            values=[IndicatorValue(id=i.id, value=row.values.get(i.id)) for i in barometer_module.INDICATORS],
            acknowledgement_by_population=[
                PopulationValue(population=p, value=v) for p, v in row.acknowledgement_by_population.items()
            ],
        )


@strawberry.type(description="The yearly indicators of Axe 1, 2, 3, 4 and 5, per school and for the group")
class Barometer:
    year: int
    as_of: date
    indicators: list[Indicator]
    schools: list[BarometerRow]
    group: BarometerRow

    @classmethod
    def from_data(cls, data: barometer_module.Barometer) -> Barometer:
        return cls(
            year=data.year,
            as_of=date.fromisoformat(data.as_of),
            indicators=[build(Indicator, i) for i in barometer_module.INDICATORS],
            schools=[BarometerRow.from_data(r) for r in data.schools],
            group=BarometerRow.from_data(data.group),
        )
