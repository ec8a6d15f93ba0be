"""The job engine, built in one place: which queue a process uses, and, on PostgreSQL, the
procrastinate App the workers run.

- ``job_queue(db, settings)``: ``PostgresQueue`` on PostgreSQL (jobs run by ``govkit worker``),
  ``InProcessQueue`` on SQLite or with GOVKIT_JOBS_IN_PROCESS.
- ``build_app(deps)``: every registered task as a procrastinate task, retried with govkit's
  exponential back-off, the periodic ones deferred on their ``cron``, plus the recovery of
  stalled jobs (procrastinate's documented way: a periodic task retrying the jobs of workers
  whose heartbeat stopped — a worker killed with SIGKILL mid-job).
- ``run_worker(app, ...)``: one worker until SIGTERM or SIGINT, which let the jobs under way
  finish (later signals are ignored: the stop is under way), then returns the signal.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import procrastinate
import sqlalchemy as sa
from procrastinate import jobs as procrastinate_jobs
from procrastinate.manager import JobManager

from govkit.db import Database, utcnow
from govkit.jobs.attempts import failure_reason, record_failure, retry_delay
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.models import PROCRASTINATE
from govkit.jobs.queue import JobQueue, PostgresQueue
from govkit.jobs.registry import FinalFailure, JobDeps, TaskSpec, call_task, registered_tasks
from govkit.settings import Settings

logger = logging.getLogger(__name__)

STALLED_TASK = "govkit.retry_stalled_jobs"
MAINTENANCE_QUEUE = "govkit_maintenance"  # served by every worker, whatever its --queue
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def uses_workers(db: Database, settings: Settings) -> bool:
    """Whether jobs go to ``govkit worker`` processes (PostgreSQL) rather than run in-process."""
    return db.dialect == "postgresql" and not settings.jobs_in_process


def job_queue(db: Database, settings: Settings, extras: Mapping[str, object] | None = None) -> JobQueue:
    """The queue of this process (build it once, at start-up; ``extras`` reach in-process tasks)."""
    if uses_workers(db, settings):
        return PostgresQueue()
    return InProcessQueue(db, settings, extras)


def worker_deps(db: Database, settings: Settings, extras: Mapping[str, object] | None = None) -> JobDeps:
    """What the tasks of a worker are given."""
    return JobDeps(db=db, settings=settings, jobs=PostgresQueue(), extras=dict(extras or {}))


def conninfo(database_url: str) -> str:
    """libpq's connection string for a govkit PostgreSQL URL."""
    return sa.make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class Backoff(procrastinate.BaseRetryStrategy):
    """``retries`` more attempts after the first, waiting as ``govkit.jobs.attempts.retry_delay``."""

    def __init__(self, retries: int, settings: Settings) -> None:
        self.retries = retries
        self.settings = settings

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate_jobs.Job
    ) -> procrastinate.RetryDecision | None:
        if job.attempts >= self.retries or isinstance(exception, FinalFailure):  # attempts: those before this one
            return None
        delay = retry_delay(self.settings, job.attempts + 1)
        return procrastinate.RetryDecision(retry_at=utcnow() + timedelta(seconds=delay))


def build_app(deps: JobDeps, *, max_connections: int = 8) -> procrastinate.App:
    """The procrastinate App of the registered tasks, on ``deps.settings.database_url``."""
    settings = deps.settings
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(settings.database_url), max_size=max_connections)
    app = procrastinate.App(connector=connector)
    for spec in registered_tasks().values():
        _add_task(app, spec, deps)
    _add_stalled_recovery(app, deps)
    return app


def _attempt(spec: TaskSpec, deps: JobDeps, job_id: int, attempt: int, args: dict[str, Any]) -> None:
    """One attempt of a job, in a worker thread; a failure is recorded, then raised to procrastinate."""
    try:
        call_task(spec, deps, args)
    except Exception as exc:
        record_failure(
            deps.db,
            engine=PROCRASTINATE,
            job_id=job_id,
            attempt=attempt,
            task_name=spec.name,
            reason=failure_reason(exc),
        )
        raise


