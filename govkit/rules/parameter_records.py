"""The table of rule parameter values recorded by legal staff (govkit.rules.parameter_service).

Append-only: a change is a new row valid from its ``valid_from``; the value on a day is the latest
valid by then (ties: the latest recorded), else the rule file's (govkit.rules.parameters).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal
from govkit.rules.facts import ParameterValue
from govkit.timeline import AsOf


class RuleParameterValue(SQLModel, table=True):
    """A value of a rule's parameter from ``valid_from``, with its source, why, who and when."""

    __tablename__ = "rule_parameter_value"
    __table_args__ = (sa.Index("ix_rule_parameter_value_rule_name", "rule_id", "name", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    rule_id: str = Field(
        max_length=80, sa_column_kwargs=not_personal("a rule parameter's value, its source and reason")
    )
    name: str = Field(max_length=40, sa_column_kwargs=not_personal("the parameter's name"))
    value: Any = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a rule parameter's value, its source and reason")
    )  # as JSON: a number, a list of names, a date as YYYY-MM-DD
    valid_from: date = Field(sa_column_kwargs=not_personal("a rule parameter's value, its source and reason"))
    source: dict[str, Any] = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a rule parameter's value, its source and reason")
    )  # {kind: plan|law|default, text[, article]}
    reason: str = Field(
        sa_type=sa.Text, sa_column_kwargs=not_personal("a rule parameter's value, its source and reason")
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))


#: The columns read, in ParameterValue's order.
COLUMNS: tuple[Any, ...] = (
    RuleParameterValue.rule_id,
    RuleParameterValue.name,
    RuleParameterValue.value,
    RuleParameterValue.valid_from,
    RuleParameterValue.source,
    RuleParameterValue.recorded_at,
    RuleParameterValue.recorded_by,
    RuleParameterValue.reason,
    RuleParameterValue.id,
)


def parameter_value(row: Any) -> ParameterValue:
    rule_id, name, value, valid_from, source, recorded_at, recorded_by, reason, id_ = row
    recorded_at = recorded_at.replace(tzinfo=UTC) if recorded_at.tzinfo is None else recorded_at
    return ParameterValue(rule_id, name, value, valid_from, source, recorded_at, recorded_by, reason, id_)


def recorded(connection: sa.Connection, when: AsOf) -> tuple[ParameterValue, ...]:
    """The values recorded by ``when.known_at`` valid from ``when.day`` at the latest: one query."""
    query = sa.select(*COLUMNS).where(col(RuleParameterValue.valid_from) <= when.day)
    if when.known_at is not None:
        query = query.where(col(RuleParameterValue.recorded_at) <= when.known_at)
    return tuple(parameter_value(r) for r in connection.execute(query.order_by(col(RuleParameterValue.id))))
