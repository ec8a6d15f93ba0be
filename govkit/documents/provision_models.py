"""The tables of local provisions: a school's own text at a provision place of a document kind, and
every revision of it with who proposed it and who decided on it, and when (govkit.documents.provisions)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

#: The decisions of legal staff on a proposed revision (None: awaiting review).
DECISIONS = ("approved", "sent_back")


class LocalProvision(SQLModel, table=True):
    """A school's provision at one place of one document kind (kinds.yaml ``provision_places``)."""

    __tablename__ = "local_provision"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "kind", "place"),)

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school the row belongs to")
    )
    kind: str = Field(max_length=60, sa_column_kwargs=not_personal("a school's own text at a provision place"))
    place: str = Field(max_length=40, sa_column_kwargs=not_personal("a school's own text at a provision place"))
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    created_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))


class LocalProvisionRevision(SQLModel, table=True):
    """One proposal of a provision's text (French and English), and legal staff's decision on it.

    The text rendered into the school's variants is that of its latest approved revision; a
    revision proposed later waits for its own approval and changes nothing until then.
    """

    __tablename__ = "local_provision_revision"
    __table_args__ = (
        sa.UniqueConstraint("provision_id", "number"),
        sa.CheckConstraint("decision IS NULL OR decision IN ('approved', 'sent_back')", name="decision"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    provision_id: int = Field(foreign_key="local_provision.id", sa_column_kwargs=not_personal("a local_provision row"))
    number: int = Field(sa_column_kwargs=not_personal("a revision of a school's provision text and the decision on it"))
    text_fr: str = Field(
        sa_type=sa.Text, sa_column_kwargs=not_personal("a revision of a school's provision text and the decision on it")
    )
    text_en: str = Field(
        sa_type=sa.Text, sa_column_kwargs=not_personal("a revision of a school's provision text and the decision on it")
    )
    proposed_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    proposed_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    decision: str | None = Field(
        default=None,
        max_length=10,
        sa_column_kwargs=not_personal("a revision of a school's provision text and the decision on it"),
    )
    decided_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    decided_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    comment: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a revision of a school's provision text and the decision on it"),
    )
