"""PDF/A and HTML renditions of published documents, cached by the source's SHA-256

Revision ID: 0014
Revises: 0013

- document_rendition: one row per stored .docx (``source_sha256``) and ``format`` (pdf | html),
  its primary key. The rendition's bytes are a ``blob`` (``sha256``), stored like every file; the
  row names the ``converter`` (LibreOffice, mammoth) and its ``converter_version``, ``created_at``,
  and for a PDF what the PDF/A check read in it: ``pdfa_part`` and ``pdfa_conformance`` (XMP
  identification), ``output_intent`` (a GTS_PDFA1 output intent with an ICC profile),
  ``fonts_embedded`` and ``fonts`` (JSON list of the embedded fonts' names). Only PDFs that passed
  the check are stored (govkit.documents.renditions).

Down: the table is dropped; the renditions' blobs stay (unreferenced). Nothing is lost that a new
conversion would not make again (`govkit documents convert --all`).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "document_rendition",
        sa.Column("source_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("converter", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("converter_version", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pdfa_part", sa.Integer(), nullable=True),
        sa.Column("pdfa_conformance", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("output_intent", sa.Boolean(), nullable=True),
        sa.Column("fonts_embedded", sa.Boolean(), nullable=True),
        sa.Column("fonts", json_type, nullable=True),
        sa.CheckConstraint("format IN ('pdf', 'html')", name=op.f("ck_document_rendition_format")),
        sa.ForeignKeyConstraint(
            ["source_sha256"], ["blob.sha256"], name=op.f("fk_document_rendition_source_sha256_blob")
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"], name=op.f("fk_document_rendition_sha256_blob")),
        sa.PrimaryKeyConstraint("source_sha256", "format", name=op.f("pk_document_rendition")),
    )


def downgrade() -> None:
    op.drop_table("document_rendition")
