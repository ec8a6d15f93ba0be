"""signed, timestamped checkpoints of the acknowledgement chain

Revision ID: 0017
Revises: 0016

- chain_checkpoint: one checkpoint of the acknowledgement chain (govkit.checkpoints): its first
  ``record_count`` records end at ``head_hash`` (record ``last_record_id``; NULL for an empty
  chain) at ``made_at`` (UTC); ``trigger`` schedule (the daily job) or demand (``requested_by``,
  who asked: never published); ``body``, the canonical JSON that was signed (format
  govkit-chain-checkpoint/1: counts, ids, hashes, times) and its ``body_sha256``; ``signature``,
  the detached CMS signature (DER) of the body by govkit's sealing identity, whose ``certificate``
  (PEM) it was; ``timestamp_token``, the RFC 3161 token over the body's SHA-256 when a
  time-stamping authority was configured, its time ``timestamped_at`` and the authority's URL
  ``timestamp_authority``.
- checkpoint_sending: one attempt at e-mailing a checkpoint to one ``recipient`` (GOVKIT_CHECKPOINT_RECIPIENTS):
  ``attempted_at``, ``status`` (sent, kept in the local outbox without SMTP, refused, failed) and
  the SMTP server's answer (``smtp_code``, ``smtp_answer``).

Both tables are append-only, as the acknowledgements are: triggers refuse every UPDATE and DELETE
(on SQLite, RAISE(ABORT); on PostgreSQL, one plpgsql function per table).

Down: the triggers and both tables are dropped: the checkpoints kept by govkit and the record of
their sendings are lost. The copies already e-mailed or downloaded stay valid and verifiable
against the chain (`govkit audit verify --checkpoint FILE` on a database upgraded again).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("chain_checkpoint", "checkpoint_sending")


def _append_only() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
                )
            continue
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{table} rows are append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )


def _drop_append_only() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")


def upgrade() -> None:
    op.create_table(
        "chain_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.Column("last_record_id", sa.BigInteger(), nullable=True),
        sa.Column("head_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("made_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("timestamp_token", sa.LargeBinary(), nullable=True),
        sa.Column("timestamped_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("timestamp_authority", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.CheckConstraint("record_count >= 0", name=op.f("ck_chain_checkpoint_record_count")),
        sa.CheckConstraint("trigger IN ('schedule', 'demand')", name=op.f("ck_chain_checkpoint_trigger")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_checkpoint")),
    )
    with op.batch_alter_table("chain_checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_checkpoint_made_at"), ["made_at"], unique=False)
    op.create_table(
        "checkpoint_sending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("attempted_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("smtp_answer", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('sent', 'kept', 'refused', 'failed')", name=op.f("ck_checkpoint_sending_status")
        ),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["chain_checkpoint.id"],
            name=op.f("fk_checkpoint_sending_checkpoint_id_chain_checkpoint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_sending")),
    )
    with op.batch_alter_table("checkpoint_sending", schema=None) as batch_op:
        batch_op.create_index("ix_checkpoint_sending_checkpoint", ["checkpoint_id", "recipient"], unique=False)
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("checkpoint_sending", schema=None) as batch_op:
        batch_op.drop_index("ix_checkpoint_sending_checkpoint")
    op.drop_table("checkpoint_sending")
    with op.batch_alter_table("chain_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_checkpoint_made_at"))
    op.drop_table("chain_checkpoint")
