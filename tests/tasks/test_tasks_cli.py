"""`govkit remind` and `govkit render --background`, run as a user runs them: through the job
queue, waited for on SQLite (in-process), left to `govkit worker` on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.access.roles import SYSTEM
from govkit.composition import render_pool
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.documents import service as documents
from govkit.flows.publication import publish_variant
from tests.acknowledgements.test_webhooks import Receiver, running_receiver
from tests.conftest import BACKENDS, SECRET, fresh_database_url, make_settings
from tests.tasks.test_tasks_renders import new_root_version, variants_by_school

SCHOOLS = 8


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of the demo schools, each with an internal regulation in force (campaign open)."""
    made = fresh_database_url(request.param, "govkit_test_tasks_cli", tmp_path)
    migrations.upgrade(url=made)
    engine = create_db_engine(made)
    db, pool = Database(engine), render_pool(make_settings())
    load_demo(db=db, persons_per_school=3)
    new_root_version(db, pool)
    for _org, variant in documents.render_variants(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr"
    ).variants:
        publish_variant(db=db, actor=SYSTEM, variant_id=variant.id)  # type: ignore[arg-type]
    engine.dispose()
    return made


def govkit(*args: str, url: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVKIT_DATABASE_URL": url, "GOVKIT_SECRET_KEY": SECRET, "GOVKIT_ENV": "dev", **settings}
    command = [sys.executable, "-m", "govkit", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def queued_jobs(url: str, task: str) -> list[tuple[str, str]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT lock, status FROM procrastinate_jobs WHERE task_name = :t ORDER BY id")
            return [tuple(r) for r in conn.execute(query, {"t": task})]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_remind_delivers_through_the_queue(url: str, receiver: Receiver, tmp_path: Path) -> None:
    hooks = {"GOVKIT_WEBHOOK_URLS": json.dumps([receiver.url]), "GOVKIT_WEBHOOK_SECRET": "s"}
    done = govkit("remind", url=url, cwd=tmp_path, **hooks)
    assert done.returncode == 0, done.stderr
    assert f"{SCHOOLS} reminders and 0 overdue events queued" in done.stderr
    if url.startswith("sqlite"):
        assert f"{SCHOOLS} deliveries sent, 0 failed" in done.stderr
        assert len(receiver.received) == SCHOOLS
    else:
        assert f"{SCHOOLS} deliveries queued for govkit worker" in done.stderr
        assert receiver.received == []
        assert [status for _key, status in queued_jobs(url, "webhooks.deliver")] == ["todo"] * SCHOOLS
    again = govkit("remind", url=url, cwd=tmp_path, **hooks)
    assert again.returncode == 0, again.stderr
    assert "0 reminders and 0 overdue events queued" in again.stderr


def test_render_in_the_background(url: str, tmp_path: Path) -> None:
    engine = create_db_engine(url)
    try:
        version = new_root_version(Database(engine), render_pool(make_settings()), body="Version 3.")
        done = govkit("render", "--background", "--kind", "internal", url=url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        if url.startswith("sqlite"):
            assert f"{SCHOOLS} render jobs (one per school) run by this command" in done.stderr
            by_school = variants_by_school(Database(engine), version.id)  # type: ignore[arg-type]
            assert len(by_school) == SCHOOLS
        else:
            assert f"{SCHOOLS} render jobs (one per school) queued for govkit worker" in done.stderr
            with engine.connect() as conn:
                schools = conn.execute(sa.text("SELECT code FROM organisation WHERE type = 'school'")).scalars()
                expected = sorted((f"render:{version.id}:{code}:fr", "todo") for code in schools)
            assert sorted(queued_jobs(url, "documents.render_variant")) == expected
    finally:
        engine.dispose()
    wrong = govkit("render", "--background", "--kind", "internal", "-o", "x.docx", url=url, cwd=tmp_path)
    assert wrong.returncode != 0
    assert "With --background" in wrong.stderr
