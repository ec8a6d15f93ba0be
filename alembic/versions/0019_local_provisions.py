"""local provisions: a school's own text at the provision places of its documents

Revision ID: 0019
Revises: 0018

- local_provision: one school's (``organisation_id``) provision at one place (``place``, a key of
  the kind's ``provision_places`` in kinds.yaml) of one document kind (``kind``); one row per
  school, kind and place, created with the first proposal (``created_at``, ``created_by``).
- local_provision_revision: each text proposed for it by the school's administration, numbered
  from 1 (``number``): ``text_fr`` and ``text_en`` (plain paragraphs, one per line), who proposed
  it and when (``proposed_by``, ``proposed_at``), and legal staff's decision: ``decision``
  (NULL while it awaits review, ``approved`` or ``sent_back``), ``decided_by``, ``decided_at`` and
  their ``comment`` (required to send back). The latest approved revision is what the school's
  next variants print at that place.

Down: both tables are dropped: the provisions proposed and the decisions on them are lost (the
variants already rendered and the documents in force keep the text they were rendered with; the
audit log keeps who proposed and who decided, and when).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_provision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_local_provision_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_provision")),
        sa.UniqueConstraint(
            "organisation_id", "kind", "place", name=op.f("uq_local_provision_organisation_id_kind_place")
        ),
    )
    op.create_table(
        "local_provision_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provision_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("proposed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("proposed_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("decided_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('approved', 'sent_back')",
            name=op.f("ck_local_provision_revision_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["provision_id"],
            ["local_provision.id"],
            name=op.f("fk_local_provision_revision_provision_id_local_provision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_provision_revision")),
        sa.UniqueConstraint("provision_id", "number", name=op.f("uq_local_provision_revision_provision_id_number")),
    )


def downgrade() -> None:
    op.drop_table("local_provision_revision")
    op.drop_table("local_provision")
