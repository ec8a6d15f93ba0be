"""Tables of the notices: every message created (to whom, which template, what the SMTP server
answered), and each school's reminder schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

KINDS = "'opening', 'reminder', 'overdue', 'digest', 'correction'"
STATUSES = "'queued', 'sent', 'failed', 'kept'"


class NoticeMessage(SQLModel, table=True):
    """One e-mail notice to a person (or a digest to a school administrator).

    ``key`` makes a notice unique: ``opening:<campaign>:<person>``, ``reminder:<campaign>:<person>:<step>``,
    ``overdue:<campaign>:<person>``, ``digest:<school>:<identity>:<week>`` — creating it twice is
    impossible. The body holds ``rendering.LINK`` where the person's one-click sign-in link goes:
    the link is issued when the message is sent and never stored (only its hash, by govkit.auth),
    except in the local outbox (status ``kept``), which is the mailbox itself.
    """

    __tablename__ = "notice_message"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({KINDS})", name="kind"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="status"),
        sa.Index("ix_notice_message_school_status", "organisation_id", "status", "id"),
        sa.Index("ix_notice_message_campaign_person", "campaign_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    key: str = Field(
        max_length=120,
        unique=True,
        sa_column_kwargs=not_personal("what makes a notice unique: kind and internal ids only"),
    )
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school the row belongs to")
    )
    person_id: int | None = Field(
        default=None,
        foreign_key="person.id",
        index=True,
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    identity_id: int | None = Field(
        default=None,
        foreign_key="identity.id",
        sa_column_kwargs=not_personal("an identity's internal identifier (the name is in identity)"),
    )  # a digest's administrator
    campaign_id: int | None = Field(
        default=None, foreign_key="campaign.id", sa_column_kwargs=not_personal("a campaign row")
    )
    kind: str = Field(
        max_length=10, sa_column_kwargs=not_personal("the kind of notice (opening, reminder, overdue, digest)")
    )
    step: int = Field(
        default=0, sa_column_kwargs=not_personal("a reminder's step of the schedule or a digest's week")
    )  # a reminder's step of the schedule (1, 2…); a digest's ISO week (YYYYWW); else 0
    template: str = Field(max_length=60, sa_column_kwargs=not_personal("the template's name"))
    language: str = Field(max_length=2, sa_column_kwargs=personal(Category.NOTICE))
    recipient: str = Field(max_length=320, sa_column_kwargs=personal(Category.NOTICE))
    subject: str = Field(max_length=300, sa_column_kwargs=personal(Category.NOTICE))
    body: str = Field(sa_type=sa.Text, sa_column_kwargs=personal(Category.NOTICE))
    status: str = Field(default="queued", max_length=10, sa_column_kwargs=personal(Category.NOTICE))
    attempts: int = Field(default=0, sa_column_kwargs=not_personal("how many sending attempts"))
    smtp_code: int | None = Field(
        default=None, sa_column_kwargs=not_personal("the SMTP server's numeric answer")
    )  # the SMTP server's last answer (None: no answer, e.g. unreachable)
    smtp_answer: str | None = Field(default=None, sa_type=sa.Text, sa_column_kwargs=personal(Category.NOTICE))
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    last_attempt_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    sent_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.NOTICE)
    )  # sent, or kept in the outbox


class NoticeSchedule(SQLModel, table=True):
    """A school's reminder schedule from ``recorded_at`` (append-only: the latest row is in force;
    none: GOVKIT_REMINDER_DAYS and digests on)."""

    __tablename__ = "notice_schedule"

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    reminder_days: list[Any] = Field(
        sa_type=JSONType, sa_column_kwargs=not_personal("a school's reminder schedule")
    )  # days after the opening, ascending: [7, 14, 28]
    digest: bool = Field(default=True, sa_column_kwargs=not_personal("a school's reminder schedule"))
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
