"""Lost database connections: noticed before use, and a unit of work run once more after one.

PostgreSQL closes its connections when it restarts, fails over, or an administrator terminates
them (``pg_terminate_backend``). Clients must not hear of it:

- a pooled connection the server closed while it sat idle is discarded when it is checked out,
  without a round trip (``discard_closed_connections``): the server's farewell (an error message,
  then the end of the stream) makes its socket readable, while a healthy idle connection has
  nothing to read. A ping (``pool_pre_ping``) would cost a round trip per checkout, on every request;
- a unit of work whose connection was lost while it ran is run once more, on a new connection
  (``retry_on_disconnect``), unless something it did may have been committed: a transaction the
  loss interrupted before its commit was rolled back by the server, and a read changed nothing.
  On such an error SQLAlchemy invalidates every connection its pool opened before it, so the
  second attempt runs on a new one.

The acknowledgement recorders run their batches once more whatever they wrote: a batch reads what
is recorded before it records, so running it again finds the records a lost commit made
(``idempotent=True``).
"""

from __future__ import annotations

import select
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any, ParamSpec, TypeVar

import anyio.to_thread
import psycopg
import sqlalchemy as sa

from govkit.input_text import nul_refusal

P = ParamSpec("P")
T = TypeVar("T")

#: SQLSTATEs of a connection the server ended: admin_shutdown, crash_shutdown, cannot_connect_now.
_ENDED = ("57P01", "57P02", "57P03")


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` says the database connection was lost (through SQLAlchemy, or psycopg's own)."""
    if isinstance(exc, sa.exc.DBAPIError):
        return bool(exc.connection_invalidated)
    if isinstance(exc, psycopg.OperationalError):
        state = exc.sqlstate
        return state is None or state.startswith("08") or state in _ENDED
    return False


def closed_by_the_server(connection: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> bool:
    """Whether an idle psycopg connection is gone: closed, broken, or with something to read (the
    server's farewell). One poll of its socket, no round trip."""
    if connection.closed or connection.broken:
        return True
    poller = select.poll()
    poller.register(connection.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def discard_closed_connections(engine: sa.Engine) -> None:
    """Have ``engine``'s pool (PostgreSQL, psycopg) replace, at checkout, a connection the server closed."""

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if closed_by_the_server(dbapi_connection):
            raise sa.exc.DisconnectionError("the database closed this connection")  # the pool connects anew


@dataclass
class _Attempt:
    committed: bool = False  # something it did may have been committed


_attempt: ContextVar[_Attempt | None] = ContextVar("govkit_attempt", default=None)


def may_have_committed() -> None:
    """Tell the running unit of work that it committed (or may have): a lost connection from now
    on is not a reason to run it again. ``Database`` calls it before each commit."""
    attempt = _attempt.get()
    if attempt is not None:
        attempt.committed = True


def retry_on_disconnect(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)``, run once more should its database connection be lost before
    it committed anything (see the module's doc)."""
    return _retrying(function, False, *args, **kwargs)


async def run_service(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a blocking service function in a worker thread, off the event loop, once more should its
    database connection be lost before it committed anything: how every entry point (resolvers,
    loaders, pages, plain routes) calls the services. Text the database refuses for holding a NUL
    character is the caller's error (``govkit.input_text``)."""
    try:
        return await anyio.to_thread.run_sync(partial(retry_on_disconnect, function, **kwargs))
    except Exception as exc:
        refusal = nul_refusal(exc)
        if refusal is None:
            raise
        raise refusal from None


def retry_idempotent_on_disconnect(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``retry_on_disconnect`` for work that may run twice whatever it committed (it finds what it wrote)."""
    return _retrying(function, True, *args, **kwargs)


def _retrying(function: Callable[..., T], idempotent: bool, *args: Any, **kwargs: Any) -> T:
    outer = _attempt.get()
    attempt = _Attempt()
    token = _attempt.set(attempt)
    try:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            if not is_disconnect(exc) or (attempt.committed and not idempotent):
                raise
        return function(*args, **kwargs)
    finally:
        _attempt.reset(token)
        if outer is not None and attempt.committed:
            outer.committed = True


async def retry_on_disconnect_async(function: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``await function(...)``, awaited once more should its connection be lost: for idempotent
    work on the event loop (the recorder), which reconnects when its connection is broken."""
    try:
        return await function(*args, **kwargs)
    except Exception as exc:
        if not is_disconnect(exc):
            raise
    return await function(*args, **kwargs)
