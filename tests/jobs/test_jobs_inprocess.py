"""The in-process engine (SQLite, the embedded default): the same task functions run in a thread
of the process after the deferring transaction commits, retried with the same back-off, and
recorded so that they show like the workers' jobs."""

from __future__ import annotations

import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.access.roles import SYSTEM
from govkit.db import Database, create_db_engine, utcnow
from govkit.jobs import service
from govkit.jobs.inprocess import JOBS, InProcessQueue
from govkit.jobs.registry import import_task_modules
from govkit.jobs.service import JobStatus
from tests.conftest import fresh_database_url, make_settings
from tests.jobs_tasks import CHAIN, FAILS, PAIR, RECORD, create_effects, effects

T = TypeVar("T")


@pytest.fixture
def local(tmp_path: Path) -> Iterator[InProcessQueue]:
    import_task_modules(["tests.jobs_tasks"])
    url = fresh_database_url("sqlite", "govkit_test_inprocess_jobs", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    create_effects(engine)
    queue = InProcessQueue(Database(engine), make_settings(url, job_retry_base_seconds=0.01, job_poll_seconds=0.2))
    try:
        yield queue
    finally:
        queue.close()
        engine.dispose()


def _marks(queue: InProcessQueue) -> Counter[str]:
    assert isinstance(queue.db.bind, sa.Engine)
    return Counter(f"{mark}:{part}" for mark, part, _ in effects(queue.db.bind))


def _jobs(queue: InProcessQueue, **filters: str) -> list[service.JobView]:
    return service.list_jobs(db=queue.db, actor=SYSTEM, **filters)


def wait_until(found: Callable[[], T], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := found()):
        assert time.monotonic() < deadline, f"nothing after {timeout:g} s"
        time.sleep(0.05)
    return value


def test_jobs_run_once_after_their_transaction_commits_and_never_after_a_rollback(local: InProcessQueue) -> None:
    def fails_after_deferring() -> None:
        with local.db.transaction() as session:
            local.defer(session, RECORD, key=None, mark="rolled-back")
            raise RuntimeError("the change that needed the job failed")

    with pytest.raises(RuntimeError):
        fails_after_deferring()
    with local.db.transaction() as session:
        assert local.defer(session, RECORD, key="k", mark="keyed") is not None
        assert local.defer(session, RECORD, key="k", mark="keyed-again") is None  # one queued job per key
        local.defer(session, CHAIN, key=None, mark="parent")
    with local.db.statements() as connection:  # a Connection's transaction too
        local.defer(connection, RECORD, key=None, mark="by-connection")
    local.drain(timeout=20)
    assert _marks(local) == {"keyed:done": 1, "parent:parent": 1, "parent/child:done": 1, "by-connection:done": 1}
    assert {(j.task, j.status, j.attempts) for j in _jobs(local)} == {
        (RECORD, JobStatus.SUCCEEDED, 1),
        (CHAIN, JobStatus.SUCCEEDED, 1),
    }
    assert len(_jobs(local)) == 4 and all(j.id.startswith("local-") and j.finished_at for j in _jobs(local))


def test_a_failing_job_is_retried_then_failed_with_its_reason_and_nothing_half_written(local: InProcessQueue) -> None:
    with local.db.transaction() as session:
        local.defer(session, FAILS, key=None, mark="printer")
    local.drain(timeout=20)
    assert _marks(local) == {"printer:started": 3}  # retries=2, and the half-written rows rolled back
    (job,) = _jobs(local, status="failed")
    assert job.attempts == 3 and job.failure_reason == "RuntimeError: the printer is on fire (printer)"
    assert _jobs(local, status="succeeded") == [] and _jobs(local, task=RECORD) == []


def test_drain_waits_for_the_jobs_and_says_when_it_gave_up(local: InProcessQueue) -> None:
    with local.db.transaction() as session:
        local.defer(session, RECORD, key=None, mark="slow", seconds=0.6)
    with pytest.raises(TimeoutError, match="1 background job"):
        local.drain(timeout=0.1)
    local.drain(timeout=20)
    assert _marks(local) == {"slow:done": 1}


def test_a_job_left_running_by_an_ended_process_runs_again(local: InProcessQueue) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    now = utcnow()
    with local.db.transaction() as session:
        job_id = session.execute(
            sa.insert(JOBS)
            .values(task_name=PAIR, queue="default", key=None, args={"mark": "left"}, status="running", attempts=0)
            .values(runner=f"{socket.gethostname()}:{dead.pid}", created_at=now, scheduled_at=now, started_at=now)
            .returning(JOBS.c.id)
        ).scalar_one()
    local.start()  # the runner finds the job left running, and queues it again
    (job,) = wait_until(lambda: [j for j in _jobs(local) if j.status is JobStatus.SUCCEEDED])
    assert job.id == f"local-{job_id}" and job.attempts == 2
    assert job.failure_reason == "the process running it ended during the job"
    assert _marks(local) == {"left:started": 1, "left:first": 1, "left:second": 1}
