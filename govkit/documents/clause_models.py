"""Tables of the clause library: the clauses a root template may use, their titles' history, and the
clauses each kind requires (valid time; changes to them approved by a second legal officer).

Seeded by migration 0020 from documents/templates/clauses.yaml and kinds.yaml; from then on the
database is the library (govkit.documents.clause_library), the YAML files only the seed of a new one.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

#: The longest clause key (``vss.protective_measures``…) and title.
KEY_LENGTH = 80
TITLE_LENGTH = 300


class ClauseDefinition(SQLModel, table=True):
    """A clause of the library, by its key (the ``{# clause: key #}`` marker of the templates): a key
    never changes once templates use it; its titles do (``ClauseDefinitionRevision``)."""

    __tablename__ = "clause_definition"

    key: str = Field(primary_key=True, max_length=KEY_LENGTH, sa_column_kwargs=not_personal("the row's id"))
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    created_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))


class ClauseDefinitionRevision(SQLModel, table=True):
    """The titles of a clause from ``recorded_at`` (the latest is current), who gave them and why.
    Append-only: a rename is a new revision."""

    __tablename__ = "clause_definition_revision"
    __table_args__ = (sa.Index("ix_clause_definition_revision_key", "clause_key", "recorded_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    clause_key: str = Field(
        foreign_key="clause_definition.key",
        max_length=KEY_LENGTH,
        sa_column_kwargs=not_personal("a clause_definition row"),
    )
    title_fr: str = Field(
        max_length=TITLE_LENGTH, sa_column_kwargs=not_personal("a clause's titles and the reason for their change")
    )
    title_en: str = Field(
        max_length=TITLE_LENGTH, sa_column_kwargs=not_personal("a clause's titles and the reason for their change")
    )
    reason: str = Field(
        sa_type=sa.Text, sa_column_kwargs=not_personal("a clause's titles and the reason for their change")
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))


class RequiredClause(SQLModel, table=True):
    """A period during which a kind requires a clause (its common base).

    Valid time: from ``valid_from`` (NULL: from the start, as the seed) to ``valid_to`` (exclusive;
    NULL: still required; at most one open period per kind and clause). Recorded time: the period
    was recorded at ``recorded_at`` and closed (``valid_to`` set) at ``ended_recorded_at``. A
    removal closes the period, it never deletes it. Each side keeps who asked and why, and the
    second legal officer who approved it with their request (four eyes; govkit.approvals), when
    four eyes were on.
    """

    __tablename__ = "required_clause"
    __table_args__ = (
        sa.CheckConstraint("(valid_to IS NULL) = (ended_recorded_at IS NULL)", name="ended"),
        sa.CheckConstraint("valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="period"),
        sa.Index("ix_required_clause_kind", "kind", "clause_key", "valid_from"),
        sa.Index(
            "uq_required_clause_open",
            "kind",
            "clause_key",
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    kind: str = Field(max_length=60, sa_column_kwargs=not_personal("a clause required in a kind of document, and why"))
    clause_key: str = Field(
        foreign_key="clause_definition.key",
        max_length=KEY_LENGTH,
        sa_column_kwargs=not_personal("a clause_definition row"),
    )
    valid_from: date | None = Field(
        default=None, sa_column_kwargs=not_personal("a clause required in a kind of document, and why")
    )
    valid_to: date | None = Field(
        default=None, sa_column_kwargs=not_personal("a clause required in a kind of document, and why")
    )
    reason: str = Field(
        sa_type=sa.Text, sa_column_kwargs=not_personal("a clause required in a kind of document, and why")
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    approved_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    approval_id: int | None = Field(
        default=None, foreign_key="approval.id", sa_column_kwargs=not_personal("a approval row")
    )
    ended_recorded_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    end_reason: str | None = Field(
        default=None, sa_type=sa.Text, sa_column_kwargs=not_personal("a clause required in a kind of document, and why")
    )
    ended_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    end_approved_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    end_approval_id: int | None = Field(
        default=None, foreign_key="approval.id", sa_column_kwargs=not_personal("a approval row")
    )
