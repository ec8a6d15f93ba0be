"""The job engine on PostgreSQL, with real `govkit worker` processes: a job exists if and only if
the transaction that deferred it commits, runs once, and a key queues it once."""

from __future__ import annotations

import signal
from collections import Counter

import pytest
import sqlalchemy as sa

from govkit.jobs.queue import PostgresQueue
from govkit.jobs.service import JobStatus
from tests.jobs_tasks import CHAIN, RECORD, effects
from tests.jobs_workers import Queue, queue_fixture  # noqa: F401 - the `queue` fixture

pytestmark = pytest.mark.postgresql


def _queued_with_key(queue: Queue, key: str) -> int:
    with queue.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM procrastinate_jobs WHERE lock = :key AND status = 'todo'"), {"key": key}
        ).scalar_one()


def test_a_job_runs_once_if_and_only_if_its_transaction_commits(queue: Queue) -> None:
    def fails_after_deferring() -> None:
        with queue.db.transaction() as session:
            PostgresQueue().defer(session, RECORD, key=None, mark="rolled-back")
            raise RuntimeError("the change that needed the job failed")

    with pytest.raises(RuntimeError):
        fails_after_deferring()
    committed = queue.defer(RECORD, mark="committed")
    first = queue.defer(RECORD, key="school:42", mark="keyed")
    again = queue.defer(RECORD, key="school:42", mark="keyed-again")
    queue.defer(CHAIN, mark="parent")
    assert committed is not None and first is not None
    assert again is None, "a second job with a queued job's key was queued"
    assert _queued_with_key(queue, "school:42") == 1

    worker = queue.start_worker("--concurrency", "2")
    queue.wait_for(
        lambda: {"committed", "keyed", "parent/child"} <= {m for m, _, _ in effects(queue.engine)}, "the jobs"
    )
    queue.wait_for(lambda: all(j.status is JobStatus.SUCCEEDED for j in queue.jobs()), "every job to succeed")

    marks = Counter(mark for mark, _, _ in effects(queue.engine))
    assert marks == {"committed": 1, "keyed": 1, "parent": 1, "parent/child": 1}
    assert {(j.task, j.key, j.attempts) for j in queue.jobs()} == {
        (RECORD, None, 1),
        (RECORD, "school:42", 1),
        (CHAIN, None, 1),
        (RECORD, "child-of-parent", 1),
    }
    # the key stops a second copy only while the first waits: once it ran, the key queues again
    assert queue.defer(RECORD, key="school:42", mark="keyed-later") is not None

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == -signal.SIGTERM


def test_two_workers_share_forty_jobs_and_never_run_one_twice(queue: Queue) -> None:
    queue.start_workers(2, "--concurrency", "2")  # both listening before the first job is queued
    with queue.db.transaction() as session:
        for n in range(40):
            PostgresQueue().defer(session, RECORD, key=f"job-{n}", mark=f"job-{n}", seconds=0.1)

    queue.wait_for(lambda: len(effects(queue.engine)) >= 40, "the forty jobs", timeout=30)
    queue.wait_for(lambda: len(queue.jobs(status="succeeded")) == 40, "forty jobs marked succeeded")
    done = effects(queue.engine)
    assert sorted(mark for mark, _, _ in done) == sorted(f"job-{n}" for n in range(40)), "a job ran twice or never"
    assert len({pid for _, _, pid in done}) == 2, "one worker ran every job: the queue was not shared"
    assert all(j.attempts == 1 and j.failure_reason is None for j in queue.jobs())
