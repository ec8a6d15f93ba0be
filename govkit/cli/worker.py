"""`govkit worker`: run background jobs (renders, webhooks, reminders, rule runs...) from the
PostgreSQL queue. Any number of workers, on any number of machines, share one database: each job
runs once (procrastinate takes it with ``FOR UPDATE SKIP LOCKED``).

SIGTERM or SIGINT: the worker takes no new job, lets the jobs under way finish, and ends killed by
that signal (as `govkit serve` does); later signals are ignored, the stop being under way. A
worker killed outright (SIGKILL, a lost machine) stops sending heartbeats: after
GOVKIT_JOB_STALLED_SECONDS another worker puts its jobs back in the queue.

On SQLite there is nothing to run here: jobs run in-process, in the command or server that
deferred them, after its transaction commits.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import settings as current_settings
from govkit.cli.wiring import wired
from govkit.stopping import Stopped, stops_cleanly

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@friendly
@stops_cleanly
def worker(
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=64, help="Jobs run at once (default: GOVKIT_WORKER_CONCURRENCY)")
    ] = None,
    queue: Annotated[
        list[str] | None, typer.Option("--queue", help="Run only this queue's jobs (repeat for several; default: all)")
    ] = None,
    log_level: Annotated[str, typer.Option(help="critical, error, warning, info or debug")] = "info",
) -> None:
    """Run background jobs from the PostgreSQL queue until stopped (SIGTERM, Ctrl-C)."""
    from sqlalchemy import make_url

    settings = current_settings()
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        fail("govkit worker needs PostgreSQL: on SQLite, jobs run in the command or server that deferred them.")
    if settings.jobs_in_process:
        fail("GOVKIT_JOBS_IN_PROCESS is set: jobs run in the processes that defer them, not in govkit worker.")
    if log_level.lower() not in LOG_LEVELS:
        fail(f"Unknown log level {log_level!r}: use one of {', '.join(LOG_LEVELS)}.")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from govkit.jobs.engine import build_app, run_worker, worker_deps

    jobs_at_once = concurrency or settings.worker_concurrency
    # This process's commits (a job's own writes, its completion) do not wait for the disk: each
    # job is idempotent, and the write-ahead log keeps their order, so a job is never recorded done
    # without what it wrote; a crash of the database server may only make the jobs of its last
    # fraction of a second run again. Two workers on two cores then share them (bench/jobscale.py).
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off".strip()
    with wired(settings) as wiring:
        deps = worker_deps(wiring.db, settings, extras=wiring.job_extras)
        app = build_app(deps, max_connections=jobs_at_once + 4)
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        queues = ", ".join(queue) if queue else "all queues"
        err.print(f"govkit worker: {jobs_at_once} job(s) at once, {queues}, on {where}")
        received = asyncio.run(run_worker(app, settings, concurrency=jobs_at_once, queues=queue or ()))
    if received is None:
        fail("the worker stopped by itself (see the log above): start it again once the cause is fixed.")
    err.print("govkit worker: stopped")
    raise Stopped(received)
