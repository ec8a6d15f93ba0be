"""The table of correction requests (GDPR art. 16): a person asks the administration of their school
to correct something govkit holds about them — which section of their data, which field, the text
they ask for — and the administration decides once: done (with a note), or refused (with a reason).
govkit.privacy.corrections is the service; every column says whether it is personal data."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.privacy.declarations import Category, not_personal, personal

#: A request's states: open until the school's administration decides; done and refused are final.
STATUSES = ("open", "done", "refused")


class CorrectionRequest(SQLModel, table=True):
    """One request for the correction of one's data, and the school administration's decision."""

    __tablename__ = "correction_request"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'done', 'refused')", name="status"),
        sa.Index("ix_correction_request_school_status", "organisation_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("a row number"))
    person_id: int = Field(
        foreign_key="person.id", index=True, sa_column_kwargs=personal(Category.CORRECTION, of="the requester")
    )
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school whose administration decides")
    )
    section: str = Field(max_length=40, sa_column_kwargs=not_personal("a section key of the own-data export"))
    field: str = Field(max_length=100, sa_column_kwargs=personal(Category.CORRECTION))
    requested_text: str = Field(sa_type=sa.Text, sa_column_kwargs=personal(Category.CORRECTION))
    status: str = Field(default="open", max_length=10, sa_column_kwargs=not_personal("open, done or refused"))
    requested_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.CORRECTION)
    )
    decided_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.CORRECTION)
    )
    decided_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    #: done: what was corrected (a note to the person); refused: why (the reason, required)
    note: str | None = Field(default=None, sa_type=sa.Text, sa_column_kwargs=personal(Category.CORRECTION))
