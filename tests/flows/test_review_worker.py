"""The publication flow with a real `govkit worker` process on PostgreSQL: a substantive root version
requested by one legal officer and approved by another queues one render job per school; the worker
renders them (a school whose profile lacks a value fails, and its administration is e-mailed); the
ready schools are put in force at once, each with its new campaign."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

import govkit.tasks  # noqa: F401 - registers the tasks deferred here
from govkit import migrations
from govkit.access.roles import Principal, Role
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.models import Campaign
from govkit.approvals import service as approvals
from govkit.composition import render_pool
from govkit.days import utc_today
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.flows import publication_reviews, review_in_force, root_publication
from govkit.jobs.queue import PostgresQueue
from govkit.notifications.models import NoticeMessage
from tests.conftest import BACKENDS, fresh_database_url, make_settings
from tests.flows.review_helpers import SCHOOLS, break_profile, school_administrator
from tests.system.test_serving import environment
from tests.tasks.test_tasks_renders import new_root_version
from tests.tasks.test_tasks_worker import WORKER_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
ALICE = Principal(role=Role.LEGAL, subject="alice@imt.example")
BOB = Principal(role=Role.LEGAL, subject="bob@imt.example")
BODY = "Règlement de {{ school.short_name }} ; cellule d'écoute : {{ school.listening_cell.kind_label }}."


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A PostgreSQL database of its own (the worker must see committed rows), with the demo schools."""
    if "postgresql" not in BACKENDS:
        pytest.fail("`govkit worker` runs on PostgreSQL (GOVKIT_TEST_DATABASES excludes it)")
    url = fresh_database_url("postgresql", "govkit_test_review_worker", tmp_path)
    migrations.upgrade(url=url)
    made = create_db_engine(url)
    load_demo(db=Database(made), persons_per_school=3)
    try:
        yield made
    finally:
        made.dispose()


def test_a_worker_renders_the_review_and_the_ready_schools_are_put_in_force(engine: Engine, tmp_path: Path) -> None:
    db, jobs, pool = Database(engine), PostgresQueue(), render_pool(make_settings())
    version = new_root_version(db, pool, body=BODY, publish=False)
    missing, _had = break_profile(db, "imt-bs")
    school_administrator(db, "imt-bs", "direction@imt-bs.example")
    asked = root_publication.publish_root_version(
        db=db,
        actor=ALICE,
        jobs=jobs,
        four_eyes=True,
        version_id=version.id or 0,
        change_kind="substantive",
        changelog="Première trame.",
    )
    assert asked.approval is not None and asked.review is None
    handlers = {root_publication.ROOT_PUBLICATION: root_publication.carry_out(jobs)}
    approved = approvals.approve(db=db, actor=BOB, handlers=handlers, approval_id=asked.approval.id or 0)
    review_id = approved.outcome["review_id"]
    log = (tmp_path / "worker.log").open("wb")
    env = {**environment(engine.url.render_as_string(hide_password=False)), **WORKER_SETTINGS}
    worker = subprocess.Popen(
        [sys.executable, "-m", "govkit", "worker", "--concurrency", "2"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            review = publication_reviews.get_review(db=db, actor=BOB, review_id=review_id)
            if review.counts["pending"] == 0:
                break
            if time.monotonic() > deadline or worker.poll() is not None:
                pytest.fail(f"renders unfinished: {review.counts}\n{(tmp_path / 'worker.log').read_text()[-3000:]}")
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(30)
    failed = {s.school for s in review.schools if s.status == "failed"}
    assert "imt-bs" in failed and review.counts["ready"] == SCHOOLS - len(failed) > 0
    bs = next(s for s in review.schools if s.school == "imt-bs")
    assert bs.missing == [missing]
    with db.reading() as session:
        told = session.exec(select(NoticeMessage).where(NoticeMessage.recipient == "direction@imt-bs.example")).all()
    assert len(told) == 1 and "imt-bs" not in told[0].subject and str(review_id) in told[0].body

    done = review_in_force.put_in_force(
        db=db, actor=BOB, review_id=review_id, effective_from=utc_today(), policy=CampaignPolicy(jobs=jobs)
    )
    assert {r.school for r in done} == {s.school for s in review.schools} - failed
    with db.reading() as session:
        opened = session.exec(
            select(Campaign).where(col(Campaign.document_version_id).in_([r.document_version_id for r in done]))
        ).all()
        persons = session.execute(sa.text("SELECT count(*) FROM person")).scalar_one()
    assert len(opened) == len(done) and persons > 0
