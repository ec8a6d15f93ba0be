"""Webhooks to a real HTTP server on 127.0.0.1: one job per delivery, committed with its event,
signed, retried with back-off by the job engine, every attempt recorded on the delivery.

These run the in-process engine (on SQLite, and on PostgreSQL with the same queue, inside the
test's transaction); tests/tasks/test_tasks_worker.py has real `govkit worker` processes deliver them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import col, select

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.models import WebhookDelivery
from govkit.acknowledgements.webhook_events import enqueue
from govkit.acknowledgements.webhooks import SIGNATURE_HEADER, check_signature, enqueue_due_events
from govkit.days import utc_today
from govkit.db import Database
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.models import InProcessJob, JobFailure
from govkit.tasks import webhooks as webhook_tasks
from tests.ack_helpers import republish
from tests.conftest import make_settings

SECRET = "webhook-secret-for-the-tests"


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.failures_left = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/govkit"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))
        if self.server.failures_left > 0:
            self.server.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"try again later")
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver serving on a thread of its own until the block ends."""
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


def job_queue(db: Database, **settings: Any) -> InProcessQueue:
    """The in-process engine with short back-offs (50 ms, 100 ms...)."""
    given = {"webhook_secret": SECRET, "webhook_timeout_seconds": 5, "job_retry_base_seconds": 0.05, **settings}
    return InProcessQueue(db, make_settings(**given))


@pytest.fixture
def queue(db: Database) -> Iterator[InProcessQueue]:
    jobs = job_queue(db)
    yield jobs
    jobs.close()


def _deliveries(db: Database) -> list[WebhookDelivery]:
    with db.reading() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())  # type: ignore[arg-type]


def _jobs(db: Database, name: str) -> list[InProcessJob]:
    with db.reading() as session:
        return list(session.exec(select(InProcessJob).where(InProcessJob.task_name == name)).all())


