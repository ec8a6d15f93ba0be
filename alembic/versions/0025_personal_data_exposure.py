"""personal data exposure: named scopes of role grants, and the log of reads of persons' data

Revision ID: 0025
Revises: 0024

- role_grant.scopes: the named scopes granted beyond the role, space-separated (``persons:read``: an
  intranet token sees persons' names, e-mails and external ids); existing grants get none.
- person_read: one read of one person's personal data by staff (govkit.privacy.reads): the reader's
  identity subject, role and school, when, the channel (page, graphql, csv, cli), which fields, and
  the request's correlation id.

Down: the table and the column are dropped: the read log is lost (the audit log keeps its
``persons.read`` events), and intranet tokens granted ``persons:read`` lose it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False)
        )
    op.create_table(
        "person_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("read_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reader_subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reader_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("reader_school", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column(
            "fields", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.CheckConstraint("channel IN ('page', 'graphql', 'csv', 'cli')", name=op.f("ck_person_read_channel")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_person_read_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_read")),
    )
    op.create_index("ix_person_read_person_at", "person_read", ["person_id", "read_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_read_person_at", table_name="person_read")
    op.drop_table("person_read")
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_column("scopes")
