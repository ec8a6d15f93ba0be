"""Faults of the job engine with real `govkit worker` processes on PostgreSQL: a worker killed
mid-job leaves the job to another, with nothing half-written; a job that keeps failing stops
after its retries and says why; a stopped worker lets its job finish and leaves no process."""

from __future__ import annotations

import os
import signal
from collections import Counter

import pytest

from govkit.jobs.service import JobStatus
from tests.jobs_tasks import FAILS, PAIR, effects
from tests.jobs_workers import Queue, queue_fixture  # noqa: F401 - the `queue` fixture
from tests.system.test_serving import descendants

pytestmark = pytest.mark.postgresql


def test_a_worker_killed_mid_job_leaves_it_to_another_with_nothing_half_written(queue: Queue) -> None:
    job_id = queue.defer(PAIR, key="pair", mark="pair", sleep_first=60)
    first, second = queue.start_worker(), queue.start_worker()
    started = queue.wait_for(lambda: effects(queue.engine, "started"), "the job to start")
    (_, _, pid), *_ = started
    victim = first if first.pid == pid else second
    assert victim.pid == pid
    os.kill(pid, signal.SIGKILL)  # between the two rows of its transaction
    assert victim.wait(10) == -signal.SIGKILL

    queue.wait_for(lambda: effects(queue.engine, "second"), "another worker to retry the job", timeout=30)
    done = Counter((mark, part) for mark, part, _ in effects(queue.engine))
    assert done == {("pair", "started"): 2, ("pair", "first"): 1, ("pair", "second"): 1}
    assert {p for _, part, p in effects(queue.engine) if part == "second"} != {pid}
    (job,) = queue.wait_for(lambda: [j for j in queue.jobs(task=PAIR) if j.status is JobStatus.SUCCEEDED], "success")
    assert job.id == str(job_id) and job.attempts == 2
    assert job.failure_reason is not None and "worker running it stopped" in job.failure_reason


def test_a_job_that_keeps_failing_stops_after_its_retries_and_says_why(queue: Queue) -> None:
    queue.defer(FAILS, mark="printer")
    queue.start_worker()
    (job,) = queue.wait_for(lambda: queue.jobs(status="failed"), "the job to fail for good")
    assert job.task == FAILS and job.attempts == 3  # retries=2: three attempts
    assert job.failure_reason == "RuntimeError: the printer is on fire (printer)"
    assert job.finished_at is not None and job.next_attempt_at is None
    done = Counter(part for _, part, _ in effects(queue.engine))
    assert done == {"started": 3}, "a failed attempt left its writes behind"


def test_sigterm_lets_the_job_under_way_finish_and_leaves_no_process(queue: Queue) -> None:
    queue.defer(PAIR, mark="slow", sleep_first=1.5)
    worker = queue.start_worker()
    queue.wait_for(lambda: effects(queue.engine, "started"), "the job to start")
    family = descendants(worker.pid)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == -signal.SIGTERM
    assert Counter(part for _, part, _ in effects(queue.engine)) == {"started": 1, "first": 1, "second": 1}
    (job,) = queue.jobs(task=PAIR)
    assert job.status is JobStatus.SUCCEEDED and job.attempts == 1
    assert not [p for p in family if os.path.exists(f"/proc/{p}")], "the worker left processes behind"
