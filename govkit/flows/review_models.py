"""The tables of the publication reviews: a published root template version's variants, school by
school, between their rendering (jobs) and their putting in force (govkit.flows.root_publication)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

SCHOOL_STATUSES = ("pending", "ready", "failed", "in_force")


class PublicationReview(SQLModel, table=True):
    """The review opened when a root template version is published (one per version): who opened
    it and when, and the approval that let it be published (four eyes), if one was needed."""

    __tablename__ = "publication_review"

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    root_template_version_id: int = Field(
        foreign_key="root_template_version.id",
        unique=True,
        sa_column_kwargs=not_personal("a root_template_version row"),
    )
    kind: str = Field(max_length=60, sa_column_kwargs=not_personal("a review of a root template version's publication"))
    language: str = Field(
        max_length=2, sa_column_kwargs=not_personal("a review of a root template version's publication")
    )
    change_kind: str = Field(
        max_length=12, sa_column_kwargs=not_personal("a review of a root template version's publication")
    )
    opened_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    opened_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    approval_id: int | None = Field(
        default=None, foreign_key="approval.id", sa_column_kwargs=not_personal("a approval row")
    )


class ReviewSchool(SQLModel, table=True):
    """One school in a review: ``pending`` (its render job has not run), ``ready`` (its variant),
    ``failed`` (why, and the profile values missing), ``in_force`` (the document version put in
    force from ``effective_from``, by whom and when)."""

    __tablename__ = "publication_review_school"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'ready', 'failed', 'in_force')", name="status"),
        sa.UniqueConstraint("review_id", "organisation_id", name="uq_publication_review_school"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    review_id: int = Field(
        foreign_key="publication_review.id", sa_column_kwargs=not_personal("a publication_review row")
    )
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school the row belongs to")
    )
    school: str = Field(max_length=64, sa_column_kwargs=not_personal("one school's part of a publication review"))
    status: str = Field(
        default="pending", max_length=10, sa_column_kwargs=not_personal("one school's part of a publication review")
    )
    variant_id: int | None = Field(
        default=None, foreign_key="variant.id", sa_column_kwargs=not_personal("a variant row")
    )
    message: str | None = Field(
        default=None, sa_type=sa.Text, sa_column_kwargs=not_personal("one school's part of a publication review")
    )
    missing: list[str] = Field(
        default_factory=list,
        sa_type=JSONType,
        sa_column_kwargs=not_personal("one school's part of a publication review"),
    )
    rendered_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    document_version_id: int | None = Field(
        default=None, foreign_key="document_version.id", sa_column_kwargs=not_personal("a document_version row")
    )
    effective_from: date | None = Field(
        default=None, sa_column_kwargs=not_personal("one school's part of a publication review")
    )
    put_in_force_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    put_in_force_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
