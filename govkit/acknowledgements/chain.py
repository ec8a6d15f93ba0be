"""The acknowledgement chain: each record hashes its content and the previous record's hash.

One source of truth for the hashes: the database computes them, in SQL (``_HASH``), as it
appends records (``append``), on PostgreSQL and on SQLite alike. ``record_hash`` recomputes a
hash in Python, independently of the database, for those who check the chain (see "Verification").
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, ChainHead
from govkit.db import Database, stored_id, table_of, utcnow

#: Version 2 (revision 0015): personal data only through salted digests (``personal``), and when and
#: how the version was shown to the person (``shown_at``, ``shown_via``).
GENESIS_HASH = hashlib.sha256(b"govkit acknowledgement chain v2").hexdigest()


#: What the hash covers: the non-personal fields as they are, the personal data through their digests
#: salted by the record's secret ``personal_salt`` (never the salt, the personal fields themselves,
#: nor the chain's own columns).
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
    "recorded_sha256",
    "carried_from_id",
    "client_sha256",
    "verification_code",
    "shown_at",
    "shown_via",
)

#: The personal data of a record: erased, with the salt, by privacy.erase_personal_data (the client's
#: IP address and user agent alone by privacy.erase_client_data after the retention period).
PERSONAL = ("personal_salt", "wording", "recorded_by", "reason", "client_ip", "user_agent")


def payload(record: Acknowledgement | Mapping[str, Any]) -> dict[str, Any]:
    """What the hash covers, of a record or of its row's values."""
    values = record if isinstance(record, Mapping) else {key: getattr(record, key) for key in HASHED}
    found = {key: values[key] for key in HASHED}
    for moment in ("acknowledged_at", "shown_at"):
        if found[moment] is not None:
            found[moment] = found[moment].isoformat(timespec="microseconds")
    return found


