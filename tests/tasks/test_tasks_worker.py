"""Two real `govkit worker` processes share one PostgreSQL queue: the renders of every school's
variant and the webhook deliveries of the campaigns opened, each run once, by either worker."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import govkit.tasks  # noqa: F401 - registers the tasks deferred here
from govkit import migrations
from govkit.access.roles import SYSTEM
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.webhooks import SIGNATURE_HEADER, check_signature
from govkit.composition import render_pool
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.documents import service as documents
from govkit.documents.variants import RENDER_VARIANT
from govkit.flows.publication import publish_variant
from govkit.jobs.queue import BURST, PostgresQueue
from tests.acknowledgements.test_webhooks import SECRET, Receiver, running_receiver
from tests.conftest import BACKENDS, fresh_database_url, make_settings
from tests.system.test_serving import environment
from tests.tasks.test_tasks_renders import new_root_version, variants_by_school

ROOT = Path(__file__).resolve().parents[2]
SCHOOLS = 8
WORKER_SETTINGS = {
    "GOVKIT_JOB_POLL_SECONDS": "0.2",
    "GOVKIT_JOB_RETRY_BASE_SECONDS": "0.2",
    "GOVKIT_RENDER_WORKERS": "1",  # renders in a sandboxed process with its limits
    "GOVKIT_GRANT_CACHE_SECONDS": "0",
    "GOVKIT_WEBHOOK_SECRET": SECRET,
    "GOVKIT_WEBHOOK_ATTEMPTS": "2",
    "GOVKIT_WEBHOOK_TIMEOUT_SECONDS": "2",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A PostgreSQL database of its own (workers must see committed rows), with the demo schools."""
    if "postgresql" not in BACKENDS:
        pytest.fail("`govkit worker` runs on PostgreSQL (GOVKIT_TEST_DATABASES excludes it)")
    url = fresh_database_url("postgresql", "govkit_test_tasks_worker", tmp_path)
    migrations.upgrade(url=url)
    made = create_db_engine(url)
    load_demo(db=Database(made), persons_per_school=3)
    try:
        yield made
    finally:
        made.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


def jobs_of(db: Database, *tasks: str) -> list[sa.Row]:
    with db.reading() as session:
        query = "SELECT id, task_name, lock, status, attempts, worker_id FROM procrastinate_jobs"
        return list(session.execute(sa.text(query + " WHERE task_name = ANY(:t) ORDER BY id"), {"t": list(tasks)}))


def wait_for(what: str, done: object, timeout: float, logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in logs.glob("*.log"))
            pytest.fail(f"waited {timeout:g} s for {what}\n{tails}", pytrace=False)
        time.sleep(0.1)