def test_campaign_opened_is_signed_retried_and_recorded(
    db: Database, receiver: Receiver, queue: InProcessQueue
) -> None:
    receiver.failures_left = 1
    policy = CampaignPolicy(webhook_urls=(receiver.url,), jobs=queue)
    republish(db, "imt-mines-ales", "internal", "substantive", policy=policy)
    queue.drain(timeout=30)
    # the publication's own event (document.published, tests/documents/test_document_published_event.py) aside
    opened = [(h, b) for h, b in receiver.received if h["X-Govkit-Event"] == "campaign.opened"]
    assert len(opened) == 2  # 503, then (after the engine's back-off) 204
    headers, body = opened[-1]
    assert headers["X-Govkit-Event"] == "campaign.opened"
    assert check_signature(SECRET, headers["X-Govkit-Timestamp"], body, headers[SIGNATURE_HEADER])
    assert not check_signature("another secret", headers["X-Govkit-Timestamp"], body, headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["school"] == "imt-mines-ales"
    assert payload["kind"] == "internal"
    assert opened[0][1] == body  # the retry sends the same body
    (delivered,) = [d for d in _deliveries(db) if d.url == receiver.url and d.event == "campaign.opened"]
    assert headers["X-Govkit-Delivery"] == str(delivered.id)
    assert delivered.status == "delivered"
    assert delivered.attempts == 2
    assert [entry["status"] for entry in delivered.log] == [503, 204]
    (job,) = [j for j in _jobs(db, "webhooks.deliver") if j.key == f"webhook:{delivered.id}"]
    assert (job.key, job.status, job.attempts, job.args) == (
        f"webhook:{delivered.id}",
        "succeeded",
        2,
        {"delivery_id": delivered.id},
    )
    with db.reading() as session:
        reasons = session.exec(
            select(JobFailure.reason).where(JobFailure.job_id == job.id).order_by(col(JobFailure.id))
        ).all()
    assert len(reasons) == 1
    assert "attempt 1 of 3 failed" in reasons[0]
    # the job run again (after a crash, say) sends nothing more
    sent = len(receiver.received)
    webhook_tasks.deliver(queue.deps, delivery_id=delivered.id)  # type: ignore[arg-type]
    assert len(receiver.received) == sent


def test_no_delivery_without_its_event(db: Database, receiver: Receiver, queue: InProcessQueue) -> None:
    """The event and its delivery job commit together: a transaction rolled back sends nothing."""
    before = len(_deliveries(db))

    class Abort(Exception):
        pass

    def event_then_failure() -> None:
        with db.transaction() as session:
            assert enqueue(session, "campaign.reminder", None, {"school": "imt-mines-ales"}, [receiver.url], queue)
            raise Abort

    with pytest.raises(Abort):
        event_then_failure()
    queue.drain(timeout=10)
    assert len(_deliveries(db)) == before
    assert receiver.received == []
    assert _jobs(db, "webhooks.deliver") == []


def test_an_unreachable_receiver_is_recorded_as_failed(db: Database, receiver: Receiver) -> None:
    dead = receiver.url.replace(str(receiver.server_address[1]), "9")  # discard port: nothing listens
    jobs = job_queue(db, webhook_attempts=2, webhook_timeout_seconds=2)
    try:
        republish(
            db, "imt-mines-ales", "internal", "substantive", policy=CampaignPolicy(webhook_urls=(dead,), jobs=jobs)
        )
        jobs.drain(timeout=30)
    finally:
        jobs.close()
    failed = next(d for d in _deliveries(db) if d.url == dead and d.event == "campaign.opened")
    assert failed.status == "failed"
    assert failed.attempts == 2
    assert failed.last_status_code is None
    assert "ConnectError" in (failed.last_error or "")
    (job,) = [j for j in _jobs(db, "webhooks.deliver") if j.key == f"webhook:{failed.id}"]
    assert (job.status, job.attempts) == ("failed", 2)  # GOVKIT_WEBHOOK_ATTEMPTS, not the engine's 10
    with db.reading() as session:
        reasons = session.exec(
            select(JobFailure.reason).where(JobFailure.job_id == job.id).order_by(col(JobFailure.id))
        ).all()
    assert len(reasons) == 2
    assert "attempt 2 of 2 failed (ConnectError" in reasons[-1]


def test_reminders_and_overdue_events_are_due_once(db: Database, receiver: Receiver, queue: InProcessQueue) -> None:
    urls = [receiver.url]

    def due(days_later: int) -> tuple[int, int, list[int]]:
        today = utc_today() + timedelta(days=days_later)
        report = enqueue_due_events(db=db, jobs=queue, urls=urls, interval_days=7, days=30, today=today)
        return report.reminders, report.overdue, report.deliveries

    reminders, overdue, first = due(0)
    assert reminders > 0
    assert overdue == 0
    assert due(0) == (0, 0, [])
    later = due(60)
    assert later[:2] == (reminders, reminders)
    again = due(61)  # reminded again (the last reminder was recorded today, in fact)
    assert again[1] == 0  # an overdue event is sent once per campaign
    queue.drain(timeout=30)
    queued = first + later[2] + again[2]
    assert len(receiver.received) == len(queued)
    assert sorted(int(headers["X-Govkit-Delivery"]) for headers, _body in receiver.received) == sorted(queued)
    events = {json.loads(body)["event"] for _headers, body in receiver.received}
    assert events == {"campaign.reminder", "campaign.overdue"}
    assert {d.status for d in _deliveries(db) if d.id in queued} == {"delivered"}


def test_webhook_urls_without_a_job_queue_are_refused(db: Database, receiver: Receiver) -> None:
    with pytest.raises(ValueError, match="no job queue"):
        republish(db, "imt-mines-ales", policy=CampaignPolicy(webhook_urls=(receiver.url,)))
    assert not [d for d in _deliveries(db) if d.url == receiver.url]
