"""jobs: procrastinate's schema (PostgreSQL only) and govkit's job tables (both databases)

Revision ID: 0006
Revises: 0005

procrastinate 3.10.0's schema is applied from a copy pinned beside this revision,
``0006_procrastinate_3.10.0_schema.sql`` (byte for byte the ``procrastinate/sql/schema.sql`` of
that release; tests/system/test_pinned_internals.py fails when the installed procrastinate ships another
one). Reading the installed package instead would make this revision mean something else after
an upgrade.

Upgrading procrastinate later: procrastinate ships, in ``procrastinate/sql/migrations/``, one SQL
file per schema change (``<version>_<nn>_pre_<name>.sql`` to apply before deploying the new code,
``..._post_...`` after). For each release between the pinned one and the new one, add a govkit
revision (0007_procrastinate_3_11 …) that runs those files, copied beside it the same way, in
their order: the pre files in one revision deployed first, the post files in the next. Then
update the pin in pyproject.toml and the copy the test compares against.

Down: procrastinate's tables, functions and types are dropped (PostgreSQL), then govkit's tables.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import govkit.db
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PROCRASTINATE_SCHEMA = Path(__file__).with_name("0006_procrastinate_3.10.0_schema.sql")

# govkit looks for a queued job by key (procrastinate's ``lock`` column) before deferring one.
TODO_LOCK_INDEX = (
    "CREATE INDEX govkit_procrastinate_jobs_todo_lock_idx ON procrastinate_jobs (lock) WHERE status = 'todo'"
)

DROP_PROCRASTINATE = r"""
DO $$
DECLARE
    f record;
BEGIN
    DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
        procrastinate_workers CASCADE;
    FOR f IN
        SELECT p.oid::regprocedure AS signature
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname LIKE 'procrastinate\_%' AND n.nspname = current_schema()
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || f.signature || ' CASCADE';
    END LOOP;
    DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
        procrastinate_job_status CASCADE;
END;
$$;
"""


def _script(sql: str) -> None:
    """Run a whole SQL script in the migration's transaction (the driver's own cursor: no
    placeholders, several statements)."""
    dbapi_connection = op.get_bind().connection.dbapi_connection
    assert dbapi_connection is not None
    with dbapi_connection.cursor() as cursor:
        cursor.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _script(PROCRASTINATE_SCHEMA.read_text(encoding="utf-8"))
        op.execute(TODO_LOCK_INDEX)

    op.create_table(
        "inprocess_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("queue", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column(
            "args", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("runner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f("ck_inprocess_job_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inprocess_job")),
    )
    with op.batch_alter_table("inprocess_job", schema=None) as batch_op:
        batch_op.create_index("ix_inprocess_job_key_status", ["key", "status"], unique=False)
        batch_op.create_index("ix_inprocess_job_status_scheduled_at", ["status", "scheduled_at"], unique=False)

    op.create_table(
        "job_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engine", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("task_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failed_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("engine IN ('procrastinate', 'inprocess')", name=op.f("ck_job_failure_engine")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_failure")),
    )
    with op.batch_alter_table("job_failure", schema=None) as batch_op:
        batch_op.create_index("ix_job_failure_engine_job_id", ["engine", "job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_job_failure_engine_job_id")
    op.drop_table("job_failure")
    with op.batch_alter_table("inprocess_job", schema=None) as batch_op:
        batch_op.drop_index("ix_inprocess_job_status_scheduled_at")
        batch_op.drop_index("ix_inprocess_job_key_status")
    op.drop_table("inprocess_job")
    if op.get_bind().dialect.name == "postgresql":
        _script(DROP_PROCRASTINATE)
