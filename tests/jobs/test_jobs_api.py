"""The background jobs in GraphQL: legal staff see them, with why a job failed; nobody else."""

from __future__ import annotations

import pytest

from govkit.db import Database, utcnow
from govkit.jobs.models import IN_PROCESS, InProcessJob, JobFailure
from govkit.jobs.queue import PostgresQueue
from govkit.jobs.registry import import_task_modules
from tests.conftest import Api, TokenFactory
from tests.jobs_tasks import FAILS, RECORD

JOBS = """query($status: JobStatus, $task: String, $first: Int! = 50) {
  jobs(status: $status, task: $task, first: $first) {
    id engine task key queue status attempts failureReason queuedAt startedAt finishedAt nextAttemptAt
  }
}"""


def _record_jobs(db: Database) -> None:
    """A failed in-process job and its reason; on PostgreSQL also a job queued for the workers."""
    import_task_modules(["tests.jobs_tasks"])
    now = utcnow()
    with db.transaction() as session:
        job = InProcessJob(task_name=FAILS, queue="default", key="printer", args={"mark": "p"}, status="failed")
        job.attempts, job.started_at, job.finished_at = 3, now, now
        session.add(job)
        session.flush()
        assert job.id is not None
        for attempt in (1, 2, 3):
            reason = f"RuntimeError: the printer is on fire (attempt {attempt})"
            session.add(JobFailure(engine=IN_PROCESS, job_id=job.id, attempt=attempt, task_name=FAILS, reason=reason))
        if db.dialect == "postgresql":
            PostgresQueue().defer(session, RECORD, key="school:42", mark="queued")


def test_legal_staff_see_the_jobs_and_why_one_failed(api: Api, db: Database, token: TokenFactory) -> None:
    _record_jobs(db)
    legal = token("legal")
    jobs = api.data(JOBS, token=legal)["jobs"]
    failed = [j for j in jobs if j["status"] == "FAILED"]
    assert len(failed) == 1
    assert failed[0]["task"] == FAILS and failed[0]["attempts"] == 3 and failed[0]["engine"] == "inprocess"
    assert failed[0]["failureReason"] == "RuntimeError: the printer is on fire (attempt 3)"
    assert failed[0]["finishedAt"] and failed[0]["id"].startswith("local-")
    if db.dialect == "postgresql":
        (queued,) = [j for j in jobs if j["status"] == "QUEUED"]
        assert (queued["task"], queued["key"], queued["attempts"], queued["engine"]) == (
            RECORD,
            "school:42",
            0,
            "procrastinate",
        )
        assert queued["queuedAt"] and queued["startedAt"] is None and queued["failureReason"] is None
    assert api.data(JOBS, {"status": "FAILED"}, token=legal)["jobs"] == failed
    assert api.data(JOBS, {"task": "no.such.task"}, token=legal)["jobs"] == []


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        ((), "UNAUTHENTICATED"),
        (("member", "imt-atlantique", "E00001"), "FORBIDDEN"),
        (("school_admin", "imt-atlantique"), "FORBIDDEN"),
        (("auditor",), "FORBIDDEN"),
    ],
)
def test_nobody_else_sees_the_jobs(
    api: Api, db: Database, token: TokenFactory, caller: tuple[str, ...], code: str
) -> None:
    _record_jobs(db)
    body = api.graphql(JOBS, token=token(*caller) if caller else None).json()
    assert body["errors"][0]["extensions"]["code"] == code
    assert body.get("data") is None


def test_a_page_size_out_of_range_is_refused(api: Api, token: TokenFactory) -> None:
    body = api.graphql(JOBS, {"first": 0}, token=token("legal")).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "first must be between 1 and 500" in body["errors"][0]["message"]


def test_the_jobs_page_shows_legal_staff_the_jobs_in_their_language(
    api: Api, db: Database, token: TokenFactory
) -> None:
    _record_jobs(db)
    legal = {"Cookie": f"govkit_session={token('legal')}"}  # the pages' session cookie
    page = api.request("GET", "/ui/jobs?lang=en", headers=legal)
    assert page.status_code == 200
    assert "Background jobs" in page.text and "RuntimeError: the printer is on fire (attempt 3)" in page.text
    french = api.request("GET", "/ui/jobs?lang=fr&status=failed", headers=legal)
    assert "Tâches de fond" in french.text and "échouée" in french.text
    assert "school:42" not in french.text  # the queued one is filtered out
    refused = api.request(
        "GET", "/ui/jobs", headers={"Cookie": f"govkit_session={token('school_admin', 'imt-atlantique')}"}
    )
    assert refused.status_code == 403 and "printer" not in refused.text
    assert api.request("GET", "/ui/jobs?status=lost", headers=legal).status_code == 400
