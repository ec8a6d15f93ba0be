"""sealed PDF receipts (PAdES) and their sealing status

Revision ID: 0016
Revises: 0015

- sealed_receipt: the PDF/A receipt of one acknowledgement, sealed by the sealing job
  (govkit.acknowledgements.sealing), one row per acknowledgement (its id is the key; no row: being
  sealed). ``status`` is ``sealed``, ``unsealed`` (no sealing identity configured: the PDF is kept
  as it is and sealed once one is) or ``failed`` (``error``; retried up to a few ``attempts``). The
  PDF's bytes and their SHA-256 are in the row, not in the immutable ``blob`` table, because they
  hold personal data: erasing an acknowledgement's personal data deletes its row. ``signer`` and
  ``sealed_at`` are the seal's certificate subject and signing time; ``timestamp_time`` and
  ``tsa_name`` those of its RFC 3161 time-stamp (NULL without a TSA); ``chain_count`` the chain's
  length stated in the receipt.

Existing acknowledgements get no row: the sealing job (every minute on PostgreSQL, or on demand)
seals them all, oldest first.

Down: the table is dropped (the sealed PDFs are lost; they can be made again, with a new seal).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_receipt",
        sa.Column("acknowledgement_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("signer", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("sealed_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("timestamp_time", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tsa_name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("chain_count", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('sealed', 'unsealed', 'failed')", name=op.f("ck_sealed_receipt_status")),
        sa.ForeignKeyConstraint(
            ["acknowledgement_id"],
            ["acknowledgement.id"],
            name=op.f("fk_sealed_receipt_acknowledgement_id_acknowledgement"),
        ),
        sa.PrimaryKeyConstraint("acknowledgement_id", name=op.f("pk_sealed_receipt")),
    )


def downgrade() -> None:
    op.drop_table("sealed_receipt")
