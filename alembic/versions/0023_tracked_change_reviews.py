"""tracked change reviews: uploads with tracked changes, reviewed clause by clause

Revision ID: 0023
Revises: 0022

- tracked_change_review: one upload of a root template (``root_template_id``) that carried tracked
  changes (Word's w:ins / w:del): its bytes (``sha256``, a blob) and ``filename``; ``clauses``, the
  insertions and deletions of each clause as JSON (govkit.documents.tracked.ClauseChanges: key,
  part, changes with their author and date, the changed paragraphs); ``report``, its validation
  report (the guard, the sandbox's checks of every changed tag, the validation of the document with
  every change accepted); who uploaded it and when; ``status`` open, accepted or refused, decided
  once (``decided_at``, ``decided_by``): accepted, ``draft_version_id`` is the unpublished root
  template version made with every change applied; refused, ``reason`` says why.

Down: the table is dropped: the reviews still open are lost (their uploads stay stored as blobs, and
the draft versions made from accepted ones stay as any version).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracked_change_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_template_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column(
            "clauses", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "report", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("uploaded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("decided_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("draft_version_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'accepted', 'refused')", name=op.f("ck_tracked_change_review_status")),
        sa.ForeignKeyConstraint(
            ["root_template_id"],
            ["root_template.id"],
            name=op.f("fk_tracked_change_review_root_template_id_root_template"),
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"], name=op.f("fk_tracked_change_review_sha256_blob")),
        sa.ForeignKeyConstraint(
            ["draft_version_id"],
            ["root_template_version.id"],
            name=op.f("fk_tracked_change_review_draft_version_id_root_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_change_review")),
    )
    with op.batch_alter_table("tracked_change_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_change_review_root_template_id"), ["root_template_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tracked_change_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_change_review_root_template_id"))
    op.drop_table("tracked_change_review")
