"""shared, group-level and external arrangements: how a commitment is held, and which organisations it serves

Revision ID: 0009
Revises: 0008

- commitment: ``how`` (own | shared | group | external; NOT NULL, 'own' for every existing record),
  ``provider`` (an external provider under a convention) and ``capacity`` (JSON: e.g.
  ``{"time_share_percent": 20}`` or ``{"members": 8}``: one capacity for every school served).
- arrangement_member: the periods during which an organisation is served by an arrangement
  (``role`` member) or has opted out of it (``role`` opted_out), bitemporal as person_population
  (0007): valid from ``valid_from`` (with its precision; NULL: unknown) to ``valid_to`` (exclusive;
  NULL: open), recorded at ``recorded_at`` by ``recorded_by``, closed at ``ended_recorded_at``.

Down: the table and the columns are dropped (what they said is lost).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PRECISIONS = "'day', 'month', 'year', 'academic_year'"
HOWS = "'own', 'shared', 'group', 'external'"


def upgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("how", sqlmodel.sql.sqltypes.AutoString(length=10), server_default="own", nullable=False)
        )
        batch_op.add_column(sa.Column("provider", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "capacity",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(op.f("ck_commitment_how"), f"how IN ({HOWS})")

    op.create_table(
        "arrangement_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_from_precision", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("date_source", sa.Text(), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ended_recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('member', 'opted_out')", name=op.f("ck_arrangement_member_role")),
        sa.CheckConstraint(
            f"valid_from_precision IS NULL OR valid_from_precision IN ({PRECISIONS})",
            name=op.f("ck_arrangement_member_valid_from_precision"),
        ),
        sa.CheckConstraint(
            "(valid_to IS NULL) = (ended_recorded_at IS NULL)", name=op.f("ck_arrangement_member_ended")
        ),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to",
            name=op.f("ck_arrangement_member_period"),
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitment.id"], name=op.f("fk_arrangement_member_commitment_id_commitment")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_arrangement_member_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangement_member")),
    )
    with op.batch_alter_table("arrangement_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arrangement_member_commitment_id"), ["commitment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_arrangement_member_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("arrangement_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arrangement_member_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_arrangement_member_commitment_id"))
    op.drop_table("arrangement_member")
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_commitment_how"), type_="check")
        batch_op.drop_column("capacity")
        batch_op.drop_column("provider")
        batch_op.drop_column("how")
