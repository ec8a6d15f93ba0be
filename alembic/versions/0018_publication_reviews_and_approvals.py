"""publication reviews and approvals (four eyes)

Revision ID: 0018
Revises: 0017

- approval: one request for a second legal officer's approval (govkit.approvals) of ``action`` (e.g.
  root_template_version.publish) on ``target`` (e.g. root_template_version:12), with a ``summary``
  for people and the ``payload`` its carrying out needs; ``status`` pending, approved or refused;
  who asked (``requester``, the subject compared so that nobody approves their own request, and
  ``requested_by``, the name shown) and when, who decided (``decider``, ``decided_by``) and when,
  the decider's ``comment`` (required to refuse), and the ``outcome`` of the approved action (ids).

- publication_review: the review opened when a root template version is published (one per
  version: ``root_template_version_id``, its ``kind``, ``language``, ``change_kind``), who opened it
  (``opened_by``: the publisher, or the requester once approved) and when, and the ``approval_id``
  that let it be published (four eyes; NULL when none was needed).
- publication_review_school: one school of a review (unique per review and organisation):
  ``status`` pending (its render job has not run), ready (``variant_id``), failed (``message``, and
  the profile values ``missing``), in_force (``document_version_id`` put in force from
  ``effective_from`` by ``put_in_force_by`` at ``put_in_force_at``); ``rendered_at``.

Down: the three tables are dropped: the record of who asked for and who gave the approvals, and the
reviews' per-school outcomes, are lost (the audit log keeps each mutation's caller and time; the
root template versions, variants and document versions stay).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("requester", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("requested_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decider", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("decided_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("outcome", JSON, nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f("ck_approval_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval")),
    )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.create_index("ix_approval_status", ["status", "requested_at"], unique=False)
        batch_op.create_index("ix_approval_target", ["target", "action"], unique=False)


    op.create_table(
        "publication_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_template_version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("change_kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("opened_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("opened_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["approval_id"], ["approval.id"], name=op.f("fk_publication_review_approval_id_approval")),
        sa.ForeignKeyConstraint(
            ["root_template_version_id"],
            ["root_template_version.id"],
            name=op.f("fk_publication_review_root_template_version_id_root_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_review")),
        sa.UniqueConstraint("root_template_version_id", name=op.f("uq_publication_review_root_template_version_id")),
    )
    op.create_table(
        "publication_review_school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("school", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("missing", JSON, nullable=False),
        sa.Column("rendered_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("document_version_id", sa.Integer(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("put_in_force_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("put_in_force_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'ready', 'failed', 'in_force')", name=op.f("ck_publication_review_school_status")
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_publication_review_school_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_publication_review_school_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["publication_review.id"], name=op.f("fk_publication_review_school_review_id_publication_review")
        ),
        sa.ForeignKeyConstraint(["variant_id"], ["variant.id"], name=op.f("fk_publication_review_school_variant_id_variant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_review_school")),
        sa.UniqueConstraint("review_id", "organisation_id", name="uq_publication_review_school"),
    )


def downgrade() -> None:
    op.drop_table("publication_review_school")
    op.drop_table("publication_review")
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_target")
        batch_op.drop_index("ix_approval_status")
    op.drop_table("approval")
