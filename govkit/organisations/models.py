"""Tables of organisations, campuses, profile revisions and commitments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.timeline import PRECISION_LENGTH, Precision

#: The values a precision column accepts (govkit.timeline.Precision).
PRECISIONS = ", ".join(f"'{p.value}'" for p in Precision)


class Organisation(SQLModel, table=True):
    """The group, the head office or a school."""

    __tablename__ = "organisation"
    __table_args__ = (sa.CheckConstraint("type IN ('group', 'head_office', 'school')", name="type"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    type: str = Field(max_length=20)
    name: str = Field(max_length=300)
    short_name: str = Field(max_length=60)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    source_quote: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Campus(SQLModel, table=True):
    """A campus (site) of an organisation, open from ``valid_from`` (NULL: unknown) until
    ``valid_to`` (exclusive; NULL: still open), as recorded at ``recorded_at`` by ``recorded_by``."""

    __tablename__ = "campus"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "code"),
        sa.CheckConstraint(
            f"valid_from_precision IS NULL OR valid_from_precision IN ({PRECISIONS})", name="valid_from_precision"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=300)
    source_quote: str | None = Field(default=None, sa_type=sa.Text)
    valid_from: date | None = None
    valid_from_precision: str | None = Field(default=None, max_length=PRECISION_LENGTH)
    valid_to: date | None = None
    date_source: str | None = Field(default=None, sa_type=sa.Text)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=200)


class ProfileRevision(SQLModel, table=True):
    """One validated revision of an organisation's profile; revisions are never edited.

    It describes the organisation from ``valid_from`` (valid time, with its precision and the source
    that dates it) until the next revision valid later; ``created_at`` is when govkit recorded it."""

    __tablename__ = "profile_revision"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "revision"),
        sa.CheckConstraint(f"valid_from_precision IN ({PRECISIONS})", name="valid_from_precision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    revision: int = Field(ge=1)
    data: dict[str, Any] = Field(sa_type=JSONType)
    sources: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    valid_from: date = Field(default_factory=date.today)
    valid_from_precision: str = Field(
        default=Precision.DAY.value,
        max_length=PRECISION_LENGTH,
        sa_column_kwargs={"server_default": Precision.DAY.value},
    )
    date_source: str | None = Field(default=None, sa_type=sa.Text)


class Commitment(SQLModel, table=True):
    """A recorded commitment (charter, referent, plan…); a new record supersedes older ones.

    Valid time: ``effective_on`` (valid from, with ``date_precision`` and ``date_source``) to
    ``expires_on`` (valid to, exclusive). A correction is a new record whose ``supersedes_id`` names
    the record it corrects; records are never edited."""

    __tablename__ = "commitment"
    __table_args__ = (
        sa.CheckConstraint("status IN ('planned', 'in_progress', 'in_place', 'lapsed')", name="status"),
        sa.CheckConstraint(
            f"date_precision IS NULL OR date_precision IN ({PRECISIONS})",
            name="date_precision",
        ),
        sa.Index("ix_commitment_org_type", "organisation_id", "type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    type: str = Field(max_length=40)
    status: str = Field(max_length=20)
    title: str = Field(max_length=300)
    effective_on: date | None = None
    date_precision: str | None = Field(default=None, max_length=PRECISION_LENGTH)
    expires_on: date | None = None
    evidence_url: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, sa_type=sa.Text)
    source_quote: str | None = Field(default=None, sa_type=sa.Text)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=200)
    date_source: str | None = Field(default=None, sa_type=sa.Text)
    supersedes_id: int | None = Field(default=None, foreign_key="commitment.id", index=True)
