"""Engines, sessions and the column types shared by every domain package."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from govkit.disconnects import discard_closed_connections, may_have_committed
from govkit.input_text import guard_engine, strict_json

# Stable constraint names, so that Alembic migrations name what they create.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Keyed(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Keyed) -> int:
    """The primary key of a row read from the database or flushed into it.

    SQLModel declares ``id: int | None`` (a new row has none until it is flushed): this is the one
    place that says a stored row has one, instead of an ``Optional`` travelling on."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id yet: it was never flushed")
    return row.id


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table of a SQLModel table class (its ``__table__``, which SQLModel does not declare)."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not a table class")
    return table


def _sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, WAL, and real transactions (pysqlite's own are off)."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        _digest_functions(dbapi_connection)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Write transactions take the write lock first (and wait for it): a deferred transaction
        # that read first could not upgrade once another connection had written (SQLITE_BUSY).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("govkit_write") else "BEGIN")


def _digest_functions(dbapi_connection: Any) -> None:
    """PostgreSQL's ``convert_to(text, 'UTF8')``, ``sha256(bytea)`` and ``encode(bytea, 'hex')`` on
    SQLite: the acknowledgement chain's hashes are one SQL expression on both (chain._HASH)."""

    def convert_to(text: str | None, encoding: str) -> bytes | None:
        assert encoding == "UTF8", encoding
        return None if text is None else text.encode()

    def sha256(data: bytes | None) -> bytes | None:
        return None if data is None else hashlib.sha256(data).digest()

    def encode(data: bytes | None, form: str) -> str | None:
        assert form == "hex", form
        return None if data is None else data.hex()

    dbapi_connection.create_function("convert_to", 2, convert_to, deterministic=True)
    dbapi_connection.create_function("sha256", 1, sha256, deterministic=True)
    dbapi_connection.create_function("encode", 2, encode, deterministic=True)


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a govkit database URL (sqlite:/// or postgresql+psycopg://)."""
    url_obj = sa.make_url(url)
    if url_obj.drivername == "postgresql":
        url_obj = url_obj.set(drivername="postgresql+psycopg")
    if url_obj.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            url_obj,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 10},
            json_serializer=strict_json,
        )
        _sqlite_pragmas(engine)
        guard_engine(engine)
        return engine
    if url_obj.get_backend_name() != "postgresql":
        raise ValueError(f"unsupported database {url_obj.get_backend_name()!r}: use sqlite:/// or postgresql://")
    engine = sa.create_engine(
        url_obj, echo=echo, pool_size=10, max_overflow=10, pool_recycle=1800, json_serializer=strict_json
    )
    discard_closed_connections(engine)  # PostgreSQL restarted, failed over, or ended them
    return engine


class Database:
    """Where services get their sessions; one per process (or per test)."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        # A test binds to an open connection: sessions then work in savepoints.
        self._savepoints = isinstance(bind, Connection)
        # One connection cannot serve two threads at once: serialise its sessions.
        self._lock: AbstractContextManager[object] = threading.RLock() if self._savepoints else nullcontext()

    def exclusive(self) -> AbstractContextManager[object]:
        """Wait until no session uses the shared connection (tests: before rolling it back)."""
        return self._lock

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def session(self) -> Session:
        if self._savepoints:
            return Session(self.bind, expire_on_commit=False, join_transaction_mode="create_savepoint")
        return Session(self.bind, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._lock, self.session() as session:
            if not self._savepoints and self.dialect == "sqlite":
                session.connection(execution_options={"govkit_write": True})
            try:
                yield session
                may_have_committed()  # a connection lost from now on may have committed it
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def statements(self) -> Iterator[Connection]:
        """A connection for work whose every statement is consistent by itself: on PostgreSQL in
        autocommit (each statement its own transaction, no BEGIN or COMMIT round trips); elsewhere
        one write transaction, committed at the end (rolled back on error)."""
        if self._savepoints or self.dialect != "postgresql":
            with self.transaction() as session:
                yield session.connection()
            return
        may_have_committed()  # each statement commits by itself
        with self._autocommit() as connection:
            yield connection

    @contextmanager
    def single_read(self) -> Iterator[Connection]:
        """A connection for one read-only statement: on PostgreSQL in autocommit, which spares the
        BEGIN and ROLLBACK round trips (one statement reads a consistent snapshot by itself)."""
        if self._savepoints or self.dialect != "postgresql":
            with self.reading() as session:
                yield session.connection()
            return
        with self._autocommit() as connection:
            yield connection

    @contextmanager
    def _autocommit(self) -> Iterator[Connection]:
        """A connection of the engine in autocommit: each statement is its own transaction."""
        assert isinstance(self.bind, Engine)
        with self.bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; closing it ends the transaction and detaches what was loaded."""
        with self._lock, self.session() as session:
            yield session
