"""e-mail notices to persons (opening, reminders, overdue), digests to school administrations, the reminder schedule per school

Revision ID: 0012
Revises: 0011

- notice_message: one e-mail notice (govkit.notifications): to a person (``person_id``) about a
  campaign (``campaign_id``), or a digest to a school administrator (``identity_id``); its ``kind``
  (opening, reminder, overdue, digest), ``step`` (a reminder's step of the schedule, a digest's ISO
  week as YYYYWW, else 0), the ``template`` and ``language`` it was rendered from, the ``recipient``
  address, ``subject`` and ``body``; its ``status`` (queued, sent, failed, kept in the local outbox),
  ``attempts``, the SMTP server's last answer (``smtp_code``, ``smtp_answer``), ``created_at``,
  ``last_attempt_at`` and ``sent_at``. ``key`` is unique: the same notice is never created twice
  (``opening:<campaign>:<person>``, ``reminder:<campaign>:<person>:<step>``…).
- notice_schedule: a school's reminder schedule (``reminder_days``, JSON list of days after the
  opening, ascending; ``digest`` on or off) from ``recorded_at``, by ``recorded_by``; append-only,
  the latest row of a school is in force (none: GOVKIT_REMINDER_DAYS, digests on).

Down: both tables are dropped: the record of the notices sent (to whom, when, the SMTP answers)
and the schools' schedules are lost; the next upgrade would notify every pending person again.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KINDS = "'opening', 'reminder', 'overdue', 'digest'"
STATUSES = "'queued', 'sent', 'failed', 'kept'"


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "notice_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("smtp_answer", sa.Text(), nullable=True),
        sa.Column("created_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notice_message_kind")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_notice_message_status")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_notice_message_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], name=op.f("fk_notice_message_identity_id_identity")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_notice_message_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_notice_message_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_message")),
        sa.UniqueConstraint("key", name=op.f("uq_notice_message_key")),
    )
    with op.batch_alter_table("notice_message", schema=None) as batch_op:
        batch_op.create_index("ix_notice_message_campaign_person", ["campaign_id", "person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_message_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_notice_message_school_status", ["organisation_id", "status", "id"], unique=False)
    op.create_table(
        "notice_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reminder_days", json_type, nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_notice_schedule_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_schedule")),
    )
    with op.batch_alter_table("notice_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_schedule_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_schedule_organisation_id"))
    op.drop_table("notice_schedule")
    with op.batch_alter_table("notice_message", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_message_school_status")
        batch_op.drop_index(batch_op.f("ix_notice_message_person_id"))
        batch_op.drop_index("ix_notice_message_campaign_person")
    op.drop_table("notice_message")
