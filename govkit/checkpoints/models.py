"""Tables of the chain checkpoints and of their sendings by e-mail; both append-only (triggers of
migration 0017 refuse updates and deletions)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

TRIGGERS = "'schedule', 'demand'"
SENDING_STATUSES = "'sent', 'kept', 'refused', 'failed'"


class ChainCheckpoint(SQLModel, table=True):
    """A signed (and, with a time-stamping authority, timestamped) statement of the acknowledgement
    chain at ``made_at``: its first ``record_count`` records end at ``head_hash`` (record
    ``last_record_id``). ``body`` is the canonical JSON that was signed (govkit.checkpoints.file);
    ``signature`` the detached CMS signature of its bytes by govkit's sealing identity, whose
    certificate is ``certificate`` (PEM); ``timestamp_token`` the RFC 3161 token over the body's
    SHA-256 (``body_sha256``), of ``timestamped_at``, from ``timestamp_authority``.

    ``trigger``: ``schedule`` (the daily job) or ``demand`` (``requested_by``: who asked). Who asked
    is kept here only, never in the published file.
    """

    __tablename__ = "chain_checkpoint"
    __table_args__ = (
        sa.CheckConstraint(f"trigger IN ({TRIGGERS})", name="trigger"),
        sa.CheckConstraint("record_count >= 0", name="record_count"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    record_count: int = Field(
        sa_type=sa.BigInteger,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    last_record_id: int | None = Field(
        default=None,
        sa_type=sa.BigInteger,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    head_hash: str = Field(
        max_length=64,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    made_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, index=True, sa_column_kwargs=not_personal("a time of the row")
    )
    trigger: str = Field(
        max_length=10,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    requested_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    body: str = Field(
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    body_sha256: str = Field(
        max_length=64,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    signature: bytes = Field(
        sa_type=sa.LargeBinary,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    certificate: str = Field(
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    timestamp_token: bytes | None = Field(
        default=None,
        sa_type=sa.LargeBinary,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )
    timestamped_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    timestamp_authority: str | None = Field(
        default=None,
        max_length=500,
        sa_column_kwargs=not_personal(
            "a checkpoint of the acknowledgement chain: counts, hashes, signatures and times only"
        ),
    )


class CheckpointSending(SQLModel, table=True):
    """One attempt at e-mailing a checkpoint file to one recipient: when, and what came of it —
    ``sent`` (the SMTP server's 2xx answer), ``kept`` (no SMTP server: kept in the local outbox),
    ``refused`` (5xx: not tried again), ``failed`` (no answer or 4xx: tried again by the job)."""

    __tablename__ = "checkpoint_sending"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({SENDING_STATUSES})", name="status"),
        sa.Index("ix_checkpoint_sending_checkpoint", "checkpoint_id", "recipient"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    checkpoint_id: int = Field(
        foreign_key="chain_checkpoint.id", sa_column_kwargs=not_personal("a chain_checkpoint row")
    )
    recipient: str = Field(
        max_length=320, sa_column_kwargs=not_personal("an office's mailbox set in GOVKIT_CHECKPOINT_RECIPIENTS")
    )
    attempted_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    status: str = Field(
        max_length=10,
        sa_column_kwargs=not_personal("the sending of a checkpoint file: status and the SMTP server's answer"),
    )
    smtp_code: int | None = Field(
        default=None,
        sa_column_kwargs=not_personal("the sending of a checkpoint file: status and the SMTP server's answer"),
    )
    smtp_answer: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("the sending of a checkpoint file: status and the SMTP server's answer"),
    )
