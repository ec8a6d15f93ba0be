"""Tables of rule runs, their findings and waivers (training and survey records: govkit.rules.records)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

#: A run's date basis: ``current`` (as of today, with everything recorded: what dashboards, `govkit
#: check` and ``findings`` without a date show) or ``as_of`` (as of a past date, or as known at a past
#: moment: kept apart, it never becomes the current run).
CURRENT = "current"
AS_OF = "as_of"
BASES = (CURRENT, AS_OF)


#: JSON whose None is SQL NULL (``IS NULL`` finds it), not the JSON text ``null``.
_NULLABLE_JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class RuleRun(SQLModel, table=True):
    """One evaluation of the rules, kept with its findings."""

    __tablename__ = "rule_run"
    __table_args__ = (sa.CheckConstraint("basis IN ('current', 'as_of')", name="basis"),)

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    ran_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    as_of: date = Field(
        sa_column_kwargs=not_personal("a run of the compliance rules: dates, schools, counts and digests")
    )
    basis: str = Field(
        default=CURRENT,
        max_length=8,
        sa_column_kwargs={
            "server_default": CURRENT,
            **not_personal("a run of the compliance rules: dates, schools, counts and digests"),
        },
    )
    known_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )  # as known then (None: everything)
    #: the codes of the organisations evaluated; None (SQL NULL): every one
    schools: list[str] | None = Field(
        default=None,
        sa_type=_NULLABLE_JSON,
        sa_column_kwargs=not_personal("a run of the compliance rules: dates, schools, counts and digests"),
    )
    ran_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    rules_sha256: str = Field(
        max_length=64,
        sa_column_kwargs=not_personal("a run of the compliance rules: dates, schools, counts and digests"),
    )
    #: each rule evaluated with its parameters on the day, as findings show them (govkit.rules.parameters
    #: ``parameters_shown``): {rule_id: [{name, value, source, valid_from}]}, once per run; None before 0011
    parameters: dict[str, list[dict[str, Any]]] | None = Field(
        default=None,
        sa_type=_NULLABLE_JSON,
        sa_column_kwargs=not_personal("a run of the compliance rules: dates, schools, counts and digests"),
    )
    findings: int = Field(
        default=0, sa_column_kwargs=not_personal("a run of the compliance rules: dates, schools, counts and digests")
    )
    errors: int = Field(
        default=0, sa_column_kwargs=not_personal("a run of the compliance rules: dates, schools, counts and digests")
    )


class FindingRecord(SQLModel, table=True):
    """A finding of a run; status says how it compares with the previous run."""

    __tablename__ = "finding"
    __table_args__ = (
        sa.CheckConstraint("status IN ('new', 'open', 'resolved')", name="status"),
        sa.CheckConstraint("severity IN ('error', 'warning', 'info')", name="severity"),
        sa.Index("ix_finding_run_org", "run_id", "organisation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="rule_run.id")
    fingerprint: str = Field(max_length=64)
    rule_id: str = Field(max_length=80)
    organisation_id: int = Field(foreign_key="organisation.id")
    key: str = Field(max_length=200)
    severity: str = Field(max_length=8)
    status: str = Field(max_length=10)
    message_fr: str = Field(sa_type=sa.Text)
    message_en: str = Field(sa_type=sa.Text)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    source: str = Field(max_length=400)
    waiver_id: int | None = Field(default=None, foreign_key="waiver.id")


class Waiver(SQLModel, table=True):
    """Legal staff silence a finding (one key, or every key of a rule at a school) until a date."""

    __tablename__ = "waiver"

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    rule_id: str = Field(max_length=80, sa_column_kwargs=not_personal("a waiver of a rule for a school, and why"))
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    key: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=not_personal("a waiver of a rule for a school, and why")
    )
    reason: str = Field(sa_type=sa.Text, sa_column_kwargs=not_personal("a waiver of a rule for a school, and why"))
    expires_on: date = Field(sa_column_kwargs=not_personal("a waiver of a rule for a school, and why"))
    granted_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    granted_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
