"""rule parameters: value history with sources, changed by legal staff from a date

Revision ID: 0011
Revises: 0010

- rule_parameter_value: a value of a rule's parameter (its deadline, a threshold, a delay, its
  populations: govkit.rules.parameters) valid from ``valid_from``, with its ``source`` (JSON:
  ``{kind: plan|law|default, text[, article]}``), the ``reason`` of the change, recorded at
  ``recorded_at`` by ``recorded_by``. Append-only: the value on a day is the latest valid by then.
- rule_run.parameters (JSON, nullable): each rule the run evaluated with its parameters on the day
  ``{rule_id: [{name, value, source, valid_from}]}``, stored once per run rather than in each finding's
  evidence; NULL for the runs stored before.

Down: the table and the column are dropped (the rule files' values apply again; the history is lost).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "rule_parameter_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", json_type, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", json_type, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_parameter_value")),
    )
    with op.batch_alter_table("rule_parameter_value", schema=None) as batch_op:
        batch_op.create_index("ix_rule_parameter_value_rule_name", ["rule_id", "name", "valid_from"], unique=False)
    with op.batch_alter_table("rule_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parameters", json_type, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rule_run", schema=None) as batch_op:
        batch_op.drop_column("parameters")
    with op.batch_alter_table("rule_parameter_value", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_parameter_value_rule_name")
    op.drop_table("rule_parameter_value")
