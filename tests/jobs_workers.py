"""Real `govkit worker` processes on a PostgreSQL database of their own, for the job engine's
tests: fast polling, heartbeats and back-off through GOVKIT_* settings, and the test tasks of
tests.jobs_tasks through GOVKIT_JOB_MODULES."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from govkit import migrations
from govkit.access.roles import SYSTEM
from govkit.db import Database, create_db_engine
from govkit.jobs import service
from govkit.jobs.queue import PostgresQueue
from govkit.jobs.registry import import_task_modules
from tests.conftest import BACKENDS, fresh_database_url
from tests.jobs_tasks import create_effects
from tests.system.test_serving import environment

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

FAST = {
    "GOVKIT_JOB_MODULES": '["tests.jobs_tasks"]',
    "GOVKIT_JOB_POLL_SECONDS": "0.2",
    "GOVKIT_JOB_HEARTBEAT_SECONDS": "0.5",
    "GOVKIT_JOB_STALLED_SECONDS": "3",
    "GOVKIT_JOB_STALLED_CHECK_CRON": "* * * * * *",  # every second (6th field: seconds)
    "GOVKIT_JOB_RETRY_BASE_SECONDS": "0.1",
    "GOVKIT_RENDER_WORKERS": "0",
    "GOVKIT_GRANT_CACHE_SECONDS": "0",
}


@dataclass
class Queue:
    """A migrated PostgreSQL database with the effects table, and its worker processes."""

    url: str
    engine: Engine
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return Database(self.engine)

    def defer(self, task: str, *, key: str | None = None, **args: Any) -> int | None:
        with self.db.transaction() as session:
            return PostgresQueue().defer(session, task, key=key, **args)

    def start_worker(self, *options: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "govkit", "worker", *options],
            env={**environment(self.url), **FAST},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def start_workers(self, count: int, *options: str) -> list[subprocess.Popen[bytes]]:
        """``count`` workers, returned once each has registered in ``procrastinate_workers``: a
        worker still importing on a loaded machine would otherwise find its share already done."""
        started = [self.start_worker(*options) for _ in range(count)]
        self.wait_for(lambda: self._registered() >= count, f"{count} workers to register", timeout=60)
        return started

    def _registered(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM procrastinate_workers")).scalar_one()

    def jobs(self, *, periodic: bool = False, **filters: Any) -> list[service.JobView]:
        """The jobs queued, those the workers' schedules queued only with ``periodic`` (a worker
        running across a minute's start queues the every-minute jobs, whatever the test does)."""
        found = service.list_jobs(db=self.db, actor=SYSTEM, first=500, **filters)
        return found if periodic else [j for j in found if not (j.key or "").startswith("cron:")]

    def wait_for(self, found: Callable[[], T], what: str, timeout: float = 30.0) -> T:
        """``found()`` once it is truthy; the test fails naming ``what`` after ``timeout`` seconds,
        with the end of each worker's log."""
        deadline = time.monotonic() + timeout
        while True:
            value = found()
            if value:
                return value
            if time.monotonic() > deadline:
                logs = "\n".join(
                    f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                    for log in sorted(self.logs.glob("worker-*.log"))
                )
                pytest.fail(f"waited {timeout:g} s for {what}\n{logs}", pytrace=False)
            time.sleep(0.1)

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(name="queue")
def queue_fixture(tmp_path: Path) -> Iterator[Queue]:
    if "postgresql" not in BACKENDS:
        pytest.fail("the job engine runs on PostgreSQL (GOVKIT_TEST_DATABASES excludes it)")
    import_task_modules(["tests.jobs_tasks"])
    url = fresh_database_url("postgresql", "govkit_test_jobs", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    create_effects(engine)
    made = Queue(url=url, engine=engine, logs=tmp_path)
    try:
        yield made
    finally:
        made.stop_all()
        engine.dispose()
