"""GraphQL entry points of the rule parameters: read them with their sources and history; legal staff
record a new value from a date (govkit.rules.parameter_service)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from govkit.resolving import Info, to_plain
from govkit.rules import parameter_service as service
from govkit.rules.facts import ParameterValue


@strawberry.type(description="Where a parameter's value comes from")
class ParameterSource:
    kind: str = strawberry.field(description="plan (a quote of the action plan), law, or default (govkit's)")
    text: str = strawberry.field(description="The quote, the legal text, or why govkit chose the value")
    article: str | None = strawberry.field(default=None, description="The article of a legal text")

    @classmethod
    def of(cls, source: dict[str, Any] | None) -> ParameterSource | None:
        if not source:
            return None
        return cls(kind=source.get("kind", ""), text=source.get("text", ""), article=source.get("article"))


@strawberry.input(description="Exactly one of plan (an exact quote of the action plan), law with article, or default")
class ParameterSourceInput:
    plan: str | None = strawberry.UNSET
    law: str | None = strawberry.UNSET
    article: str | None = strawberry.UNSET
    default: str | None = strawberry.UNSET


@strawberry.type(description="A value of a rule parameter recorded by legal staff, from a date")
class RecordedParameterValue:
    value: JSON | None
    valid_from: date
    source: ParameterSource | None
    reason: str
    recorded_at: datetime
    recorded_by: str

    @classmethod
    def of(cls, v: ParameterValue) -> RecordedParameterValue:
        return cls(
            value=v.value,
            valid_from=v.valid_from,
            source=ParameterSource.of(v.source),
            reason=v.reason,
            recorded_at=v.recorded_at,
            recorded_by=v.recorded_by,
        )


@strawberry.type(description="A rule's parameter (its deadline, a threshold, a delay, its populations) on a day")
class RuleParameter:
    rule_id: str
    name: str
    value: JSON | None = strawberry.field(description="Its value on the day (a date as YYYY-MM-DD)")
    source: ParameterSource | None
    valid_from: date | None = strawberry.field(description="Since when; null: the rule file's value, from the start")
    recorded_at: datetime | None
    recorded_by: str | None
    reason: str | None
    file_value: JSON | None = strawberry.field(description="The value the rule file gives")
    file_source: ParameterSource | None
    history: list[RecordedParameterValue] = strawberry.field(description="Every value recorded, by valid_from")

    @classmethod
    def of(cls, s: service.ParameterState) -> RuleParameter:
        return cls(
            rule_id=s.rule_id,
            name=s.name,
            value=s.value,
            source=ParameterSource.of(s.source),
            valid_from=s.valid_from,
            recorded_at=s.recorded_at,
            recorded_by=s.recorded_by,
            reason=s.reason,
            file_value=s.file_value,
            file_source=ParameterSource.of(s.file_source),
            history=[RecordedParameterValue.of(v) for v in s.history],
        )


@strawberry.type
class RuleParametersQuery:
    @strawberry.field(
        description="Every parameter of the rules (or of ruleId) with its value on asOf (today by default), "
        "its source and the history of the values recorded"
    )
    async def rule_parameters(
        self,
        info: Info,
        rule_id: str | None = None,
        as_of: Annotated[date | None, strawberry.argument(description="The day (valid time)")] = None,
    ) -> list[RuleParameter]:
        states = await info.context.call(service.rule_parameters, rule_id=rule_id, as_of=as_of)
        return [RuleParameter.of(s) for s in states]


@strawberry.type
class RuleParametersMutation:
    @strawberry.mutation(
        description="Give a rule's parameter a new value from validFrom, with its source and the reason "
        "(legal staff; audited): findings on days from then use it, those before keep the former value"
    )
    async def set_rule_parameter(
        self,
        info: Info,
        rule_id: str,
        name: str,
        value: JSON,
        valid_from: date,
        source: ParameterSourceInput,
        reason: str,
    ) -> RuleParameter:
        await info.context.call(
            service.set_rule_parameter,
            rule_id=rule_id,
            name=name,
            value=value,
            valid_from=valid_from,
            source=to_plain(source),
            reason=reason,
            action="mutation.setRuleParameter",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))  # written with the value, in its transaction
        states = await info.context.call(service.rule_parameters, rule_id=rule_id, as_of=valid_from)
        return next(RuleParameter.of(s) for s in states if s.name == name)