def _add_task(app: procrastinate.App, spec: TaskSpec, deps: JobDeps) -> None:
    async def run(context: procrastinate.JobContext, **args: Any) -> None:
        job = context.job
        assert job.id is not None
        if spec.cron is not None:
            args.pop("timestamp", None)  # procrastinate's tick; govkit's periodic tasks take no argument
        # a thread per job: `--concurrency N` runs N blocking tasks at once
        await asyncio.to_thread(_attempt, spec, deps, job.id, job.attempts + 1, args)

    task = app.task(name=spec.name, queue=spec.queue, pass_context=True, retry=Backoff(spec.retries, deps.settings))(
        run
    )
    if spec.cron is not None:
        # procrastinate types a periodic task as taking its `timestamp` first, positionally: it
        # arrives as a keyword, among **args (its types lack a keyword-only periodic task)
        periodic = app.periodic(cron=spec.cron, periodic_id=spec.name, lock=f"cron:{spec.name}")
        periodic(task)  # type: ignore[arg-type]  # procrastinate lacks types for a task taking **args only


def _add_stalled_recovery(app: procrastinate.App, deps: JobDeps) -> None:
    async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
        await recover_stalled_jobs(context.app.job_manager, deps)

    task = app.task(name=STALLED_TASK, queue=MAINTENANCE_QUEUE, pass_context=True, lock=STALLED_TASK)(
        retry_stalled_jobs
    )
    app.periodic(cron=deps.settings.job_stalled_check_cron, periodic_id="stalled")(task)


async def recover_stalled_jobs(manager: JobManager, deps: JobDeps) -> int:
    """Retry (or fail, when out of retries) the jobs of workers silent for GOVKIT_JOB_STALLED_SECONDS;
    how many were found."""
    seconds = deps.settings.job_stalled_seconds
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    tasks = registered_tasks()
    for job in stalled:
        assert job.id is not None
        spec = tasks.get(job.task_name)
        retry = spec is not None and job.attempts < spec.retries
        try:
            if retry:
                await manager.retry_job(job)
            else:
                await manager.finish_job(job, status=procrastinate_jobs.Status.FAILED, delete_job=False)
        except Exception as exc:  # another worker's recovery came first
            logger.info("stalled job %s left alone: %s", job.id, exc)
            continue
        reason = f"the worker running it stopped during the job (no sign of life for {seconds:g} s)"
        await asyncio.to_thread(
            record_failure,
            deps.db,
            engine=PROCRASTINATE,
            job_id=job.id,
            attempt=job.attempts + 1,
            task_name=job.task_name,
            reason=reason,
        )
        logger.warning("job %s (%s): %s; %s", job.id, job.task_name, reason, "retried" if retry else "failed")
    return len(stalled)


async def run_worker(
    app: procrastinate.App, settings: Settings, *, concurrency: int, queues: Iterable[str] = ()
) -> int | None:
    """Run one worker until a stop signal; the signal received (None if it ended otherwise)."""
    wanted = list(queues)
    options: dict[str, Any] = {
        "queues": [*wanted, MAINTENANCE_QUEUE] if wanted else None,
        "name": f"{socket.gethostname()}-worker",
        "concurrency": concurrency,
        "fetch_job_polling_interval": settings.job_poll_seconds,
        "abort_job_polling_interval": settings.job_poll_seconds,
        "update_heartbeat_interval": settings.job_heartbeat_seconds,
        "stalled_worker_timeout": settings.job_stalled_seconds,
        "install_signal_handlers": False,  # govkit's own below: the first signal stops, later ones are ignored
    }
    loop = asyncio.get_running_loop()
    received: list[int] = []
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(**options))

        def stop(signum: int) -> None:
            if not received:
                received.append(signum)
                logger.info("%s: finishing the jobs under way, then stopping", signal.Signals(signum).name)
                worker.cancel()  # procrastinate then stops fetching and waits for the jobs under way

        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, stop, signum)
        try:
            await worker
        except asyncio.CancelledError:
            if not received:
                raise
        finally:
            for signum in STOP_SIGNALS:
                loop.remove_signal_handler(signum)
    return received[0] if received else None