def test_two_workers_render_every_school_once_and_deliver_the_webhooks(
    engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    db, jobs, pool = Database(engine), PostgresQueue(), render_pool(make_settings())
    new_root_version(db, pool)
    summary = documents.render_variants(db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr")
    env = {**environment(engine.url.render_as_string(hide_password=False)), **WORKER_SETTINGS}
    workers = []
    for n in range(2):
        log = (tmp_path / f"worker-{n}.log").open("wb")
        command = [sys.executable, "-m", "govkit", "worker", "--concurrency", "2"]
        workers.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
    try:

        def registered() -> bool:
            with db.reading() as session:
                return session.execute(sa.text("SELECT count(*) FROM procrastinate_workers")).scalar_one() == 2

        wait_for("both workers to start", registered, 30, tmp_path)
        # every school's internal regulation published: a campaign opens, and both events (campaign.opened,
        # document.published) have their webhook delivery jobs: to the receiver, and to a port where
        # nothing listens (failed after 2 attempts)
        dead = receiver.url.replace(str(receiver.server_address[1]), "9")
        policy = CampaignPolicy(webhook_urls=(receiver.url, dead), jobs=jobs)
        for _org, variant in summary.variants:
            publish_variant(db=db, actor=SYSTEM, variant_id=variant.id, policy=policy)  # type: ignore[arg-type]
        # a new root version: its renders queued, and queued again while the workers run them
        version = new_root_version(db, pool, body="Deuxième version pour {{ school.short_name }}.")
        for _ in range(2):
            keys = documents.queue_renders(db=db, actor=SYSTEM, jobs=jobs, kind="internal", language="fr")
            assert len(keys) == SCHOOLS

        def finished() -> bool:
            return all(j.status in ("succeeded", "failed") for j in jobs_of(db, RENDER_VARIANT, "webhooks.deliver"))

        wait_for("the render and webhook jobs", finished, 45, tmp_path)
        done = jobs_of(db, RENDER_VARIANT, "webhooks.deliver")
        ran_by = {j.worker_id for j in done}
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(20)
    assert SCHOOLS <= len([j for j in done if j.task_name == RENDER_VARIANT]) <= 2 * SCHOOLS
    hooks = [j for j in done if j.task_name == "webhooks.deliver"]
    renders = [j for j in done if j.task_name == RENDER_VARIANT]
    assert len(hooks) == 2 * 2 * SCHOOLS  # two events, two URLs
    assert {(j.status, j.attempts) for j in renders} == {("succeeded", 1)}  # each once, none retried
    assert (
        sorted((j.status, j.attempts) for j in hooks)
        == [("failed", 2)] * 2 * SCHOOLS + [("succeeded", 1)] * 2 * SCHOOLS
    )
    assert len(ran_by) == 2, "both workers took jobs from the shared queue"
    assert [p.returncode for p in workers] == [-signal.SIGTERM] * 2
    by_school = variants_by_school(db, version.id)  # type: ignore[arg-type]
    assert len(by_school) == SCHOOLS
    assert set(by_school.values()) == {1}  # every school's variant rendered exactly once
    assert len(receiver.received) == 2 * SCHOOLS  # every delivery sent once
    schools: dict[str, set[str]] = {}
    for headers, body in receiver.received:
        assert check_signature(SECRET, headers["X-Govkit-Timestamp"], body, headers[SIGNATURE_HEADER])
        schools.setdefault(headers["X-Govkit-Event"], set()).add(json.loads(body)["school"])
    assert {event: len(codes) for event, codes in schools.items()} == {
        "campaign.opened": SCHOOLS,
        "document.published": SCHOOLS,
    }
    for event in ("campaign.opened", "document.published"):
        with db.reading() as session:
            query = "SELECT status, attempts, url FROM webhook_delivery WHERE event = :e ORDER BY status"
            statuses = [tuple(s) for s in session.execute(sa.text(query), {"e": event})]
        assert statuses == [("delivered", 1, receiver.url)] * SCHOOLS + [("failed", 2, dead)] * SCHOOLS


def test_a_burst_of_jobs_refreshes_the_queue_statistics(engine: Engine) -> None:
    """A transaction deferring BURST jobs or more leaves procrastinate_jobs analysed with them: the
    workers' fetch then takes the next job by index, not by comparing every queued job with every
    other (as statistics taken on an empty queue lead the planner to)."""
    db, jobs = Database(engine), PostgresQueue()

    def reltuples() -> float:
        with db.reading() as session:
            query = "SELECT reltuples FROM pg_class WHERE relname = 'procrastinate_jobs'"
            return float(session.execute(sa.text(query)).scalar_one())

    with db.transaction() as session:
        session.execute(sa.text("ANALYZE procrastinate_jobs"))  # as autovacuum left it: an empty queue
    assert reltuples() <= 0
    with db.transaction() as session:
        for n in range(BURST - 1):
            jobs.defer(session, "webhooks.deliver", key=f"webhook:{n}", delivery_id=n)
    assert reltuples() <= 0  # fewer: nothing more than the defers
    with db.transaction() as session:
        for n in range(BURST, 2 * BURST + 50):
            jobs.defer(session, "webhooks.deliver", key=f"webhook:{n}", delivery_id=n)
    assert reltuples() >= 2 * BURST - 1  # the earlier ones, and this burst's own (uncommitted then)
