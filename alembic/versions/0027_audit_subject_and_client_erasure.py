"""audit log: subjects and client data erasable

Revision ID: 0027
Revises: 0026

The audit log's append-only trigger (revision 0024) allowed one update, the erasure of a target's
values naming an erased person. It now also allows, in the same single update or another:

- ``subject`` becoming ``erased:<...>``: an erased person's identity subject (an identity
  provider's ``sub``, which the school's directory can link back to them) is replaced in the
  events they caused by a value made of the identity's id (govkit.flows.retention);
- ``client_ip`` becoming NULL: the IP address of an event older than GOVKIT_CLIENT_DATA_RETENTION_DAYS,
  as the register of processing says (govkit.flows.retention, the daily run).

Every other column stays frozen, deletes are refused; a target's values may only become
``[erased]``, with the same keys.

Down: the trigger of revision 0024 (subjects and IP addresses frozen again; those erased stay erased).
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

ERASED = "[erased]"
#: The columns no update may change (``subject`` and ``client_ip`` only as said above).
FROZEN = ("id", "at", "correlation_id", "role", "organisation", "action", "outcome", "detail")
#: Revision 0024's: subject and client_ip frozen too.
FROZEN_0024 = (*FROZEN, "subject", "client_ip")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


def _create(*, frozen: tuple[str, ...], erasable_identity: bool) -> None:
    """The append-only triggers allowing the target's erasure, and with ``erasable_identity`` that
    of ``subject`` (to ``erased:...``) and ``client_ip`` (to NULL)."""
    if _sqlite():
        kept = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in frozen)
        if erasable_identity:
            kept += (
                " AND (NEW.subject IS OLD.subject OR NEW.subject LIKE 'erased:%')"
                " AND (NEW.client_ip IS OLD.client_ip OR NEW.client_ip IS NULL)"
            )
        erasure = (
            f"{kept} AND json_type(OLD.target) = 'object' AND json_type(NEW.target) = 'object' "
            "AND (SELECT count(*) FROM json_each(OLD.target)) = (SELECT count(*) FROM json_each(NEW.target)) "
            "AND NOT EXISTS (SELECT 1 FROM json_each(NEW.target) AS n WHERE NOT EXISTS ("
            "SELECT 1 FROM json_each(OLD.target) AS o WHERE o.key = n.key "
            f"AND (o.value IS n.value OR (n.type = 'text' AND n.value = '{ERASED}'))))"
        )
        op.execute(
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event WHEN NOT ({erasure}) "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
        return
    kept = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in frozen)
    if erasable_identity:
        kept += (
            " AND (NEW.subject IS NOT DISTINCT FROM OLD.subject OR NEW.subject LIKE 'erased:%')"
            " AND (NEW.client_ip IS NOT DISTINCT FROM OLD.client_ip OR NEW.client_ip IS NULL)"
        )
    body = (
        "IF TG_OP = 'UPDATE' AND "
        f"{kept} AND jsonb_typeof(OLD.target) = 'object' AND jsonb_typeof(NEW.target) = 'object' "
        "AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(OLD.target) AS k) "
        "IS NOT DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(NEW.target) AS k) "
        "AND NOT EXISTS (SELECT 1 FROM jsonb_each(NEW.target) AS n "
        f"WHERE n.value <> OLD.target -> n.key AND n.value <> to_jsonb('{ERASED}'::text)) "
        "THEN RETURN NEW; END IF; "
    )
    op.execute(
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{body}RAISE EXCEPTION 'the audit log is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    )


def upgrade() -> None:
    _drop()
    _create(frozen=FROZEN, erasable_identity=True)


def downgrade() -> None:
    _drop()
    _create(frozen=FROZEN_0024, erasable_identity=False)
