"""retention and legal holds

Revision ID: 0024
Revises: 0023

- ``person.erased_at``, ``person.erased_under``: when a person's personal data were erased and
  under which rule (govkit.flows.retention: ``retention.departed``, a departure older than
  GOVKIT_RETENTION_DEPARTED_YEARS). The erased row keeps its id, school, status and dates; its
  names, e-mail and residence are emptied and its external id becomes ``erased-<id>`` (so the
  unique constraint on school and external id still holds).
- ``legal_hold``: legal staff suspend the erasure of one person during a case, with a reason
  (``placed_at``, ``placed_by``); released (``released_at``, ``released_by``: both or neither);
  at most one open hold per person (a partial unique index). Never deleted.
- The audit log's append-only trigger is made again so that it allows exactly one update: the
  erasure of values of an event's ``target`` that identified an erased person (each value either
  unchanged or the string ``[erased]``, the same keys, every other column unchanged). Deletes and
  any other update are still refused. (The acknowledgement trigger of revision 0015 already allows
  the erasure of a record's personal fields to NULL.)

Down: the trigger goes back to refusing every update, ``legal_hold`` is dropped (the holds and
their reasons are lost) and the two columns are dropped (the persons already erased stay erased:
their data are gone).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

#: What an erased value of an audit event's target becomes.
ERASED = "[erased]"
FROZEN = ("id", "at", "correlation_id", "subject", "role", "organisation", "action", "outcome", "detail", "client_ip")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_audit_trigger() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


def _audit_trigger(*, erasable: bool) -> None:
    """The audit log's append-only triggers; ``erasable``: with the one erasure update allowed."""
    if _sqlite():
        kept = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in FROZEN)
        erasure = (
            f"{kept} AND json_type(OLD.target) = 'object' AND json_type(NEW.target) = 'object' "
            "AND (SELECT count(*) FROM json_each(OLD.target)) = (SELECT count(*) FROM json_each(NEW.target)) "
            "AND NOT EXISTS (SELECT 1 FROM json_each(NEW.target) AS n WHERE NOT EXISTS ("
            "SELECT 1 FROM json_each(OLD.target) AS o WHERE o.key = n.key "
            f"AND (o.value IS n.value OR (n.type = 'text' AND n.value = '{ERASED}'))))"
        )
        when = f" WHEN NOT ({erasure})" if erasable else ""
        op.execute(
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event{when} "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
        return
    if erasable:
        kept = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in FROZEN)
        body = (
            "IF TG_OP = 'UPDATE' AND "
            f"{kept} AND jsonb_typeof(OLD.target) = 'object' AND jsonb_typeof(NEW.target) = 'object' "
            "AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(OLD.target) AS k) "
            "IS NOT DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(NEW.target) AS k) "
            "AND NOT EXISTS (SELECT 1 FROM jsonb_each(NEW.target) AS n "
            f"WHERE n.value <> OLD.target -> n.key AND n.value <> to_jsonb('{ERASED}'::text)) "
            "THEN RETURN NEW; END IF; "
        )
    else:
        body = ""
    op.execute(
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{body}RAISE EXCEPTION 'the audit log is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    )


def upgrade() -> None:
    # plain ALTER TABLE on both databases: a batch would rebuild ``person`` on SQLite, which the
    # rows referencing it (acknowledgements…) forbid
    op.add_column("person", sa.Column("erased_at", govkit.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column("person", sa.Column("erased_under", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("released_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.CheckConstraint("(released_at IS NULL) = (released_by IS NULL)", name=op.f("ck_legal_hold_released")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_legal_hold_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_hold_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_legal_hold_open",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("released_at IS NULL"),
            postgresql_where=sa.text("released_at IS NULL"),
        )
    _drop_audit_trigger()
    _audit_trigger(erasable=True)


def downgrade() -> None:
    _drop_audit_trigger()
    _audit_trigger(erasable=False)
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index("uq_legal_hold_open")
        batch_op.drop_index(batch_op.f("ix_legal_hold_person_id"))
    op.drop_table("legal_hold")
    for column in ("erased_under", "erased_at"):
        if _sqlite():  # SQLite 3.35+ drops a column in place (no rebuild: see upgrade)
            op.execute(f"ALTER TABLE person DROP COLUMN {column}")
        else:
            op.drop_column("person", column)
