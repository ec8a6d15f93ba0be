"""own data and corrections: correction requests (GDPR art. 16) and their notices

Revision ID: 0026
Revises: 0025

- correction_request: a person (``person_id``) asks the administration of their school
  (``organisation_id``) to correct their data: ``section`` (a section of their own-data export),
  ``field`` and ``requested_text``, ``requested_at``; ``status`` open, then done or refused once
  (``decided_at``, ``decided_by``, ``note``: what was done, or why it was refused).
- notice_message.kind may be ``correction``: the e-mail to the school's administration about a
  request, and the one telling the person of the decision.

Down: the table is dropped (the requests are lost; their audit events stay); the notices of kind
``correction`` are deleted before the kind's constraint is narrowed again.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

KINDS = "'opening', 'reminder', 'overdue', 'digest'"


def upgrade() -> None:
    op.create_table(
        "correction_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("requested_text", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("requested_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'done', 'refused')", name=op.f("ck_correction_request_status")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_correction_request_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_correction_request_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_request")),
    )
    with op.batch_alter_table("correction_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_request_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_correction_request_school_status", ["organisation_id", "status", "id"], unique=False
        )
    with op.batch_alter_table("notice_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notice_message_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notice_message_kind"), f"kind IN ({KINDS}, 'correction')")


def downgrade() -> None:
    op.execute("DELETE FROM notice_message WHERE kind = 'correction'")
    with op.batch_alter_table("notice_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notice_message_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notice_message_kind"), f"kind IN ({KINDS})")
    with op.batch_alter_table("correction_request", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_request_school_status")
        batch_op.drop_index(batch_op.f("ix_correction_request_person_id"))
    op.drop_table("correction_request")