def body(record: Acknowledgement | Mapping[str, Any]) -> str:
    """The text a record's hash covers after the previous hash: its payload as canonical JSON."""
    return json.dumps(payload(record), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- personal data: salted digests ----------------------------------------------------------------


def new_salt() -> str:
    """A record's secret salt: 32 random bytes, in hexadecimal."""
    return secrets.token_hex(32)


def salted(salt: str, field: str, *values: str | None) -> str:
    """SHA-256 of the JSON array ``[field, salt, *values]`` (compact, UTF-8), in hexadecimal: a digest
    nobody can test a guess against without the salt, and that names what it covers."""
    text = json.dumps([field, salt, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def personal(
    *,
    wording: str,
    recorded_by: str,
    reason: str | None,
    client_ip: str | None,
    user_agent: str | None,
    salt: str | None = None,
) -> dict[str, str]:
    """A new record's salt and the salted digests of its personal data (as columns)."""
    salt = salt or new_salt()
    return {
        "personal_salt": salt,
        "wording_sha256": salted(salt, "wording", wording),
        "recorded_sha256": salted(salt, "recorded", recorded_by, reason),
        "client_sha256": salted(salt, "client", client_ip, user_agent),
    }


def personal_data_mismatch(record: Acknowledgement | Mapping[str, Any]) -> str | None:
    """Which of a record's personal fields no longer match their salted digests (None: all match, or
    nothing is left to check: erased). The client data are checked while they are kept."""
    values = record if isinstance(record, Mapping) else {k: getattr(record, k) for k in (*PERSONAL, *HASHED)}
    salt = values["personal_salt"]
    if salt is None:
        return None
    if values["wording"] is None or salted(salt, "wording", values["wording"]) != values["wording_sha256"]:
        return "wording"
    recorded = salted(salt, "recorded", values["recorded_by"], values["reason"])
    if values["recorded_by"] is None or recorded != values["recorded_sha256"]:
        return "recorded_by or reason"
    ip, agent = values["client_ip"], values["user_agent"]
    if (ip is not None or agent is not None) and salted(salt, "client", ip, agent) != values["client_sha256"]:
        return "client IP address or user agent"
    return None


# --- appending: the hashes computed in SQL ------------------------------------------------------

#: A record's hash: SHA-256 of the previous hash, a line feed and the record's ``body``, in
#: hexadecimal. PostgreSQL's own functions; govkit.db registers the same three on SQLite.
_HASH = "encode(sha256(convert_to(c.record_hash || '\n' || g.body, 'UTF8')), 'hex')"

#: The new records' places, walked from the chain's head (``head``: last_id, last_hash) through the
#: bodies given in order (``given``: n from 1, body): both backends run this recursive query.
_CHAINED = (
    "chained (n, id, previous_hash, record_hash) AS ("  # noqa: S608 - our own names, no value
    "SELECT CAST(0 AS BIGINT), last_id, CAST(NULL AS TEXT), CAST(last_hash AS TEXT) FROM head UNION ALL"
    f" SELECT g.n, c.id + 1, c.record_hash, {_HASH} FROM chained c JOIN given g ON g.n = c.n + 1)"
)
_NEW = "SELECT id, previous_hash, record_hash FROM chained WHERE n > 0 ORDER BY n"


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


def lock(session: Session | sa.Connection) -> Head:
    """Take the chain's write lock (held until the transaction ends); one statement."""
    connection = session.connection() if isinstance(session, Session) else session
    last_id, last_hash = connection.execute(_LOCK, {"now": utcnow()}).one()
    return Head(last_id, last_hash)


_TABLE = table_of(Acknowledgement)
_COMPUTED = ("id", "previous_hash", "record_hash", "_body")
Also = Sequence[tuple[sa.Table, list[dict[str, Any]]]]


def append(connection: sa.Connection, rows: list[dict[str, Any]], also: Also = ()) -> None:
    """Chain new records' ``rows`` (every column; ``id``, ``previous_hash`` and ``record_hash``
    are given here) after the last record and insert them, with the rows of ``also``.

    Ids are given here so that id order is chain order (``verify`` walks the chain by id): every
    acknowledgement is inserted through this module, under the chain's lock.

    On PostgreSQL this is one statement: it locks the chain's head, computes the hashes, inserts
    everything and moves the head. In autocommit it is a transaction by itself, and the lock is
    held only while PostgreSQL runs it. SQLite cannot insert from a WITH clause: the lock, the
    same recursive query for the hashes, the inserts, the head moved; in the caller's transaction.
    """
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        statement, values = _append_on_postgresql(rows, also)
        chained(rows, connection.execute(statement, values).all())
        return
    lock(connection)
    bodies = json.dumps([body(row) for row in rows], ensure_ascii=False)
    chained(rows, connection.execute(_CHAIN_ON_SQLITE, {"bodies": bodies}).all())
    for target, given in [(_TABLE, rows), *also]:
        if given:
            connection.execute(sa.insert(target), given)
    last = rows[-1]
    connection.execute(_MOVE, {"last_id": last["id"], "last_hash": last["record_hash"], "now": utcnow()})


_CHAIN_ON_SQLITE = sa.text(
    "WITH RECURSIVE head AS (SELECT coalesce(last_id, 0) AS last_id, last_hash FROM chain_head WHERE id = 1),"  # noqa: S608
    " given AS (SELECT key + 1 AS n, value AS body FROM json_each(:bodies)), " + _CHAINED + " " + _NEW
)


def _append_on_postgresql(rows: list[dict[str, Any]], also: Also) -> tuple[sa.TextClause, dict[str, Any]]:
    """``append``'s statement on PostgreSQL and its values (the rows of each table as JSON)."""
    inserts = [(_TABLE, [{**row, "_body": body(row)} for row in rows]), *[(t, r) for t, r in also if r]]
    # the columns each table's rows give (the chain's own columns are computed by the statement)
    shapes = tuple((target, tuple(k for k in given[0] if k not in _COMPUTED)) for target, given in inserts)
    values: dict[str, Any] = {"now": utcnow()}
    for index, (_, given) in enumerate(inserts):
        values[f"t{index}"] = json.dumps(given, default=_json_value, ensure_ascii=False)
    return _append_statement(shapes), values


def append_for_driver(rows: list[dict[str, Any]], also: Also = ()) -> tuple[str, dict[str, Any]]:
    """``append`` on PostgreSQL as psycopg's text and parameters, for a caller that runs it on a
    connection of its own (in autocommit); give its result rows to ``chained``."""
    statement, values = _append_on_postgresql(rows, also)
    return _psycopg_text(statement), values


@functools.cache
def _psycopg_text(statement: sa.TextClause) -> str:
    from sqlalchemy.dialects.postgresql import psycopg

    return str(statement.compile(dialect=psycopg.dialect()))


def chained(rows: list[dict[str, Any]], result: Sequence[Sequence[Any]]) -> None:
    """Give ``rows`` the ids and hashes ``append``'s statement returned, in order."""
    for row, (record_id, previous_hash, hashed) in zip(rows, result, strict=True):
        row.update(id=record_id, previous_hash=previous_hash, record_hash=hashed)


def _json_value(value: object) -> str:
    """Timestamps and dates as PostgreSQL reads them back exactly (ISO 8601, microseconds, offset)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


@functools.cache
def _append_statement(shapes: tuple[tuple[sa.Table, tuple[str, ...]], ...]) -> sa.TextClause:
    """The statement of ``append`` on PostgreSQL, for the columns each table's rows give.

    ``t0`` is the acknowledgements' rows as one JSON array (each with its ``_body``); ``t1``… the
    other tables' rows.
    """
    (_, keys), *others = shapes
    names = ", ".join(_TABLE.c[k].name for k in keys)
    picked = ", ".join(f"r.{_TABLE.c[k].name}" for k in keys)
    parts = [
        "head AS (SELECT coalesce(last_id, 0) AS last_id, last_hash FROM chain_head WHERE id = 1 FOR UPDATE)",
        "given AS (SELECT e.n, e.value AS row, e.value ->> '_body' AS body"
        " FROM jsonb_array_elements(CAST(:t0 AS JSONB)) WITH ORDINALITY AS e(value, n))",
        _CHAINED,
        # names from our own table metadata; the values are bound as JSON
        f"t0 AS (INSERT INTO acknowledgement ({names}, id, previous_hash, record_hash)"  # noqa: S608
        f" SELECT {picked}, c.id, c.previous_hash, c.record_hash FROM chained c JOIN given g ON g.n = c.n"
        " CROSS JOIN LATERAL jsonb_populate_record(NULL::acknowledgement, g.row) r)",
    ]
    for index, (table, columns) in enumerate(others, start=1):
        listed = ", ".join(table.c[k].name for k in columns)
        parts.append(
            f"t{index} AS (INSERT INTO {table.name} ({listed}) SELECT {listed}"  # noqa: S608
            f" FROM jsonb_populate_recordset(NULL::{table.name}, CAST(:t{index} AS JSONB)))"
        )
    parts.append(
        "moved AS (UPDATE chain_head SET last_id = l.id, last_hash = l.record_hash, updated_at = :now"
        " FROM (SELECT id, record_hash FROM chained ORDER BY n DESC LIMIT 1) l WHERE chain_head.id = 1)"
    )
    return sa.text("WITH RECURSIVE " + ", ".join(parts) + " " + _NEW)


def append_many(session: Session, records: list[Acknowledgement]) -> list[Acknowledgement]:
    """``append`` for new records as models, in the session's transaction: they get their ids and
    hashes; they are not added to the session (read them again to change them)."""
    rows = [{c.key: getattr(record, c.key) for c in _TABLE.columns} for record in records]
    append(session.connection(), rows)
    for record, row in zip(records, rows, strict=True):
        record.id, record.previous_hash, record.record_hash = row["id"], row["previous_hash"], row["record_hash"]
    return records


# --- verification: an independent recomputation -------------------------------------------------
# The writer never hashes in Python. ``record_hash`` is a second computation on purpose, apart
# from the database: what `govkit audit verify` (``verify``) and a receipt's verification check
# stored records against (a check that ran the writer's own SQL would agree with whatever that SQL
# did), and the oracle tests/acknowledgements/test_chain_sql.py compares the SQL with.


def record_hash(previous_hash: str, record: Acknowledgement | Mapping[str, Any]) -> str:
    """SHA-256 of the previous hash, a line feed and the record's ``body``, in hexadecimal."""
    return hashlib.sha256(f"{previous_hash}\n{body(record)}".encode()).hexdigest()


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
        last = stored_id(batch[-1])


def verify(db: Database) -> ChainReport:
    """Walk the chain from the start; name the first broken link (a record whose personal data no
    longer match their salted digests is broken too)."""
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
            altered = personal_data_mismatch(record)
            if altered is not None:
                return ChainReport(
                    count, False, record.id, f"its {altered} does not match its salted digest (altered record)"
                )
            expected = record.record_hash
    if head is None or head.last_hash != expected:
        return ChainReport(count, False, None, "the chain head does not point at the last record (records removed)")
    return ChainReport(count, True)
