"""govkit's own job tables, on both databases (procrastinate's tables exist on PostgreSQL only).

- ``inprocess_job``: the jobs the in-process engine runs (SQLite, or GOVKIT_JOBS_IN_PROCESS),
  one row per job: queued, running, succeeded or failed, with its attempts and times.
- ``job_failure``: why an attempt failed, in plain words, for both engines (procrastinate keeps
  no error message): written by the task wrapper in its own transaction, so a failure that
  rolled the task's work back is still told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import not_personal

#: The engines a job may belong to, as recorded in ``job_failure.engine``.
PROCRASTINATE = "procrastinate"
IN_PROCESS = "inprocess"


class InProcessJob(SQLModel, table=True):
    """A job run in-process after the commit of the transaction that deferred it."""

    __tablename__ = "inprocess_job"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status"),
        # no unique index on the queued key: a failed job goes back to the queue for its retry
        # even when another job with its key was queued meanwhile (both are idempotent)
        sa.Index("ix_inprocess_job_key_status", "key", "status"),
        sa.Index("ix_inprocess_job_status_scheduled_at", "status", "scheduled_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    task_name: str = Field(max_length=128, sa_column_kwargs=not_personal("the task's name"))
    queue: str = Field(max_length=128, sa_column_kwargs=not_personal("a background job: task, queue, status and times"))
    key: str | None = Field(
        default=None, max_length=255, sa_column_kwargs=not_personal("a background job: task, queue, status and times")
    )
    args: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONType,
        sa_column_kwargs=not_personal("the task's arguments: ids, never names or e-mails"),
    )
    status: str = Field(
        default="queued",
        max_length=10,
        sa_column_kwargs=not_personal("a background job: task, queue, status and times"),
    )
    attempts: int = Field(
        default=0, sa_column_kwargs=not_personal("a background job: task, queue, status and times")
    )  # attempts finished (failed ones included)
    runner: str | None = Field(
        default=None, max_length=100, sa_column_kwargs=not_personal("a background job: task, queue, status and times")
    )  # host:pid of the process running it
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    scheduled_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )  # not before
    started_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    finished_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )


class JobFailure(SQLModel, table=True):
    """One failed attempt of a job, and why."""

    __tablename__ = "job_failure"
    __table_args__ = (
        sa.CheckConstraint("engine IN ('procrastinate', 'inprocess')", name="engine"),
        sa.Index("ix_job_failure_engine_job_id", "engine", "job_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    engine: str = Field(
        max_length=20, sa_column_kwargs=not_personal("a background job's failure: task, attempt and time")
    )
    job_id: int = Field(
        sa_type=sa.BigInteger, sa_column_kwargs=not_personal("a background job's failure: task, attempt and time")
    )
    attempt: int = Field(
        sa_column_kwargs=not_personal("a background job's failure: task, attempt and time")
    )  # 1 for the first attempt
    task_name: str = Field(max_length=128, sa_column_kwargs=not_personal("the task's name"))
    reason: str = Field(
        sa_type=sa.Text, sa_column_kwargs=not_personal("the technical error; job arguments and logs hold ids only")
    )
    failed_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
