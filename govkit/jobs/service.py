"""The background jobs as legal staff see them: queued, running, succeeded, failed and why.

One shape for both engines: procrastinate's rows (PostgreSQL; times from its event log) and the
in-process engine's, each with the reason of its last failure from ``job_failure``. Newest first.
The jobs recovering stalled jobs (every worker runs one a minute) are left out unless asked for
by task name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.db import Database, table_of, utcnow
from govkit.errors import InvalidInput
from govkit.jobs.engine import MAINTENANCE_QUEUE, STALLED_TASK
from govkit.jobs.inprocess import JOBS
from govkit.jobs.models import IN_PROCESS, PROCRASTINATE, JobFailure

MAX_FIRST = 500
FAILURES = table_of(JobFailure)


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker, or for its next attempt
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # out of attempts: the reason says why
    CANCELLED = "cancelled"


#: procrastinate's statuses, and the in-process engine's, in govkit's words.
_PROCRASTINATE_STATUS = {
    "todo": JobStatus.QUEUED,
    "doing": JobStatus.RUNNING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "aborted": JobStatus.FAILED,
    "aborting": JobStatus.RUNNING,
    "cancelled": JobStatus.CANCELLED,
}


@dataclass(frozen=True)
class JobView:
    id: str  # procrastinate's job id; "local-<id>" for an in-process job
    engine: str
    task: str
    key: str | None
    queue: str
    status: JobStatus
    attempts: int  # attempts made (a running one included)
    failure_reason: str | None  # why the last failed attempt failed
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None  # a queued job waiting for its retry


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def parse_status(text: str | None) -> JobStatus | None:
    if text is None:
        return None
    try:
        return JobStatus(text)
    except ValueError:
        raise InvalidInput(
            f"Unknown job status {text!r}: choose one of {', '.join(s.value for s in JobStatus)}.",
            key="unknown_job_status",
            params={"text": text},
        ) from None


def list_jobs(
    *, db: Database, actor: Principal, status: str | None = None, task: str | None = None, first: int = 50
) -> list[JobView]:
    """The ``first`` newest jobs, of one status and one task when given (legal staff)."""
    authorize(actor, Action.READ_JOBS)
    wanted = parse_status(status)
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"first must be between 1 and {MAX_FIRST}.", key="page_size", params={"most": MAX_FIRST})
    with db.reading() as session:
        found = _inprocess_jobs(session, wanted, task, first)
        if db.dialect == "postgresql":
            found += _procrastinate_jobs(session, wanted, task, first)
    found.sort(key=lambda job: job.queued_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return found[:first]


def _last_failure(engine: str, job_id: Any) -> Any:
    return (
        sa.select(FAILURES.c.reason)
        .where(FAILURES.c.engine == engine, FAILURES.c.job_id == job_id)
        .order_by(FAILURES.c.attempt.desc(), FAILURES.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _inprocess_jobs(session: Session, status: JobStatus | None, task: str | None, first: int) -> list[JobView]:
    query = (
        sa.select(JOBS, _last_failure(IN_PROCESS, JOBS.c.id).label("reason")).order_by(JOBS.c.id.desc()).limit(first)
    )
    if status is not None:
        query = query.where(JOBS.c.status == status.value)
    if task is not None:
        query = query.where(JOBS.c.task_name == task)
    now = utcnow()
    return [
        JobView(
            id=f"local-{row.id}",
            engine=IN_PROCESS,
            task=row.task_name,
            key=row.key,
            queue=row.queue,
            status=JobStatus(row.status),
            attempts=row.attempts + (row.status == "running"),
            failure_reason=row.reason,
            queued_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            next_attempt_at=row.scheduled_at if row.status == "queued" and row.scheduled_at > now else None,
        )
        for row in session.execute(query).all()
    ]


_PROCRASTINATE_JOBS = """
SELECT j.id, j.task_name, j.lock, j.queue_name, j.status::text AS status, j.attempts, j.scheduled_at,
       (SELECT min(e.at) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'deferred') AS queued_at,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'started') AS started_at,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id
         AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished_at,
       (SELECT f.reason FROM job_failure f WHERE f.engine = :engine AND f.job_id = j.id
         ORDER BY f.attempt DESC, f.id DESC LIMIT 1) AS reason
FROM procrastinate_jobs j
WHERE (CAST(:task AS varchar) IS NULL AND j.queue_name <> :maintenance OR j.task_name = :task)
"""


def _procrastinate_jobs(session: Session, status: JobStatus | None, task: str | None, first: int) -> list[JobView]:
    sql = _PROCRASTINATE_JOBS
    values: dict[str, Any] = {"engine": PROCRASTINATE, "task": task, "maintenance": MAINTENANCE_QUEUE, "first": first}
    if status is not None:
        sql += " AND j.status::text IN :statuses"
        values["statuses"] = [name for name, mine in _PROCRASTINATE_STATUS.items() if mine is status]
    statement = sa.text(sql + " ORDER BY j.id DESC LIMIT :first")
    if status is not None:
        statement = statement.bindparams(sa.bindparam("statuses", expanding=True))
    now = utcnow()
    return [
        JobView(
            id=str(row.id),
            engine=PROCRASTINATE,
            task=row.task_name,
            key=row.lock,
            queue=row.queue_name,
            status=_PROCRASTINATE_STATUS.get(row.status, JobStatus.FAILED),
            attempts=row.attempts + (row.status == "doing"),
            failure_reason=row.reason,
            queued_at=_utc(row.queued_at),
            started_at=_utc(row.started_at),
            finished_at=_utc(row.finished_at),
            next_attempt_at=(
                _utc(row.scheduled_at) if row.status == "todo" and row.scheduled_at and row.scheduled_at > now else None
            ),
        )
        for row in session.execute(statement, values).all()
    ]


__all__ = ["STALLED_TASK", "JobStatus", "JobView", "list_jobs", "parse_status"]
