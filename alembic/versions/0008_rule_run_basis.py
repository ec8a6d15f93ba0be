"""rule runs have a date basis: current, or as of a past date (and as known at a moment), and name
the organisations they evaluated

Revision ID: 0008
Revises: 0007

A run evaluated as of a past date (``basis = 'as_of'``, with ``known_at`` when it asked what govkit
knew at a moment) is kept apart from the current runs: the latest *current* run is the one the
dashboards, ``findings`` without a date and ``govkit check`` show, and new/open/resolved compares a
run with the previous run of the same basis (and, for ``as_of`` runs, the same date). Every existing
run evaluated as of a day before the one it ran on becomes ``as_of``; the others stay ``current``.
``schools``: the codes of the organisations a run evaluated (NULL: every one), so that a run of
some schools answers for them only.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rule_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=8), server_default="current", nullable=False)
        )
        batch_op.add_column(sa.Column("known_at", govkit.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "schools", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
            )
        )
        batch_op.create_check_constraint(op.f("ck_rule_run_basis"), "basis IN ('current', 'as_of')")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE rule_run SET basis = 'as_of' WHERE as_of < date(ran_at)")
    else:
        op.execute("UPDATE rule_run SET basis = 'as_of' WHERE as_of < CAST(ran_at AT TIME ZONE 'UTC' AS DATE)")


def downgrade() -> None:
    with op.batch_alter_table("rule_run", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_rule_run_basis"), type_="check")
        batch_op.drop_column("schools")
        batch_op.drop_column("known_at")
        batch_op.drop_column("basis")
