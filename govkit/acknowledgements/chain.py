"""The acknowledgement chain: each record hashes its content and the previous record's hash."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, ChainHead
from govkit.db import Database, JSONType, utcnow

GENESIS_HASH = hashlib.sha256(b"govkit acknowledgement chain v1").hexdigest()


def payload(record: Acknowledgement) -> dict[str, Any]:
    """What the hash covers: everything but the erasable IP address and user agent."""
    return {
        "person_id": record.person_id,
        "organisation_id": record.organisation_id,
        "document_version_id": record.document_version_id,
        "campaign_id": record.campaign_id,
        "method": record.method,
        "document_sha256": record.document_sha256,
        "wording_sha256": record.wording_sha256,
        "acknowledged_at": record.acknowledged_at.isoformat(timespec="microseconds"),
        "auth_method": record.auth_method,
        "recorded_by": record.recorded_by,
        "reason": record.reason,
        "carried_from_id": record.carried_from_id,
        "client_sha256": record.client_sha256,
        "verification_code": record.verification_code,
    }


def record_hash(previous_hash: str, record: Acknowledgement) -> str:
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
    last_id, last_hash = session.execute(_LOCK, {"now": utcnow()}).one()
    return Head(last_id, last_hash)


def assign(head: Head, records: list[Acknowledgement]) -> None:
    """Give ``records`` their ids and hashes after the chain's last one, in order (pure).

    Ids are given here so that id order is chain order (``verify`` walks the chain by id),
    whatever order a multi-row insert would assign ids in: every acknowledgement is inserted
    through this module, under the lock.
    """
    for record in records:
        record.id = (head.last_id or 0) + 1
        record.previous_hash = head.last_hash
        record.record_hash = record_hash(head.last_hash, record)
        head.last_id, head.last_hash = record.id, record.record_hash


def write(
    session: Session,
    head: Head,
    records: list[Acknowledgement],
    also: Sequence[tuple[sa.Table, list[dict[str, Any]]]] = (),
) -> None:
    """Insert assigned ``records`` (and the rows of ``also``) and move the head; the caller holds the lock.

    On PostgreSQL everything goes in one statement of constant text (data-modifying CTEs over
    arrays), so the lock is held for three round trips in all: the lock, this statement, the commit.
    """
    if not records:
        return
    table: sa.Table = Acknowledgement.__table__  # type: ignore[attr-defined]
    inserts = [(table, [{c.key: getattr(r, c.key) for c in table.columns} for r in records])]
    inserts += [(t, rows) for t, rows in also if rows]
    moved = {"last_id": head.last_id, "last_hash": head.last_hash, "now": utcnow()}
    if session.get_bind().dialect.name == "postgresql":
        shapes = tuple((target, tuple(rows[0])) for target, rows in inserts)  # the columns each row gives
        values = dict(moved)
        for index, (target, rows) in enumerate(inserts):
            for key in shapes[index][1]:
                convert = _ARRAY_VALUE.get(type(target.c[key].type), lambda v: v)
                values[f"t{index}_{key}"] = [convert(row[key]) for row in rows]
        session.execute(_bulk_statement(shapes), values)
        return
    for target, rows in inserts:
        session.execute(sa.insert(target), rows)
    session.execute(_MOVE, moved)


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
    """Chain and insert ``records`` in order; the caller holds the lock from ``lock``."""
    assign(head, records)
    write(session, head, records)
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
