"""Deferring a job inside the caller's transaction: the job exists if and only if it commits.

Two implementations of ``JobQueue``, chosen once by ``govkit.jobs.engine.job_queue``:

- ``PostgresQueue`` (PostgreSQL): the job is a row of procrastinate's ``procrastinate_jobs``,
  inserted through procrastinate's own SQL function in the caller's transaction; any number of
  ``govkit worker`` processes, on any number of machines, run it.
- ``govkit.jobs.inprocess.InProcessQueue`` (SQLite, or GOVKIT_JOBS_IN_PROCESS): the job is a row
  of ``inprocess_job``, run by a thread of the same process once the transaction has committed.

The ``key`` makes deferring idempotent: while a job with that key waits in the queue (queued, or
waiting for its retry), deferring the same key again adds nothing. Two jobs with one key never
run at the same time either (procrastinate's ``lock``). procrastinate's ``queueing_lock`` is not
used: its unique index refuses to put a failed job back in the queue for its retry when another
job with that lock was queued meanwhile (procrastinate issues #1446 and #1543), which would leave
the job "doing" for ever. govkit serialises the deferrers of one key with a transaction-level
advisory lock instead, then looks for a queued job with that key.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from govkit.jobs.registry import get_task

Transaction = Session | Connection


class JobQueue(Protocol):
    """Defers jobs inside the caller's transaction: they exist if and only if it commits."""

    def defer(self, session: Transaction, name: str, *, key: str | None, **args: Any) -> int | None:
        """Queue the task ``name`` with ``args`` (JSON values); the job's id, or None when a job
        with ``key`` is already queued (nothing added)."""
        ...

    def drain(self, timeout: float | None = None) -> None:
        """Wait until the jobs this process deferred have run (in-process engine; else at once)."""
        ...


def connection_of(session: Transaction) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def encoded_args(name: str, args: dict[str, Any]) -> str:
    """The arguments as JSON; a TypeError names the task and what cannot be sent."""
    try:
        return json.dumps(args, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"task {name!r}: arguments must be JSON values ({exc})") from None


def lock_key(connection: Connection, key: str) -> None:
    """Serialise, until the transaction ends, the transactions deferring ``key`` (PostgreSQL)."""
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


# The one statement below procrastinate's documented surface (tests/system/test_pinned_internals.py
# fails if the function or its argument type moves): procrastinate's own defer function, so the
# row is exactly what ``Task.defer`` would insert, but in the caller's transaction.
_DEFER = sa.text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task_name AS varchar), 0, CAST(:key AS text), CAST(NULL AS text), "
    "CAST(:args AS jsonb), CAST(NULL AS timestamptz))::procrastinate_job_to_defer_v1])) AS id"
)
_UNLESS_QUEUED = " WHERE NOT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE lock = :key AND status = 'todo')"
_DEFER_UNLESS_QUEUED = sa.text(_DEFER.text + _UNLESS_QUEUED)  # two constants: nothing comes from outside


def insert_procrastinate_job(
    connection: Connection, *, queue: str, task_name: str, key: str | None, args: str
) -> int | None:
    """Insert one job in ``procrastinate_jobs``; None when ``key`` is already queued."""
    values = {"queue": queue, "task_name": task_name, "key": key, "args": args}
    if key is None:
        return int(connection.execute(_DEFER, values).scalar_one())
    lock_key(connection, key)
    found = connection.execute(_DEFER_UNLESS_QUEUED, values).scalar_one_or_none()
    return None if found is None else int(found)


#: Jobs deferred in one transaction from which its statistics of procrastinate_jobs are refreshed.
BURST = 100
_BURST_COUNT = "govkit_jobs_deferred_in_transaction"


def _count_burst(connection: Connection) -> None:
    """Refresh the planner's statistics of ``procrastinate_jobs`` once a transaction has deferred
    ``BURST`` jobs. Statistics taken while the queue was empty (or all done) make the planner
    expect one queued job, and procrastinate's fetch then compares every queued job with every
    other (hundreds of milliseconds per fetch with a thousand of them queued, bench/jobscale.py);
    autovacuum catches up only a minute or more later. ANALYZE in this transaction counts its own
    uncommitted rows, and does not block the workers (nor they it)."""
    transaction = connection.get_transaction()
    seen, count = connection.info.get(_BURST_COUNT, (None, 0))
    count = count + 1 if seen is transaction else 1
    connection.info[_BURST_COUNT] = (transaction, count)
    if count == BURST:
        connection.execute(sa.text("ANALYZE procrastinate_jobs"))


class PostgresQueue:
    """Jobs as procrastinate rows, run by ``govkit worker`` processes."""

    def defer(self, session: Transaction, name: str, *, key: str | None, **args: Any) -> int | None:
        spec = get_task(name)
        payload = encoded_args(name, args)
        connection = connection_of(session)
        job_id = insert_procrastinate_job(connection, queue=spec.queue, task_name=spec.name, key=key, args=payload)
        _count_burst(connection)
        return job_id

    def drain(self, timeout: float | None = None) -> None:
        """Nothing to wait for here: workers run the jobs."""
