"""The table of tracked-change reviews: an upload with tracked changes (w:ins / w:del), kept with its
changes clause by clause until legal staff accept them into a draft version or refuse the upload.

The uploaded bytes are a ``Blob``; ``clauses`` holds the insertions and deletions of each clause
(govkit.documents.tracked.ClauseChanges) and ``report`` the validation of the upload (guard, sandbox
checks of every changed tag, validation of the document with every change accepted). A review is
decided once: ``status`` goes from open to accepted (``draft_version_id``, the new unpublished root
template version) or refused (``reason``); ``decided_at``/``decided_by`` say when and by whom.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

REVIEW_STATUSES = ("open", "accepted", "refused")


class TrackedChangeReview(SQLModel, table=True):
    """An upload with tracked changes, waiting for (or given) legal staff's decision."""

    __tablename__ = "tracked_change_review"
    __table_args__ = (sa.CheckConstraint("status IN ('open', 'accepted', 'refused')", name="status"),)

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    root_template_id: int = Field(
        foreign_key="root_template.id", index=True, sa_column_kwargs=not_personal("a root_template row")
    )
    sha256: str = Field(foreign_key="blob.sha256", max_length=64, sa_column_kwargs=not_personal("a blob row"))
    filename: str = Field(max_length=255, sa_column_kwargs=not_personal("a tracked-change review of a root template"))
    clauses: list[dict[str, Any]] = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a tracked-change review of a root template")
    )
    report: dict[str, Any] = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a tracked-change review of a root template")
    )
    status: str = Field(
        default="open", max_length=10, sa_column_kwargs=not_personal("a tracked-change review of a root template")
    )
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    uploaded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    decided_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    decided_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    reason: str | None = Field(
        default=None, sa_type=sa.Text, sa_column_kwargs=not_personal("a tracked-change review of a root template")
    )
    draft_version_id: int | None = Field(
        default=None,
        foreign_key="root_template_version.id",
        sa_column_kwargs=not_personal("a root_template_version row"),
    )
