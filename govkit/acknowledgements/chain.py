"""The acknowledgement chain: each record hashes its content and the previous record's hash."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, ChainHead
from govkit.db import Database, JSONType, utcnow

GENESIS_HASH = hashlib.sha256(b"govkit acknowledgement chain v1").hexdigest()


#: What the hash covers: everything but the erasable IP address and user agent (and the chain itself).
HASHED = (
    "person_id",
    "organisation_id",
    "document_version_id",
    "campaign_id",
    "method",
    "document_sha256",
    "wording_sha256",
    "acknowledged_at",
    "auth_method",
    "recorded_by",
    "reason",
    "carried_from_id",
    "client_sha256",
    "verification_code",
)


def payload(record: Acknowledgement | Mapping[str, Any]) -> dict[str, Any]:
    """What the hash covers, of a record or of its row's values."""
    values = record if isinstance(record, Mapping) else {key: getattr(record, key) for key in HASHED}
    found = {key: values[key] for key in HASHED}
    found["acknowledged_at"] = found["acknowledged_at"].isoformat(timespec="microseconds")
    return found


def record_hash(previous_hash: str, record: Acknowledgement | Mapping[str, Any]) -> str:
    body = json.dumps(payload(record), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()


def client_digest(ip: str | None, user_agent: str | None, code: str) -> str:
    """A digest of the client data that outlives its erasure (salted by the record's code)."""
    return hashlib.sha256(f"{code}\n{ip or ''}\n{user_agent or ''}".encode()).hexdigest()


@dataclass
class Head:
    """The end of the chain as the lock holder sees it."""

    last_id: int | None
    last_hash: str


_LOCK = (
    sa.update(ChainHead)
    .where(col(ChainHead.id) == 1)
    .values(updated_at=sa.bindparam("now"))
    .returning(col(ChainHead.last_id), col(ChainHead.last_hash))
)
_MOVE = (
    sa.update(ChainHead)
    .where(col(ChainHead.id) == 1)
    .values(last_id=sa.bindparam("last_id"), last_hash=sa.bindparam("last_hash"), updated_at=sa.bindparam("now"))
)


def lock(session: Session) -> Head:
    """Take the chain's write lock first thing in a transaction (held until it ends); one statement."""
    last_id, last_hash = session.connection().execute(_LOCK, {"now": utcnow()}).one()
    return Head(last_id, last_hash)


def assign(head: Head, rows: list[dict[str, Any]]) -> None:
    """Give new records' ``rows`` their ids and hashes after the chain's last one, in order (pure).

    Ids are given here so that id order is chain order (``verify`` walks the chain by id),
    whatever order a multi-row insert would assign ids in: every acknowledgement is inserted
    through this module, under the lock.
    """
    for row in rows:
        row["id"] = (head.last_id or 0) + 1
        row["previous_hash"] = head.last_hash
        row["record_hash"] = record_hash(head.last_hash, row)
        head.last_id, head.last_hash = row["id"], row["record_hash"]


_TABLE: sa.Table = Acknowledgement.__table__  # type: ignore[attr-defined]


def write(
    session: Session,
    head: Head,
    rows: list[dict[str, Any]],
    also: Sequence[tuple[sa.Table, list[dict[str, Any]]]] = (),
) -> None:
    """Insert assigned ``rows`` (every column, as ``assign`` left them) and the rows of ``also``,
    and move the head; the caller holds the lock.

    On PostgreSQL everything goes in one statement of constant text (data-modifying CTEs over
    arrays), so the lock is held for three round trips in all: the lock, this statement, the commit.
    """
    if not rows:
        return
    inserts = [(_TABLE, rows), *[(t, r) for t, r in also if r]]
    moved = {"last_id": head.last_id, "last_hash": head.last_hash, "now": utcnow()}
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        shapes = tuple((target, tuple(rows[0])) for target, rows in inserts)  # the columns each row gives
        values = dict(moved)
        for index, (target, given) in enumerate(inserts):
            for key in shapes[index][1]:
                convert = _ARRAY_VALUE.get(type(target.c[key].type), lambda v: v)
                values[f"t{index}_{key}"] = [convert(row[key]) for row in given]
        connection.execute(_bulk_statement(shapes), values)
        return
    for target, values_of_rows in inserts:
        connection.execute(sa.insert(target), values_of_rows)
    connection.execute(_MOVE, moved)


_ARRAY_VALUE: dict[type, Any] = {type(JSONType): json.dumps}


@functools.cache
def _bulk_statement(shapes: tuple[tuple[sa.Table, tuple[str, ...]], ...]) -> sa.TextClause:
    """WITH t0 AS (INSERT … SELECT * FROM unnest(…)), … UPDATE chain_head …: one text per shape."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    parts = []
    for index, (table, keys) in enumerate(shapes):
        columns = [table.c[key] for key in keys]
        arrays = ", ".join(f"CAST(:t{index}_{c.key} AS {_pg_type(c, dialect)}[])" for c in columns)
        names = ", ".join(c.name for c in columns)
        # names from our own table metadata; values are bound as arrays
        parts.append(f"t{index} AS (INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}))")  # noqa: S608
    move = "UPDATE chain_head SET last_id = :last_id, last_hash = :last_hash, updated_at = :now WHERE id = 1"
    return sa.text("WITH " + ", ".join(parts) + " " + move)


def _pg_type(column: sa.Column[Any], dialect: sa.Dialect) -> str:
    kind = column.type.dialect_impl(dialect)
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    name = kind.compile(dialect=dialect)
    return "JSONB" if name == "JSON" else name


def append_many(session: Session, head: Head, records: list[Acknowledgement]) -> list[Acknowledgement]:
    """Chain and insert ``records`` in order, giving them their ids and hashes; the caller holds
    the lock from ``lock``. They are not added to the session (read them again to change them)."""
    rows = [{c.key: getattr(record, c.key) for c in _TABLE.columns} for record in records]
    assign(head, rows)
    write(session, head, rows)
    for record, row in zip(records, rows, strict=True):
        record.id, record.previous_hash, record.record_hash = row["id"], row["previous_hash"], row["record_hash"]
    return records


@dataclass(frozen=True)
class ChainReport:
    records: int
    ok: bool
    broken_at: int | None = None
    reason: str | None = None


def _records(session: Session) -> Iterator[Acknowledgement]:
    last = 0
    while True:
        batch = session.exec(
            select(Acknowledgement).where(col(Acknowledgement.id) > last).order_by(col(Acknowledgement.id)).limit(2000)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].id  # type: ignore[assignment]


def verify(db: Database) -> ChainReport:
    """Walk the chain from the start; name the first broken link."""
    expected = GENESIS_HASH
    count = 0
    with db.reading() as session:
        head = session.get(ChainHead, 1)
        for record in _records(session):
            count += 1
            if record.previous_hash != expected:
                return ChainReport(count, False, record.id, "its previous hash does not match the record before it")
            if record.record_hash != record_hash(expected, record):
                return ChainReport(count, False, record.id, "its content does not match its hash (altered record)")
            expected = record.record_hash
    if head is None or head.last_hash != expected:
        return ChainReport(count, False, None, "the chain head does not point at the last record (records removed)")
    return ChainReport(count, True)
