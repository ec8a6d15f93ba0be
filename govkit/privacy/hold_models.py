"""The table of legal holds: legal staff suspend the erasure of a person's personal data during a
case (govkit.privacy.legal_holds), with a reason; released, the erasure happens at the first
retention run after the release if it is still due (govkit.flows.retention)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.privacy.declarations import Category, not_personal, personal


class LegalHold(SQLModel, table=True):
    """One suspension of erasure for one person: open while ``released_at`` is NULL (at most one
    open hold per person); never deleted, so the audit trail of a case stays whole."""

    __tablename__ = "legal_hold"
    __table_args__ = (
        sa.CheckConstraint("(released_at IS NULL) = (released_by IS NULL)", name="released"),
        sa.Index(
            "uq_legal_hold_open",
            "person_id",
            unique=True,
            sqlite_where=sa.text("released_at IS NULL"),
            postgresql_where=sa.text("released_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("a row number"))
    person_id: int = Field(
        foreign_key="person.id", index=True, sa_column_kwargs=personal(Category.LEGAL_HOLD, link="person")
    )
    reason: str = Field(sa_type=sa.Text, sa_column_kwargs=personal(Category.LEGAL_HOLD))
    placed_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.LEGAL_HOLD)
    )
    placed_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    released_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.LEGAL_HOLD)
    )
    released_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))

    @property
    def open(self) -> bool:
        return self.released_at is None
