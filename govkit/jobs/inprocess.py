"""The in-process engine (SQLite, the embedded default; or GOVKIT_JOBS_IN_PROCESS on PostgreSQL).

The same task functions as ``govkit worker`` runs, run by ONE background thread of the process
that deferred them, once the deferring transaction has committed (nothing runs after a
rollback: the job's row rolled back with it). Chosen over running each job synchronously inside
the commit because a job may be slow (renders) or wait for its retry, and a request or a command
must not stall on it: the thread is woken by the commit, runs the due jobs one at a time, retries
a failed one with the same back-off as the workers (``govkit.jobs.attempts``), and records every
job in ``inprocess_job`` and every failure in ``job_failure``, so they show like the workers'.

``drain()`` waits until every job this process deferred (and the jobs they deferred in turn) has
succeeded or failed for good: commands call it before they exit (``govkit demo`` stays one
command), tests before they look. Rows survive the process: a job left queued is run by the
next process that starts a runner, and a job left running by a process that died (same host,
process gone) is put back in the queue, its interrupted attempt counted as failed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from govkit.db import Database, table_of, utcnow
from govkit.errors import GovkitError
from govkit.jobs.attempts import failure_reason, retry_delay
from govkit.jobs.models import IN_PROCESS, InProcessJob, JobFailure
from govkit.jobs.queue import Transaction, connection_of, encoded_args, lock_key
from govkit.jobs.registry import FinalFailure, JobDeps, TaskSpec, call_task, get_task, registered_tasks
from govkit.settings import Settings

logger = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
JOBS = table_of(InProcessJob)
_IDS = "govkit_inprocess_job_ids"
GRACE_SECONDS = 2.0  # a deferred id not yet visible (its COMMIT under way) is waited for this long


class InProcessQueue:
    """Jobs run by a thread of this process after the deferring transaction commits."""

    def __init__(self, db: Database, settings: Settings, extras: Mapping[str, object] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.deps = JobDeps(db=db, settings=settings, jobs=self, extras=dict(extras or {}))
        self.runner = f"{socket.gethostname()}:{os.getpid()}"[:100]
        self._state = threading.Condition()
        self._pending: dict[int, float] = {}  # committed job ids of this process not finished yet
        self._woken = False
        self._closed = False
        self._thread: threading.Thread | None = None

    # -- deferring ------------------------------------------------------------------------

    def defer(self, session: Transaction, name: str, *, key: str | None, **args: Any) -> int | None:
        spec = get_task(name)
        encoded_args(name, args)  # JSON values only, as on PostgreSQL
        connection = connection_of(session)
        if key is not None:
            if connection.dialect.name == "postgresql":
                lock_key(connection, key)  # SQLite: the write transaction already excludes others
            queued = sa.select(JOBS.c.id).where(JOBS.c.key == key, JOBS.c.status == QUEUED).limit(1)
            if connection.execute(queued).first() is not None:
                return None
        now = utcnow()
        insert = (
            sa.insert(JOBS)
            .values(task_name=spec.name, queue=spec.queue, key=key, args=args, status=QUEUED, attempts=0)
            .values(created_at=now, scheduled_at=now)
            .returning(JOBS.c.id)
        )
        job_id = int(connection.execute(insert).scalar_one())
        self._follow(session, connection, job_id)
        return job_id

    def _follow(self, session: Transaction, connection: Connection, job_id: int) -> None:
        """Hear the end of the deferring transaction: its jobs become due once it commits."""
        if isinstance(session, Session):
            self._follow_transaction(session, session.info, "after_commit", "after_rollback", job_id)
        elif not connection.in_transaction():  # autocommit: the row is already committed
            self._committed([job_id])
        else:  # a Connection's "commit" event comes as COMMIT is sent: GRACE_SECONDS covers the rest
            self._follow_transaction(connection, connection.info, "commit", "rollback", job_id)

    def _follow_transaction(
        self, target: Session | Connection, info: dict[Any, Any], commit: str, rollback: str, job_id: int
    ) -> None:
        ids: list[int] | None = info.get(_IDS)
        if ids is None:
            ids = info[_IDS] = []
            mine = ids

            def ended(committed: bool) -> Callable[..., None]:
                def listener(*_: Any) -> None:
                    if info.get(_IDS) is mine:  # listeners of an earlier transaction stay silent
                        del info[_IDS]
                        if committed:
                            self._committed(mine)

                return listener

            event.listen(target, commit, ended(True), once=True)
            event.listen(target, rollback, ended(False), once=True)
        ids.append(job_id)

    def _committed(self, job_ids: list[int]) -> None:
        with self._state:
            now = time.monotonic()
            self._pending.update(dict.fromkeys(job_ids, now))
            self._start()
            self._woken = True
            self._state.notify_all()

    # -- waiting and stopping ---------------------------------------------------------------

    def drain(self, timeout: float | None = None) -> None:
        """Wait until every job this process deferred has succeeded or failed for good."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while self._pending:
                self._start()
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"{len(self._pending)} background job(s) still unfinished after {timeout:g} s")
                self._woken = True
                self._state.notify_all()
                self._state.wait(0.05 if remaining is None else min(0.05, remaining))

    def start(self) -> None:
        """Start the runner now rather than at the first commit (a server at start-up: the jobs an
        earlier process left queued, or running when it ended, run again)."""
        with self._state:
            self._start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the runner thread (after the job under way); queued jobs stay queued."""
        with self._state:
            self._closed = True
            self._state.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _start(self) -> None:
        """Start the runner thread unless it runs (call with ``_state`` held)."""
        if self._closed:
            raise RuntimeError("the job queue is closed")
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run_forever, name="govkit-jobs", daemon=True)
            self._thread.start()

    # -- the runner thread ----------------------------------------------------------------

    def _run_forever(self) -> None:
        self._recover()
        while True:
            with self._state:
                if self._closed:
                    return
            try:
                job = self._claim()
                if job is not None:
                    self._run(*job)
                    continue
                delay = self._idle_delay()
            except Exception:
                logger.exception("the in-process job runner failed; trying again")
                delay = self.settings.job_poll_seconds
            with self._state:
                if not self._woken and not self._closed:
                    self._state.wait(delay)
                self._woken = False

    def _claim(self) -> tuple[int, str, dict[str, Any], int] | None:
        """Take the next due job whose key no running job holds."""
        now = utcnow()
        job, other = JOBS.alias("j"), JOBS.alias("o")
        busy = sa.exists().where(other.c.key == job.c.key, other.c.status == RUNNING)
        candidate = (
            sa.select(job.c.id)
            .where(job.c.status == QUEUED, job.c.scheduled_at <= now, sa.or_(job.c.key.is_(None), ~busy))
            .order_by(job.c.scheduled_at, job.c.id)
            .limit(1)
            .scalar_subquery()
        )
        claim = (
            sa.update(JOBS)
            .where(JOBS.c.id == candidate, JOBS.c.status == QUEUED)
            .values(status=RUNNING, runner=self.runner, started_at=now)
            .returning(JOBS.c.id, JOBS.c.task_name, JOBS.c.args, JOBS.c.attempts)
        )
        with self.db.transaction() as session:
            row = session.execute(claim).first()
        return None if row is None else (int(row.id), str(row.task_name), dict(row.args or {}), int(row.attempts))

    def _run(self, job_id: int, task_name: str, args: dict[str, Any], attempts: int) -> None:
        spec = registered_tasks().get(task_name)
        try:
            if spec is None:
                raise LookupError(f"no task named {task_name!r} is registered in this process")
            call_task(spec, self.deps, args)
        except Exception as exc:
            # an expected failure says why in its message; only an unexpected one needs its traceback
            expected = isinstance(exc, GovkitError | FinalFailure)
            logger.warning("job %s (%s) failed: %s", job_id, task_name, exc, exc_info=not expected)
            final = isinstance(exc, FinalFailure)
            done = self._failed(job_id, task_name, spec, attempts + 1, failure_reason(exc), final=final)
        else:
            self._update(job_id, status=SUCCEEDED, attempts=attempts + 1, finished_at=utcnow(), runner=None)
            done = True
        with self._state:
            if done:
                self._pending.pop(job_id, None)
            self._state.notify_all()

    def _failed(
        self, job_id: int, task_name: str, spec: TaskSpec | None, attempt: int, reason: str, *, final: bool = False
    ) -> bool:
        """Record the failed attempt; queue the retry, or fail the job for good (True; ``final``: at once)."""
        now = utcnow()
        final = final or spec is None or attempt > spec.retries
        changes: dict[str, Any] = {"attempts": attempt, "runner": None}
        if final:
            changes.update(status=FAILED, finished_at=now)
        else:
            changes.update(status=QUEUED, scheduled_at=now + timedelta(seconds=retry_delay(self.settings, attempt)))
        with self.db.transaction() as session:
            session.add(
                JobFailure(engine=IN_PROCESS, job_id=job_id, attempt=attempt, task_name=task_name, reason=reason)
            )
            session.execute(sa.update(JOBS).where(JOBS.c.id == job_id).values(**changes))
        return final

    def _update(self, job_id: int, **values: Any) -> None:
        with self.db.transaction() as session:
            session.execute(sa.update(JOBS).where(JOBS.c.id == job_id).values(**values))

    def _idle_delay(self) -> float:
        """Forget the pending jobs done elsewhere; seconds until the next queued job is due."""
        with self._state:
            pending = dict(self._pending)
        with self.db.reading() as session:
            rows = session.execute(sa.select(JOBS.c.id, JOBS.c.status).where(JOBS.c.id.in_(list(pending))))
            statuses: dict[int, str] = {row.id: row.status for row in rows} if pending else {}
            due: datetime | None = session.execute(
                sa.select(sa.func.min(JOBS.c.scheduled_at)).where(JOBS.c.status == QUEUED)
            ).scalar_one_or_none()
        now = time.monotonic()
        with self._state:
            for job_id, since in pending.items():
                status = statuses.get(job_id)
                if status in (SUCCEEDED, FAILED) or (status is None and now - since > GRACE_SECONDS):
                    self._pending.pop(job_id, None)
            self._state.notify_all()
            waiting_unseen = any(job_id not in statuses for job_id in self._pending)
        delay = self.settings.job_poll_seconds
        if due is not None:
            due_utc = due if due.tzinfo else due.replace(tzinfo=utcnow().tzinfo)
            until_due = (due_utc - utcnow()).total_seconds()
            # already due yet not taken: its key is busy in another process; look again shortly
            delay = min(delay, until_due if until_due > 0 else 0.5)
        return min(delay, 0.05) if waiting_unseen else delay

    def _recover(self) -> None:
        """Queue again the jobs left running by a process of this host that has ended."""
        host = self.runner.rsplit(":", 1)[0]
        try:
            with self.db.reading() as session:
                rows = session.execute(
                    sa.select(JOBS.c.id, JOBS.c.task_name, JOBS.c.attempts, JOBS.c.runner).where(
                        JOBS.c.status == RUNNING, JOBS.c.runner.like(f"{host}:%")
                    )
                ).all()
            for row in rows:
                if _alive(int(row.runner.rsplit(":", 1)[1])):
                    continue
                spec = registered_tasks().get(row.task_name)
                self._failed(
                    row.id, row.task_name, spec, row.attempts + 1, "the process running it ended during the job"
                )
        except Exception:
            logger.exception("could not look for jobs left running by ended processes")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another queue of this process runs it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
