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

    id: int | None = Field(default=None, primary_key=True)
    root_template_id: int = Field(foreign_key="root_template.id", index=True)
    number: int
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    filename: str = Field(max_length=255)
    report: dict[str, Any] = Field(sa_type=JSONType)
    clauses: list[str] = Field(sa_type=JSONType)
    note: str | None = Field(default=None, sa_type=sa.Text)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    uploaded_by: str = Field(max_length=200)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: str | None = Field(default=None, max_length=200)
    change_kind: str | None = Field(default=None, max_length=12)
    changelog: str | None = Field(default=None, sa_type=sa.Text)


class Variant(SQLModel, table=True):
    """A school's rendering of a root template version; same inputs, same variant."""

    __tablename__ = "variant"

    id: int | None = Field(default=None, primary_key=True)
    inputs_sha256: str = Field(max_length=64, unique=True)
    root_template_version_id: int = Field(foreign_key="root_template_version.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    profile_revision_id: int = Field(foreign_key="profile_revision.id")
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    clauses: list[str] = Field(sa_type=JSONType)
    rendered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rendered_by: str = Field(max_length=200)


class DocumentVersion(SQLModel, table=True):
    """A published variant: the version of a school's document in force from a date."""

    __tablename__ = "document_version"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "kind", "language", "number"),
        sa.CheckConstraint("change_kind IN ('editorial', 'substantive')", name="change_kind"),
        sa.Index("ix_document_version_current", "organisation_id", "kind", "language", "effective_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=60)
    language: str = Field(max_length=2)
    number: int
    variant_id: int = Field(foreign_key="variant.id")
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    clauses: list[str] = Field(sa_type=JSONType)
    effective_from: date
    change_kind: str = Field(max_length=12)
    changelog: str = Field(sa_type=sa.Text)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_by: str = Field(max_length=200)
