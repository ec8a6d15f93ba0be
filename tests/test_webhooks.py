"""Webhooks to a real HTTP server on 127.0.0.1: signed, retried with back-off, every delivery recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.models import WebhookDelivery
from govkit.acknowledgements.webhooks import SIGNATURE_HEADER, check_signature, deliver_pending, enqueue_due_events
from govkit.db import Database
from tests.ack_helpers import republish

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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _deliveries(db: Database) -> list[WebhookDelivery]:
    with db.reading() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())


def test_campaign_opened_is_signed_retried_and_recorded(db: Database, receiver: Receiver) -> None:
    republish(db, "imt-mines-ales", "internal", "substantive", policy=CampaignPolicy(webhook_urls=(receiver.url,)))
    (queued,) = [d for d in _deliveries(db) if d.status == "pending"]
    assert queued.event == "campaign.opened"
    receiver.failures_left = 1
    slept: list[float] = []
    report = deliver_pending(db=db, secret=SECRET, timeout=5, attempts=3, backoff=0.25, sleep=slept.append)
    assert (report.delivered, report.failed, report.retried) == (1, 0, 1)
    assert slept == [0.25]
    assert len(receiver.received) == 2
    headers, body = receiver.received[-1]
    assert headers["X-Govkit-Event"] == "campaign.opened"
    assert check_signature(SECRET, headers["X-Govkit-Timestamp"], body, headers[SIGNATURE_HEADER])
    assert not check_signature("another secret", headers["X-Govkit-Timestamp"], body, headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["school"] == "imt-mines-ales"
    assert payload["kind"] == "internal"
    (delivered,) = [d for d in _deliveries(db) if d.id == queued.id]
    assert delivered.status == "delivered"
    assert delivered.attempts == 2
    assert [entry["status"] for entry in delivered.log] == [503, 204]
    assert deliver_pending(db=db, secret=SECRET, timeout=5, attempts=3, sleep=slept.append).delivered == 0


def test_an_unreachable_receiver_is_recorded_as_failed(db: Database, receiver: Receiver) -> None:
    dead = receiver.url.replace(str(receiver.server_address[1]), "9")  # discard port: nothing listens
    republish(db, "imt-mines-ales", "internal", "substantive", policy=CampaignPolicy(webhook_urls=(dead,)))
    report = deliver_pending(db=db, secret=SECRET, timeout=2, attempts=2, backoff=0, sleep=lambda _s: None)
    assert report.failed == 1
    failed = next(d for d in _deliveries(db) if d.url == dead)
    assert failed.status == "failed"
    assert failed.attempts == 2
    assert "ConnectError" in (failed.last_error or "")


def test_reminders_and_overdue_events_are_due_once(db: Database, receiver: Receiver) -> None:
    urls = [receiver.url]
    first = enqueue_due_events(db=db, urls=urls, interval_days=7, days=30, today=date.today())
    assert first.reminders > 0
    assert first.overdue == 0
    assert enqueue_due_events(db=db, urls=urls, interval_days=7, days=30, today=date.today()).reminders == 0
    later = enqueue_due_events(db=db, urls=urls, interval_days=7, days=30, today=date.today() + timedelta(days=60))
    assert later.reminders == first.reminders
    assert later.overdue == first.reminders
    again = enqueue_due_events(db=db, urls=urls, interval_days=7, days=30, today=date.today() + timedelta(days=61))
    assert again.overdue == 0  # an overdue event is sent once per campaign
    queued = first.reminders + later.reminders + later.overdue + again.reminders
    report = deliver_pending(db=db, secret=SECRET, timeout=5, attempts=1, sleep=lambda _s: None)
    assert report.delivered == len(receiver.received) == queued
    events = {json.loads(body)["event"] for _headers, body in receiver.received}
    assert events == {"campaign.reminder", "campaign.overdue"}
