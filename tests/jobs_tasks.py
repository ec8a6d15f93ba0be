"""Test-only tasks, registered in the test process by import and in `govkit worker` processes
through GOVKIT_JOB_MODULES='["tests.jobs_tasks"]'. Each records what it did in
``job_test_effect`` (created by ``create_effects``), committed or rolled back with its work."""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from govkit.jobs.registry import JobDeps, task

RECORD, PAIR, FAILS, CHAIN = "test.record", "test.pair", "test.fails", "test.chain"


def create_effects(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS job_test_effect"))
        connection.execute(
            sa.text("CREATE TABLE job_test_effect (mark VARCHAR(100) NOT NULL, part VARCHAR(20) NOT NULL, pid INTEGER)")
        )


def effects(engine: Engine, part: str | None = None) -> list[tuple[str, str, int]]:
    query = "SELECT mark, part, pid FROM job_test_effect" + (" WHERE part = :part" if part else "")
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query), {"part": part}).all()]  # type: ignore[misc]


def _effect(session: Session, mark: str, part: str) -> None:
    session.execute(
        sa.text("INSERT INTO job_test_effect (mark, part, pid) VALUES (:mark, :part, :pid)"),
        {"mark": mark, "part": part, "pid": os.getpid()},
    )


@task(RECORD, retries=0)
def record(deps: JobDeps, *, mark: str, seconds: float = 0.0) -> None:
    time.sleep(seconds)
    with deps.db.transaction() as session:
        _effect(session, mark, "done")


@task(PAIR, retries=3)
def pair(deps: JobDeps, *, mark: str, sleep_first: float = 0.0) -> None:
    """Writes two rows in one transaction; its first attempt sleeps between them."""
    with deps.db.transaction() as session:
        _effect(session, mark, "started")  # committed by itself: counts the attempts
        starts = session.execute(
            sa.text("SELECT count(*) FROM job_test_effect WHERE mark = :mark AND part = 'started'"), {"mark": mark}
        ).scalar_one()
    with deps.db.transaction() as session:
        _effect(session, mark, "first")
        session.flush()
        if starts == 1:
            time.sleep(sleep_first)
        _effect(session, mark, "second")


@task(FAILS, retries=2)
def fails(deps: JobDeps, *, mark: str) -> None:
    with deps.db.transaction() as session:
        _effect(session, mark, "started")
    with deps.db.transaction() as session:
        _effect(session, mark, "half")
        raise RuntimeError(f"the printer is on fire ({mark})")


@task(CHAIN, retries=0)
def chain(deps: JobDeps, *, mark: str) -> None:
    with deps.db.transaction() as session:
        _effect(session, mark, "parent")
        deps.jobs.defer(session, RECORD, key=f"child-of-{mark}", mark=f"{mark}/child")
