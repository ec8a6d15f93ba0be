"""The writers of acknowledgement batches: the same four steps, on two kinds of connection.

A batch is written in four steps: the batch's reads (batch_read.statement, one round trip), the
content of the document versions not yet known to the process (rarely), the decisions
(decisions.plan, no I/O), then the new records chained and inserted with their audit events
(chain.append: one statement on PostgreSQL), with the deliveries an intranet's display adds.
Each writer runs these steps on its connection:

- ``LoopWriter``, on PostgreSQL: a psycopg connection of its own in autocommit, awaited on the
  event loop. A batch run in a worker thread waits for the event loop to let go of the
  interpreter after each round trip; at the rentrée that waiting was most of a batch's time.
- ``ThreadWriter``, everywhere else: the Database's SQLAlchemy connection in a worker thread
  (SQLite's driver blocks), one transaction per batch. A Database bound to one connection (the
  tests) is written this way on PostgreSQL too, so that batches run inside its transaction.

Acknowledging twice returns the first record. Should another process record the same pair
meanwhile, the unique constraint fails the batch, and the recorder decides its requests again one
by one, finding that record. A connection lost mid-batch: the batch again, on a new connection (it
finds what a lost commit recorded).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

import anyio.to_thread
import psycopg
import sqlalchemy as sa

from govkit.access.audit import AuditEvent
from govkit.acknowledgements import batch_read, chain, decisions
from govkit.acknowledgements.models import DocumentDelivery
from govkit.acknowledgements.receipts import Outcome, Request
from govkit.days import utc_today
from govkit.db import Database, table_of, utcnow
from govkit.disconnects import closed_by_the_server, retry_idempotent_on_disconnect, retry_on_disconnect_async
from govkit.documents.models import DocumentVersion

_AUDIT_EVENT = table_of(AuditEvent)
_DELIVERY = table_of(DocumentDelivery)


def _also(plan: decisions.Plan) -> chain.Also:
    """What a batch inserts with its records: their audit events, the intranets' displays."""
    return [(_AUDIT_EVENT, plan.events), (_DELIVERY, plan.deliveries)]


class Writer(Protocol):
    async def write(self, requests: Sequence[Request]) -> list[Outcome]:
        """Check and chain ``requests`` in one transaction; one outcome per request, in order."""
        ...

    async def close(self) -> None: ...


def _asked(requests: Sequence[Request]) -> tuple[list[int], list[int]]:
    """The persons and document versions a batch asks for."""
    return sorted({r.person_id for r in requests}), sorted({r.document_version_id for r in requests})


async def _single_value(cursor: psycopg.AsyncCursor[Any]) -> Any:
    """The one value of the one row a JSON aggregate answers."""
    row = await cursor.fetchone()
    if row is None:
        raise RuntimeError("the batch read answered no row")
    (value,) = row
    return value


def _wanted(read: decisions.Read, asked: list[int]) -> list[decisions.Version]:
    wanted = set(asked)
    return [v for v in read.versions if v.id in wanted]


def record_batch(connection: sa.Connection, requests: Sequence[Request], *, today: date) -> list[Outcome]:
    """``ThreadWriter``'s batch on ``connection`` (in the caller's transaction)."""
    dialect = connection.dialect.name
    persons, asked = _asked(requests)
    parameters = batch_read.parameters(dialect, persons, asked, today)
    read = batch_read.decode(connection.exec_driver_sql(batch_read.statement(dialect), parameters).scalar_one())
    documents, missing = batch_read.documents.known(connection.engine, _wanted(read, asked))
    if missing:
        found = connection.exec_driver_sql(
            batch_read.documents_statement(dialect), batch_read.documents_parameters(dialect, missing)
        ).scalar_one()
        documents |= batch_read.documents.keep(connection.engine, batch_read.decode_documents(found))
    plan = decisions.plan(read, documents, requests, today, utcnow())
    chain.append(connection, plan.rows, also=_also(plan))
    return plan.outcomes()


class ThreadWriter:
    """Batches written through ``db``'s SQLAlchemy connections, in a worker thread."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def write(self, requests: Sequence[Request]) -> list[Outcome]:
        return await anyio.to_thread.run_sync(self._write, requests, utc_today())

    def _write(self, requests: Sequence[Request], today: date) -> list[Outcome]:
        return retry_idempotent_on_disconnect(self._record, requests, today)

    def _record(self, requests: Sequence[Request], today: date) -> list[Outcome]:
        with self.db.statements() as connection:
            return record_batch(connection, requests, today=today)

    async def close(self) -> None:
        return None


class LoopWriter:
    """Batches written from the event loop on PostgreSQL: a connection of its own in autocommit,
    the batch's two statements awaited (the reads, then chain.append's), no thread. Batches of
    other processes meet at the chain's lock in PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine  # the documents' cache key, and where to connect
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the connection's

    async def write(self, requests: Sequence[Request]) -> list[Outcome]:
        try:
            return await retry_on_disconnect_async(self._batch, requests)
        except Exception:
            if self._connection is not None and self._connection.broken:
                await self.close()
            raise

    async def close(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        if self._loop is asyncio.get_running_loop():
            await connection.close()
        else:  # made on a loop that has ended
            connection.pgconn.finish()

    async def _batch(self, requests: Sequence[Request]) -> list[Outcome]:
        connection = await self._connect()
        today = utc_today()
        persons, asked = _asked(requests)
        cursor = await connection.execute(
            batch_read.statement("postgresql"), batch_read.parameters("postgresql", persons, asked, today)
        )
        read = batch_read.decode(await _single_value(cursor))
        documents, missing = batch_read.documents.known(self.engine, _wanted(read, asked))
        if missing:
            documents |= batch_read.documents.keep(self.engine, await self._documents(connection, missing))
        plan = decisions.plan(read, documents, requests, today, utcnow())
        if plan.rows:
            statement, values = chain.append_for_driver(plan.rows, also=_also(plan))
            cursor = await connection.execute(statement, values)
            chain.chained(plan.rows, await cursor.fetchall())
        return plan.outcomes()

    @staticmethod
    async def _documents(connection: psycopg.AsyncConnection, missing: list[int]) -> list[DocumentVersion]:
        cursor = await connection.execute(
            batch_read.documents_statement("postgresql"), batch_read.documents_parameters("postgresql", missing)
        )
        return batch_read.decode_documents(await _single_value(cursor))

    async def _connect(self) -> psycopg.AsyncConnection:
        loop = asyncio.get_running_loop()
        if self._connection is not None and (self._loop is not loop or closed_by_the_server(self._connection)):
            await self.close()  # lost while idle (PostgreSQL restarted, failed over, or ended it), or of another loop
        if self._connection is None:
            self._connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            self._loop = loop
        return self._connection
