"""Tables of organisations, campuses, profile revisions and commitments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal
from govkit.timeline import PRECISION_LENGTH, Precision

#: The values a precision column accepts (govkit.timeline.Precision).
PRECISIONS = ", ".join(f"'{p.value}'" for p in Precision)
#: How an obligation is met (govkit.organisations.vocabulary.ArrangementHow).
HOWS = "'own', 'shared', 'group', 'external'"


class Organisation(SQLModel, table=True):
    """The group, the head office or a school."""

    __tablename__ = "organisation"
    __table_args__ = (sa.CheckConstraint("type IN ('group', 'head_office', 'school')", name="type"),)

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    code: str = Field(
        max_length=64,
        unique=True,
        sa_column_kwargs=not_personal("a school or the group: facts about an institution, not a person"),
    )
    type: str = Field(
        max_length=20, sa_column_kwargs=not_personal("a school or the group: facts about an institution, not a person")
    )
    name: str = Field(max_length=300, sa_column_kwargs=not_personal("the school's or the group's name"))
    short_name: str = Field(max_length=60, sa_column_kwargs=not_personal("the school's short name"))
    parent_id: int | None = Field(
        default=None,
        foreign_key="organisation.id",
        index=True,
        sa_column_kwargs=not_personal("the school the row belongs to"),
    )
    source_quote: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school or the group: facts about an institution, not a person"),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )


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

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    code: str = Field(max_length=64, sa_column_kwargs=not_personal("a school's campus: about the school, not a person"))
    name: str = Field(max_length=300, sa_column_kwargs=not_personal("the campus's name"))
    source_quote: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's campus: about the school, not a person"),
    )
    valid_from: date | None = Field(
        default=None, sa_column_kwargs=not_personal("a school's campus: about the school, not a person")
    )
    valid_from_precision: str | None = Field(
        default=None,
        max_length=PRECISION_LENGTH,
        sa_column_kwargs=not_personal("a school's campus: about the school, not a person"),
    )
    valid_to: date | None = Field(
        default=None, sa_column_kwargs=not_personal("a school's campus: about the school, not a person")
    )
    date_source: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's campus: about the school, not a person"),
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))


class ProfileRevision(SQLModel, table=True):
    """One validated revision of an organisation's profile; revisions are never edited.

    It describes the organisation from ``valid_from`` (valid time, with its precision and the source
    that dates it) until the next revision valid later; ``created_at`` is when govkit recorded it."""

    __tablename__ = "profile_revision"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "revision"),
        sa.CheckConstraint(f"valid_from_precision IN ({PRECISIONS})", name="valid_from_precision"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    revision: int = Field(ge=1, sa_column_kwargs=not_personal("a school's profile: its data and their sources"))
    data: dict[str, Any] = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a school's profile: its data and their sources")
    )
    sources: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONType,
        sa_column_kwargs=not_personal("a school's profile: its data and their sources"),
    )
    sha256: str = Field(max_length=64, sa_column_kwargs=not_personal("a school's profile: its data and their sources"))
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    created_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    valid_from: date = Field(
        default_factory=date.today, sa_column_kwargs=not_personal("a school's profile: its data and their sources")
    )
    valid_from_precision: str = Field(
        default=Precision.DAY.value,
        max_length=PRECISION_LENGTH,
        sa_column_kwargs={
            "server_default": Precision.DAY.value,
            **not_personal("a school's profile: its data and their sources"),
        },
    )
    date_source: str | None = Field(
        default=None, sa_type=sa.Text, sa_column_kwargs=not_personal("a school's profile: its data and their sources")
    )


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
        sa.CheckConstraint(f"how IN ({HOWS})", name="how"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school the row belongs to")
    )
    type: str = Field(
        max_length=40,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    status: str = Field(
        max_length=20,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    title: str = Field(
        max_length=300,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    effective_on: date | None = Field(
        default=None,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    date_precision: str | None = Field(
        default=None,
        max_length=PRECISION_LENGTH,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    expires_on: date | None = Field(
        default=None,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    evidence_url: str | None = Field(
        default=None,
        max_length=500,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    note: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    source_quote: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    date_source: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    supersedes_id: int | None = Field(
        default=None, foreign_key="commitment.id", index=True, sa_column_kwargs=not_personal("a commitment row")
    )
    #: how the organisation holds it: its own, shared with named schools, a group-level arrangement
    #: schools join, an external provider under a convention (govkit.organisations.arrangements)
    how: str = Field(
        default="own",
        max_length=10,
        sa_column_kwargs={
            "server_default": "own",
            **not_personal("a school's commitment (charter, agreement, unit): about the school, not a person"),
        },
    )
    provider: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )
    #: one capacity for every school served, e.g. {"time_share_percent": 20} or {"members": 8}
    capacity: dict[str, Any] | None = Field(
        default=None,
        sa_type=JSONType,
        sa_column_kwargs=not_personal(
            "a school's commitment (charter, agreement, unit): about the school, not a person"
        ),
    )


class ArrangementMember(SQLModel, table=True):
    """A period during which an organisation is served by an arrangement (``role`` member) or has
    opted out of it (``role`` opted_out).

    The arrangement is the commitment ``commitment_id`` names and the later records of the same
    holder, type and title (a new status of a group arrangement keeps its members). Valid time:
    from ``valid_from`` (with its precision; NULL: unknown) to ``valid_to`` (exclusive; NULL: open).
    Recorded time: recorded at ``recorded_at``, closed (``valid_to`` set) at ``ended_recorded_at``;
    periods are closed, never deleted."""

    __tablename__ = "arrangement_member"
    __table_args__ = (
        sa.CheckConstraint("role IN ('member', 'opted_out')", name="role"),
        sa.CheckConstraint(
            f"valid_from_precision IS NULL OR valid_from_precision IN ({PRECISIONS})", name="valid_from_precision"
        ),
        sa.CheckConstraint("(valid_to IS NULL) = (ended_recorded_at IS NULL)", name="ended"),
        sa.CheckConstraint("valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="period"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    commitment_id: int = Field(
        foreign_key="commitment.id", index=True, sa_column_kwargs=not_personal("a commitment row")
    )
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    role: str = Field(
        max_length=10,
        sa_column_kwargs=not_personal("a school's membership of a group arrangement: about schools, not persons"),
    )
    valid_from: date | None = Field(
        default=None,
        sa_column_kwargs=not_personal("a school's membership of a group arrangement: about schools, not persons"),
    )
    valid_from_precision: str | None = Field(
        default=None,
        max_length=PRECISION_LENGTH,
        sa_column_kwargs=not_personal("a school's membership of a group arrangement: about schools, not persons"),
    )
    valid_to: date | None = Field(
        default=None,
        sa_column_kwargs=not_personal("a school's membership of a group arrangement: about schools, not persons"),
    )
    date_source: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's membership of a group arrangement: about schools, not persons"),
    )
    source_quote: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's membership of a group arrangement: about schools, not persons"),
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    ended_recorded_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )


class CommitmentEvidence(SQLModel, table=True):
    """A file that evidences a commitment record (a signed charter, a convention, as PDF): its bytes
    are stored once by SHA-256 in ``blob`` (govkit.flows.commitment_evidence); the link says who
    added it to which record and when. Links are append-only, as the records are: a record's later
    correction gets links of its own, the earlier record keeps its files in the history."""

    __tablename__ = "commitment_evidence"
    __table_args__ = (
        sa.CheckConstraint("size > 0", name="size"),
        sa.UniqueConstraint("commitment_id", "sha256"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    commitment_id: int = Field(
        foreign_key="commitment.id", index=True, sa_column_kwargs=not_personal("a commitment row")
    )
    sha256: str = Field(
        foreign_key="blob.sha256", max_length=64, index=True, sa_column_kwargs=not_personal("a blob row")
    )
    filename: str = Field(
        max_length=200, sa_column_kwargs=not_personal("a commitment's evidence file: its name, type, size and digest")
    )
    media_type: str = Field(
        max_length=120, sa_column_kwargs=not_personal("a commitment's evidence file: its name, type, size and digest")
    )
    size: int = Field(sa_column_kwargs=not_personal("a commitment's evidence file: its name, type, size and digest"))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
