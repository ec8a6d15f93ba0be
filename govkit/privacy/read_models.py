"""The log of reads of persons' personal data by staff (``person_read``): one row per person read
per request, written by ``govkit.privacy.reads``; the person sees theirs (``me.readsOfMyData``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.privacy.declarations import Category, not_personal, personal

#: How the data left govkit: a page, GraphQL, a CSV download, the command line.
CHANNELS = ("page", "graphql", "csv", "cli")


class PersonRead(SQLModel, table=True):
    """One read of one person's personal data: by whom (their identity, role and school), when, how,
    which fields."""

    __tablename__ = "person_read"
    __table_args__ = (
        sa.CheckConstraint("channel IN ('page', 'graphql', 'csv', 'cli')", name="channel"),
        sa.Index("ix_person_read_person_at", "person_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("row number"))
    person_id: int = Field(foreign_key="person.id", sa_column_kwargs=personal(Category.READ_LOG))
    read_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.READ_LOG))
    reader_subject: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    reader_role: str | None = Field(default=None, max_length=20, sa_column_kwargs=personal(Category.READ_LOG))
    reader_school: str | None = Field(default=None, max_length=64, sa_column_kwargs=personal(Category.READ_LOG))
    channel: str = Field(max_length=10, sa_column_kwargs=personal(Category.READ_LOG))
    fields: list[str] = Field(default_factory=list, sa_type=JSONType, sa_column_kwargs=personal(Category.READ_LOG))
    correlation_id: str = Field(
        max_length=64, sa_column_kwargs=not_personal("the request's correlation id (joins the audit log)")
    )
