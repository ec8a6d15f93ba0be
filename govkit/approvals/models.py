"""The table of the four-eyes requests: what was asked, by whom and when, and who decided what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

STATUSES = ("pending", "approved", "refused")


class Approval(SQLModel, table=True):
    """A request for a second legal officer's approval of ``action`` on ``target`` (e.g.
    ``root_template_version:12``), with what the action needs to be carried out (``payload``) and
    a line for people (``summary``). ``requester`` and ``decider`` are the subjects compared so that
    nobody approves their own request; ``requested_by`` and ``decided_by`` are the names shown.
    ``outcome`` is what carrying out the approved action returned (ids of what it made)."""

    __tablename__ = "approval"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status"),
        sa.Index("ix_approval_target", "target", "action"),
        sa.Index("ix_approval_status", "status", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    action: str = Field(
        max_length=80,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
    target: str = Field(
        max_length=200,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
    summary: str = Field(
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
    payload: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONType,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
    status: str = Field(
        default="pending",
        max_length=10,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
    requester: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    requested_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    requested_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    decider: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    decided_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    decided_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    comment: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
    outcome: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONType,
        sa_column_kwargs=not_personal("a four-eyes request about a document or a rule (ids and text about it)"),
    )
