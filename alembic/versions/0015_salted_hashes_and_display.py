"""personal data out of the chain (salted hashes, re-chaining) and proof of display (document deliveries)

Revision ID: 0015
Revises: 0014

Personal data out of the acknowledgement chain (version 2 of the chain):

- ``acknowledgement.personal_salt``: each record's own secret salt (32 random bytes, hexadecimal);
  ``wording_sha256``, ``client_sha256`` and the new ``recorded_sha256`` become digests salted by
  it (SHA-256 of the JSON array ``[field, salt, values…]``: govkit.acknowledgements.chain.salted)
  of the wording (which names the person), of the client's IP address and user agent, and of who
  recorded the record and why (``recorded_by``, ``reason``). The record's hash covers the
  non-personal fields as they are and the personal data only through these digests (chain v2,
  genesis "govkit acknowledgement chain v2"). ``wording`` and ``recorded_by`` become nullable.
- The append-only trigger is made again: every column stays frozen but the personal ones
  (``personal_salt``, ``wording``, ``recorded_by``, ``reason``, ``client_ip``, ``user_agent``),
  which may only become NULL (erasure: govkit.acknowledgements.privacy), and a record whose salt is
  erased keeps no personal field. Records are still never deleted.

Proof of display:

- ``document_delivery``: a document version delivered to a person before they acknowledge it —
  opened on their page (``page``), downloaded while signed in (``pdf``, ``docx``), or displayed by
  an intranet that says so with the acknowledgement (``intranet``, named in ``displayed_by``) —
  with its SHA-256 and time; one row per person, version and channel (the first is kept);
  append-only (triggers refuse updates and deletes).
- ``acknowledgement.shown_at``, ``shown_via``: when and how the version was delivered before the
  acknowledgement relied on it; both or neither (a paper visa, a record carried forward, a record
  made before this revision: neither). Both are in the v2 hash (null for the records re-chained).

Re-chaining, and why. Under v1 a record's hash covered the unsalted SHA-256 of its wording, the
client digest salted only by the public verification code, and who recorded it and why in clear:
anyone holding the chain could confirm a guessed name, and erasing those data would break every
hash after them. Re-chaining rewrites the hashes of every record, so it is allowed only while no
copy of the chain lives outside the database — before the first chain checkpoint or sealed receipt
exists. That is true at this revision: checkpoints (0017) and sealed receipts (0016) come after it.

What it does: (1) before any change, it checks the v1 chain as `govkit audit verify` did, and more
(each record's hash and link, the head, the wording against its unsalted digest, the client data
kept against theirs), and refuses to go on if anything is broken — re-chaining would otherwise
launder an alteration; (2) walking the records in id order (chain order), it gives each a new
salt, computes its salted digests (a record whose client data were erased already keeps a
commitment to them: its old client digest, salted again), then its v2 hash from the previous one;
(3) it moves the chain head to the last v2 hash (the v2 genesis hash when there is no record);
(4) it writes the audit event ``chain.rechain`` (records, old and new head).

Downgrade: refused while any acknowledgement exists — going back to v1 would publish unsalted
digests of names again, and records whose personal data were erased since cannot be hashed the v1
way; restore the backup taken before the upgrade instead. On a database without acknowledgements
it drops the columns and restores the v1 trigger and genesis.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import govkit.db
from govkit.errors import Conflict

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

GENESIS_V1 = hashlib.sha256(b"govkit acknowledgement chain v1").hexdigest()
GENESIS_V2 = hashlib.sha256(b"govkit acknowledgement chain v2").hexdigest()

#: What a record's hash covers, in v1 (revision 0003) and in v2 (govkit.acknowledgements.chain.HASHED).
HASHED_V1 = (
    "person_id", "organisation_id", "document_version_id", "campaign_id", "method", "document_sha256",
    "wording_sha256", "acknowledged_at", "auth_method", "recorded_by", "reason", "carried_from_id",
    "client_sha256", "verification_code",
)  # fmt: skip
HASHED_V2 = (
    "person_id", "organisation_id", "document_version_id", "campaign_id", "method", "document_sha256",
    "wording_sha256", "acknowledged_at", "auth_method", "recorded_sha256", "carried_from_id",
    "client_sha256", "verification_code", "shown_at", "shown_via",
)  # fmt: skip
#: The columns erasure may set to NULL (and nothing else): govkit.acknowledgements.chain.PERSONAL.
PERSONAL = ("personal_salt", "wording", "recorded_by", "reason", "client_ip", "user_agent")
#: Every other column of an acknowledgement at this revision: never changed.
FROZEN = (
    "id", "person_id", "organisation_id", "document_version_id", "campaign_id", "method", "document_sha256",
    "wording_sha256", "acknowledged_at", "auth_method", "carried_from_id", "client_sha256", "recorded_sha256",
    "verification_code", "shown_at", "shown_via", "previous_hash", "record_hash",
)  # fmt: skip
CHANNELS = "'page', 'pdf', 'docx', 'intranet'"
#: Revision 0003's frozen columns (for the downgrade).
FROZEN_V1 = (
    "id", "person_id", "organisation_id", "document_version_id", "campaign_id", "method", "document_sha256",
    "wording", "wording_sha256", "acknowledged_at", "auth_method", "recorded_by", "reason", "carried_from_id",
    "client_sha256", "verification_code", "previous_hash", "record_hash",
)  # fmt: skip

_PAGE = 1000


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


# --- the append-only trigger -----------------------------------------------------------------------


def _drop_triggers() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS acknowledgement_append_only")
        op.execute("DROP TRIGGER IF EXISTS acknowledgement_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS acknowledgement_append_only ON acknowledgement")
    op.execute("DROP FUNCTION IF EXISTS acknowledgement_append_only()")


def _create_triggers(frozen: tuple[str, ...], erasable: tuple[str, ...], *, salted: bool) -> None:
    """Records never deleted; ``frozen`` columns never changed; ``erasable`` ones only to NULL (and,
    when ``salted``, a record without its salt keeps none of them)."""
    same = "IS" if _sqlite() else "IS NOT DISTINCT FROM"
    allowed = [f"NEW.{c} {same} OLD.{c}" for c in frozen]
    allowed += [f"(NEW.{c} IS NULL OR NEW.{c} {same} OLD.{c})" for c in erasable]
    if salted:
        others = " AND ".join(f"NEW.{c} IS NULL" for c in erasable if c != "personal_salt")
        allowed.append(f"(NEW.personal_salt IS NOT NULL OR ({others}))")
    condition = " AND ".join(allowed)
    if _sqlite():
        op.execute(
            "CREATE TRIGGER acknowledgement_append_only BEFORE UPDATE ON acknowledgement "
            f"WHEN NOT ({condition}) "
            "BEGIN SELECT RAISE(ABORT, 'acknowledgements are append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER acknowledgement_no_delete BEFORE DELETE ON acknowledgement "
            "BEGIN SELECT RAISE(ABORT, 'acknowledgement records are never deleted'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION acknowledgement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'acknowledgement records are never deleted'; END IF; "
        f"IF NOT ({condition}) THEN RAISE EXCEPTION 'acknowledgements are append-only'; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER acknowledgement_append_only BEFORE UPDATE OR DELETE ON acknowledgement "
        "FOR EACH ROW EXECUTE FUNCTION acknowledgement_append_only()"
    )


# --- the hashes of v1 and v2 -------------------------------------------------------------------------


def _body(values: Mapping[str, Any], hashed: tuple[str, ...]) -> str:
    """govkit.acknowledgements.chain.body, for the fields ``hashed``."""
    found = {key: values.get(key) for key in hashed}
    for moment in ("acknowledged_at", "shown_at"):
        if found.get(moment) is not None:
            found[moment] = found[moment].isoformat(timespec="microseconds")
    return json.dumps(found, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _link(previous: str, body: str) -> str:
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def _salted(salt: str, field: str, *values: str | None) -> str:
    """govkit.acknowledgements.chain.salted."""
    text = json.dumps([field, salt, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _client_v1(ip: str | None, user_agent: str | None, code: str) -> str:
    return hashlib.sha256(f"{code}\n{ip or ''}\n{user_agent or ''}".encode()).hexdigest()


_RECORDS = sa.table(
    "acknowledgement",
    *(sa.column(c) for c in ("id", "person_id", "organisation_id", "document_version_id", "campaign_id")),
    *(sa.column(c) for c in ("method", "document_sha256", "wording", "wording_sha256", "auth_method")),
    sa.column("acknowledged_at", govkit.db.UTCDateTime()),
    *(sa.column(c) for c in ("recorded_by", "reason", "carried_from_id", "client_ip", "user_agent")),
    *(sa.column(c) for c in ("client_sha256", "verification_code", "previous_hash", "record_hash")),
    *(sa.column(c) for c in ("personal_salt", "recorded_sha256")),
)
_HEAD = sa.table("chain_head", sa.column("id"), sa.column("last_id"), sa.column("last_hash"), sa.column("updated_at"))
_AUDIT = sa.table(
    "audit_event",
    sa.column("at", govkit.db.UTCDateTime()),
    *(sa.column(c) for c in ("correlation_id", "subject", "role", "organisation", "action")),
    sa.column("target", govkit.db.JSONType),
    *(sa.column(c) for c in ("outcome", "detail", "client_ip")),
)
_V1_COLUMNS = [c for c in _RECORDS.c if c.name not in ("personal_salt", "recorded_sha256")]


def _v1_records(connection: sa.Connection) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        page = connection.execute(
            sa.select(*_V1_COLUMNS).where(_RECORDS.c.id > last).order_by(_RECORDS.c.id).limit(_PAGE)
        ).mappings()
        rows = [dict(r) for r in page]
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def _broken(record: dict[str, Any], expected: str) -> str | None:
    """Why a v1 record does not verify, if it does not."""
    if record["previous_hash"] != expected:
        return "its previous hash does not match the record before it"
    if record["record_hash"] != _link(expected, _body(record, HASHED_V1)):
        return "its content does not match its hash (altered record)"
    if record["wording_sha256"] != hashlib.sha256(record["wording"].encode()).hexdigest():
        return "its wording does not match its digest (altered record)"
    ip, agent = record["client_ip"], record["user_agent"]
    if (ip or agent) and record["client_sha256"] != _client_v1(ip, agent, record["verification_code"]):
        return "its client data do not match their digest (altered record)"
    return None


def _check_v1(connection: sa.Connection) -> None:
    """Refuse to re-chain a v1 chain that does not verify: re-chaining would launder the alteration."""
    head_id, head_hash = connection.execute(sa.select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1)).one()
    expected, last_id = GENESIS_V1, None
    for record in _v1_records(connection):
        reason = _broken(record, expected)
        if reason is not None:
            raise Conflict(
                f"The acknowledgement chain is broken at record {record['id']}: {reason}. Re-chaining it "
                "(revision 0015) would hide that: find out what happened (`govkit audit verify`) and restore "
                "the records before upgrading."
            )
        expected, last_id = record["record_hash"], record["id"]
    if head_hash != expected or head_id != last_id:
        raise Conflict(
            "The acknowledgement chain's head does not point at its last record (records removed?). Re-chaining "
            "it (revision 0015) would hide that: find out what happened (`govkit audit verify`) before upgrading."
        )


def _rechain(connection: sa.Connection) -> None:
    """Give every record its salt, salted digests and v2 hash, in id order; move the head."""
    (old_head,) = connection.execute(sa.select(_HEAD.c.last_hash).where(_HEAD.c.id == 1)).one()
    previous, count, last_id = GENESIS_V2, 0, None
    updates: list[dict[str, Any]] = []
    for record in _v1_records(connection):
        salt = secrets.token_hex(32)
        ip, agent = record["client_ip"], record["user_agent"]
        new = {
            "personal_salt": salt,
            "wording_sha256": _salted(salt, "wording", record["wording"]),
            "recorded_sha256": _salted(salt, "recorded", record["recorded_by"], record["reason"]),
            # client data erased already: what the v1 digest committed to, salted again
            "client_sha256": _salted(salt, "client", ip, agent)
            if ip is not None or agent is not None
            else _salted(salt, "client-v1", record["client_sha256"]),
        }
        record_hash = _link(previous, _body({**record, **new}, HASHED_V2))
        updates.append({"key": record["id"], **new, "previous": previous, "hashed": record_hash})
        previous, count, last_id = record_hash, count + 1, record["id"]
        if len(updates) >= _PAGE:
            _write(connection, updates)
    _write(connection, updates)
    now = datetime.now(UTC)
    connection.execute(
        sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_id=last_id, last_hash=previous, updated_at=now)
    )
    if count:
        connection.execute(
            sa.insert(_AUDIT).values(
                at=now,
                correlation_id="migration-0015",
                subject="migration",
                role=None,
                organisation=None,
                action="chain.rechain",
                target={"from": "v1", "to": "v2", "records": count, "old_head": old_head, "new_head": previous},
                outcome="ok",
                detail="Personal data out of the chain: salted digests, every record hash recomputed in id order.",
                client_ip=None,
            )
        )


def _write(connection: sa.Connection, updates: list[dict[str, Any]]) -> None:
    if updates:
        connection.execute(
            sa.update(_RECORDS)
            .where(_RECORDS.c.id == sa.bindparam("key"))
            .values(
                personal_salt=sa.bindparam("personal_salt"),
                wording_sha256=sa.bindparam("wording_sha256"),
                recorded_sha256=sa.bindparam("recorded_sha256"),
                client_sha256=sa.bindparam("client_sha256"),
                previous_hash=sa.bindparam("previous"),
                record_hash=sa.bindparam("hashed"),
            ),
            updates,
        )
        updates.clear()


# --- the revision ------------------------------------------------------------------------------------


@contextmanager
def _rebuilt() -> Iterator[Any]:
    """``op.batch_alter_table("acknowledgement")``. SQLite rebuilds the table to change a column: a
    copy, the old table dropped, the copy renamed; dropping it would break the carried-forward
    records' reference to their source (``carried_from_id``, into the same table). Those links are
    set aside before the rebuild and restored after it (the append-only trigger is dropped then)."""
    connection = op.get_bind()
    links: list[dict[str, Any]] = []
    if _sqlite():
        links = [
            {"key": key, "source": source}
            for key, source in connection.execute(
                sa.select(_RECORDS.c.id, _RECORDS.c.carried_from_id).where(_RECORDS.c.carried_from_id.is_not(None))
            )
        ]
        connection.execute(sa.update(_RECORDS).where(_RECORDS.c.carried_from_id.is_not(None)).values(carried_from_id=None))
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        yield batch_op
    if links:
        connection.execute(
            sa.update(_RECORDS).where(_RECORDS.c.id == sa.bindparam("key")).values(carried_from_id=sa.bindparam("source")),
            links,
        )


def upgrade() -> None:
    _check_v1(op.get_bind())  # before any change
    _drop_triggers()
    with _rebuilt() as batch_op:
        batch_op.add_column(sa.Column("personal_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("recorded_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("shown_at", govkit.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("shown_via", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.alter_column("wording", existing_type=sa.Text(), nullable=True)
        batch_op.alter_column("recorded_by", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        batch_op.create_check_constraint(
            op.f("ck_acknowledgement_shown_via"), f"shown_via IS NULL OR shown_via IN ({CHANNELS})"
        )
        batch_op.create_check_constraint(op.f("ck_acknowledgement_shown"), "(shown_at IS NULL) = (shown_via IS NULL)")
    _rechain(op.get_bind())
    with _rebuilt() as batch_op:
        batch_op.alter_column(
            "recorded_sha256", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
    _create_triggers(FROZEN, PERSONAL, salted=True)
    _create_deliveries()


def _create_deliveries() -> None:
    """``document_delivery``: the versions delivered to persons (proof of display), append-only."""
    op.create_table(
        "document_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("displayed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("delivered_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name=op.f("ck_document_delivery_channel")),
        sa.CheckConstraint(
            "(channel = 'intranet') = (displayed_by IS NOT NULL)", name=op.f("ck_document_delivery_displayed_by")
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_document_delivery_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_document_delivery_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_delivery")),
        sa.UniqueConstraint(
            "person_id",
            "document_version_id",
            "channel",
            name=op.f("uq_document_delivery_person_id_document_version_id_channel"),
        ),
    )
    if _sqlite():
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER document_delivery_no_{event.lower()} BEFORE {event} ON document_delivery "
                "BEGIN SELECT RAISE(ABORT, 'document deliveries are append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION document_delivery_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'document deliveries are append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER document_delivery_append_only BEFORE UPDATE OR DELETE ON document_delivery "
        "FOR EACH ROW EXECUTE FUNCTION document_delivery_append_only()"
    )


def _drop_deliveries() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS document_delivery_no_update")
        op.execute("DROP TRIGGER IF EXISTS document_delivery_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS document_delivery_append_only ON document_delivery")
        op.execute("DROP FUNCTION IF EXISTS document_delivery_append_only()")
    op.drop_table("document_delivery")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.execute(sa.select(sa.func.count()).select_from(_RECORDS)).scalar_one():
        raise Conflict(
            "Revision 0015 cannot be undone on a database holding acknowledgements: going back to chain v1 "
            "would publish unsalted digests of the wordings (and so of names) again, and records whose personal "
            "data were erased cannot be hashed the v1 way. Restore the backup taken before the upgrade."
        )
    _drop_deliveries()
    _drop_triggers()
    with _rebuilt() as batch_op:
        batch_op.drop_constraint(op.f("ck_acknowledgement_shown"), type_="check")
        batch_op.drop_constraint(op.f("ck_acknowledgement_shown_via"), type_="check")
        batch_op.drop_column("shown_via")
        batch_op.drop_column("shown_at")
        batch_op.alter_column("recorded_by", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False)
        batch_op.alter_column("wording", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("recorded_sha256")
        batch_op.drop_column("personal_salt")
    connection.execute(sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_id=None, last_hash=GENESIS_V1))
    _create_triggers(FROZEN_V1, ("client_ip", "user_agent"), salted=False)
