"""Tables of stored files, root templates and their versions, variants and published documents.

Blobs, published root template versions, variants and document versions are
immutable: the service never updates them, and database triggers (migration
0002) refuse any UPDATE or DELETE that would.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal


class Blob(SQLModel, table=True):
    """A stored file, identified by the SHA-256 of its bytes."""

    __tablename__ = "blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    media_type: str = Field(max_length=120)
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RootTemplate(SQLModel, table=True):
    """The root template of one document kind in one language."""

    __tablename__ = "root_template"
    __table_args__ = (sa.UniqueConstraint("kind", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    language: str = Field(max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RootTemplateVersion(SQLModel, table=True):
    """An uploaded, validated version of a root template; frozen once published."""

    __tablename__ = "root_template_version"
    __table_args__ = (
        sa.UniqueConstraint("root_template_id", "number"),
        sa.UniqueConstraint("root_template_id", "sha256"),
        sa.CheckConstraint("change_kind IS NULL OR change_kind IN ('editorial', 'substantive')", name="change_kind"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    root_template_id: int = Field(
        foreign_key="root_template.id", index=True, sa_column_kwargs=not_personal("a root_template row")
    )
    number: int = Field(
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog")
    )
    sha256: str = Field(foreign_key="blob.sha256", max_length=64, sa_column_kwargs=not_personal("a blob row"))
    filename: str = Field(
        max_length=255,
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog"),
    )
    report: dict[str, Any] = Field(
        sa_type=JSONType,
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog"),
    )
    clauses: list[str] = Field(
        sa_type=JSONType,
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog"),
    )
    note: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog"),
    )
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    uploaded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    published_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    published_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    change_kind: str | None = Field(
        default=None,
        max_length=12,
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog"),
    )
    changelog: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a root template version: its file, report, clauses and changelog"),
    )


class Variant(SQLModel, table=True):
    """A school's rendering of a root template version; same inputs, same variant."""

    __tablename__ = "variant"

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    inputs_sha256: str = Field(
        max_length=64, unique=True, sa_column_kwargs=not_personal("a school's rendered variant of a root template")
    )
    root_template_version_id: int = Field(
        foreign_key="root_template_version.id", index=True, sa_column_kwargs=not_personal("a root_template_version row")
    )
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    profile_revision_id: int = Field(
        foreign_key="profile_revision.id", sa_column_kwargs=not_personal("a profile_revision row")
    )
    sha256: str = Field(foreign_key="blob.sha256", max_length=64, sa_column_kwargs=not_personal("a blob row"))
    clauses: list[str] = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a school's rendered variant of a root template")
    )
    rendered_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    rendered_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))


class DocumentVersion(SQLModel, table=True):
    """A published variant: the version of a school's document in force from a date."""

    __tablename__ = "document_version"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "kind", "language", "number"),
        sa.CheckConstraint("change_kind IN ('editorial', 'substantive')", name="change_kind"),
        sa.Index("ix_document_version_current", "organisation_id", "kind", "language", "effective_from"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school the row belongs to")
    )
    kind: str = Field(
        max_length=60,
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person"),
    )
    language: str = Field(
        max_length=2,
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person"),
    )
    number: int = Field(
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person")
    )
    variant_id: int = Field(foreign_key="variant.id", sa_column_kwargs=not_personal("a variant row"))
    sha256: str = Field(foreign_key="blob.sha256", max_length=64, sa_column_kwargs=not_personal("a blob row"))
    clauses: list[str] = Field(
        sa_type=JSONType,
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person"),
    )
    effective_from: date = Field(
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person")
    )
    change_kind: str = Field(
        max_length=12,
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person"),
    )
    changelog: str = Field(
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a published document version: about the school's documents, not a person"),
    )
    published_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    published_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
