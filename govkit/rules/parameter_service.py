"""Rule parameters: legal staff record a new value from a date (audited); anyone reading findings lists
each parameter with its value on a day, its source and its history. The resolution is pure
(govkit.rules.parameters); the values recorded here reach the engine with the facts (``recorded``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from govkit.access.audit import AuditEvent
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.days import utc_today
from govkit.db import Database
from govkit.errors import InvalidInput, NotFound
from govkit.rules.definitions import Rule
from govkit.rules.facts import ParameterValue
from govkit.rules.loader import RuleSet, load_rules
from govkit.rules.parameter_records import COLUMNS, RuleParameterValue, parameter_value, recorded
from govkit.rules.parameters import checked_source, checked_value, file_value, on_day, source_json
from govkit.seed import seed_text
from govkit.timeline import AsOf

#: The earliest day a value may take effect from (the plans before it are not govkit's).
EARLIEST = date(2015, 1, 1)
#: How far ahead a value may be set to take effect.
AHEAD = timedelta(days=5 * 366)


def _rule(rules: RuleSet, rule_id: str) -> Rule:
    found = next((r for r in rules.rules if r.id == rule_id), None)
    if found is None:
        raise NotFound(f"Aucune règle {rule_id!r}. / No rule {rule_id!r}.", key="no_rule", params={"rule": rule_id})
    return found


def set_rule_parameter(
    *,
    db: Database,
    actor: Principal,
    rule_id: str,
    name: str,
    value: Any,
    valid_from: date,
    source: dict[str, Any],
    reason: str,
    rules: RuleSet | None = None,
    action: str = "rules.set_parameter",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> RuleParameterValue:
    """Record ``value`` for parameter ``name`` of rule ``rule_id`` from ``valid_from`` (legal staff),
    with its source and the reason; the audit event is written in the same transaction, as ``action``."""
    authorize(actor, Action.SET_RULE_PARAMETER)
    rule = _rule(rules or load_rules(), rule_id)
    stored = checked_value(rule, name, value)
    checked = checked_source(source, seed_text())
    why = reason.strip()
    if len(why) < 10:
        raise InvalidInput(
            "Donnez la raison du changement (10 caractères au moins). / Give the reason (10+ characters).",
            key="parameter_reason",
        )
    if not EARLIEST <= valid_from <= utc_today() + AHEAD:
        raise InvalidInput(
            f"validFrom {valid_from} is out of range ({EARLIEST} to five years ahead).",
            key="parameter_valid_from",
            params={"earliest": EARLIEST},
        )
    with db.transaction() as session:
        before = on_day(recorded(session.connection(), AsOf(valid_from)), valid_from).get(rule.id, {}).get(name)
        row = RuleParameterValue(
            rule_id=rule.id,
            name=name,
            value=stored,
            valid_from=valid_from,
            source=checked.as_json(),
            reason=why[:2000],
            recorded_by=actor.label,
        )
        session.add(row)
        session.add(
            AuditEvent(
                correlation_id=correlation_id,
                subject=actor.subject,
                role=actor.role.value if actor.role else None,
                organisation=actor.organisation_code,
                action=action,
                target={"rule": rule.id, "parameter": name, "valid_from": valid_from.isoformat()},
                outcome="ok",
                detail=f"{before.value if before else file_value(rule, name)!r} -> {stored!r} ({checked.kind})",
                client_ip=client_ip,
            )
        )
        session.flush()
        return row


@dataclass(frozen=True)
class ParameterState:
    """A rule's parameter on a day: its value and source (the latest recorded by then, else the rule
    file's: ``valid_from`` None), and every value recorded for it (its history, by valid_from)."""

    rule_id: str
    name: str
    value: Any
    source: dict[str, str] | None
    valid_from: date | None
    recorded_at: datetime | None
    recorded_by: str | None
    reason: str | None
    file_value: Any
    file_source: dict[str, str] | None
    history: list[ParameterValue] = field(default_factory=list)


def rule_parameters(
    *,
    db: Database,
    actor: Principal,
    rule_id: str | None = None,
    as_of: date | None = None,
    rules: RuleSet | None = None,
) -> list[ParameterState]:
    """Every parameter of every rule (or of ``rule_id``) with its value on ``as_of`` (today by default)."""
    authorize(actor, Action.READ_RULE_PARAMETERS)
    rule_set = rules or load_rules()
    chosen = [_rule(rule_set, rule_id)] if rule_id is not None else list(rule_set.rules)
    day = as_of or utc_today()
    with db.reading() as session:
        query = sa.select(*COLUMNS).order_by(col(RuleParameterValue.valid_from), col(RuleParameterValue.id))
        if rule_id is not None:
            query = query.where(col(RuleParameterValue.rule_id) == rule_id)
        every = [parameter_value(r) for r in session.connection().execute(query)]
    current = on_day(every, day)
    states: list[ParameterState] = []
    for rule in chosen:
        for name in rule.parameter_names:
            value = current.get(rule.id, {}).get(name)
            from_file, file_source = file_value(rule, name), source_json(rule.sources.get(name))
            states.append(
                ParameterState(
                    rule_id=rule.id,
                    name=name,
                    value=from_file if value is None else value.value,
                    source=file_source if value is None else value.source,
                    valid_from=None if value is None else value.valid_from,
                    recorded_at=None if value is None else value.recorded_at,
                    recorded_by=None if value is None else value.recorded_by,
                    reason=None if value is None else value.reason,
                    file_value=from_file,
                    file_source=file_source,
                    history=[v for v in every if v.rule_id == rule.id and v.name == name],
                )
            )
    return states
