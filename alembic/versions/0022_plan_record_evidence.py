"""evidence files of commitment records (issue 19, the plan's records in the pages)

Revision ID: 0022
Revises: 0021

- commitment_evidence: a file that evidences a commitment record (a signed equality charter, a
  convention with a provider: PDF only, checked by its magic number and size,
  GOVKIT_COMMITMENT_EVIDENCE_MAX_BYTES). Its bytes are stored once by SHA-256 in ``blob`` (the
  store of every document: one store, one backup); the row links them to one ``commitment``
  record with the file's name as uploaded (``filename``), its ``media_type`` and ``size``, and who
  added it and when (``recorded_by``, ``recorded_at``). One file once per record
  (``commitment_id``, ``sha256`` unique). Rows are never changed: a correction of the record is a
  new record with links of its own (govkit.flows.commitment_evidence).

Down: the table is dropped (the links are lost; the files' bytes stay in ``blob``).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitment_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_commitment_evidence_size")),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitment.id"], name=op.f("fk_commitment_evidence_commitment_id_commitment")
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"], name=op.f("fk_commitment_evidence_sha256_blob")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_evidence")),
        sa.UniqueConstraint("commitment_id", "sha256", name=op.f("uq_commitment_evidence_commitment_id_sha256")),
    )
    with op.batch_alter_table("commitment_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_evidence_commitment_id"), ["commitment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_evidence_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commitment_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_evidence_sha256"))
        batch_op.drop_index(batch_op.f("ix_commitment_evidence_commitment_id"))
    op.drop_table("commitment_evidence")
