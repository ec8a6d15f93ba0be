"""Events to intranets and e-mail gateways: one job per delivery, HMAC-signed, every attempt recorded.

An event is a ``webhook_delivery`` row per configured URL, written with a ``webhooks.deliver``
job in the transaction of the change that caused it (``webhook_events.enqueue``): the event and its
delivery commit together or not at all. Each run of that job makes one attempt and records it;
a failed attempt raises ``DeliveryFailed`` so that the job engine retries it later with
back-off, until ``GOVKIT_WEBHOOK_ATTEMPTS`` attempts have been made; the delivery is then
recorded as failed, with its last error, and its job fails at once (``DeliveryGaveUp``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import httpx
from sqlmodel import col, select

from govkit.acknowledgements import campaign_progress as campaign_queries
from govkit.acknowledgements.models import Campaign, WebhookDelivery
from govkit.acknowledgements.webhook_events import campaign_payload, enqueue
from govkit.days import utc_day, utc_today
from govkit.db import Database, utcnow
from govkit.documents.models import DocumentVersion
from govkit.jobs.queue import JobQueue
from govkit.jobs.registry import FinalFailure
from govkit.organisations.models import Organisation

SIGNATURE_HEADER = "X-Govkit-Signature"
#: How much of a receiver's answer (or of an error) a delivery keeps.
ERROR_CHARS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers (and tests): constant-time comparison of the signature."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class DeliveryFailed(Exception):
    """An attempt failed and attempts remain: the job engine runs the delivery again later."""


class DeliveryGaveUp(FinalFailure):
    """The last attempt failed: the delivery is recorded as failed, and so is its job."""


def deliver(*, db: Database, delivery_id: int, secret: str | None, timeout: float, attempts: int) -> str:
    """Make one attempt at a pending delivery and record it; return the delivery's status.

    "delivered" once the receiver answered 2xx; raises ``DeliveryFailed`` when the attempt failed
    and attempts remain, ``DeliveryGaveUp`` when it was the ``attempts``-th (the delivery is then
    recorded as failed). A delivery already delivered or failed is left as it is (the job may run
    again after a crash): its status is returned without sending anything.
    """
    with db.reading() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return "missing"
    if delivery.status != "pending":
        return delivery.status
    code, error = _post(delivery, secret, timeout)
    with db.transaction() as session:
        row = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        assert row is not None
        if row.status != "pending":  # recorded meanwhile by a run that had overlapped this one
            return row.status
        row.log = [*row.log, {"attempt": len(row.log) + 1, "at": utcnow().isoformat(), "status": code, "error": error}]
        row.attempts = len(row.log)
        row.last_status_code = code
        row.last_error = error
        if code is not None and 200 <= code < 300:
            row.status, row.delivered_at = "delivered", utcnow()
        elif row.attempts >= attempts:
            row.status = "failed"
        session.add(row)
        status, made = row.status, row.attempts
    if status == "delivered":
        return status
    failure = f"{delivery.event} to {delivery.url}: attempt {made} of {attempts} failed ({error})"
    raise DeliveryGaveUp(failure) if status == "failed" else DeliveryFailed(failure)


def _post(delivery: WebhookDelivery, secret: str | None, timeout: float) -> tuple[int | None, str | None]:
    """One signed POST of the delivery's payload: the status code (None if none came) and the error."""
    body = json.dumps(delivery.payload, sort_keys=True, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Govkit-Event": delivery.event,
        "X-Govkit-Delivery": str(delivery.id),
        "X-Govkit-Timestamp": timestamp,
        "User-Agent": "govkit-webhooks/1",
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
    try:
        response = _client().post(delivery.url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    return response.status_code, None if response.is_success else response.text[:ERROR_CHARS]


@cache
def _client() -> httpx.Client:
    """The process's HTTP client: its TLS context (tens of milliseconds to build) and its
    connections serve every delivery."""
    return httpx.Client(follow_redirects=False)


def delivery_statuses(*, db: Database, ids: Collection[int]) -> dict[str, int]:
    """How many of the deliveries ``ids`` are pending, delivered and failed."""
    counts = {"pending": 0, "delivered": 0, "failed": 0}
    if not ids:
        return counts
    with db.reading() as session:
        for status in session.exec(select(WebhookDelivery.status).where(col(WebhookDelivery.id).in_(list(ids)))):
            counts[status] += 1
    return counts


@dataclass
class ReminderReport:
    reminders: int = 0
    overdue: int = 0
    #: The deliveries queued (one per event and URL), each with its job.
    deliveries: list[int] = field(default_factory=list)


def enqueue_due_events(
    *,
    db: Database,
    jobs: JobQueue,
    urls: list[str],
    interval_days: int,
    days: int,
    today: date | None = None,
) -> ReminderReport:
    """Queue a reminder for each open campaign with pending persons (at most every ``interval_days``),
    and one overdue event per campaign past its deadline; their delivery jobs commit with them."""
    report = ReminderReport()
    if not urls:
        return report
    today = today or utc_today()
    with db.transaction() as session:
        open_campaigns = list(session.exec(select(Campaign).where(col(Campaign.closed_at).is_(None))).all())
        statuses = campaign_queries.statuses(session, open_campaigns, today=today, days=days)
        for status in statuses:
            campaign = status.campaign
            if status.total.pending <= 0:
                continue
            previous = session.exec(
                select(WebhookDelivery.event, WebhookDelivery.created_at).where(
                    WebhookDelivery.campaign_id == campaign.id
                )
            ).all()
            document = session.get(DocumentVersion, campaign.document_version_id)
            organisation = session.get(Organisation, campaign.organisation_id)
            assert document is not None
            assert organisation is not None
            payload = {
                **campaign_payload(campaign, document, organisation.code),
                "concerned": status.total.concerned,
                "acknowledged": status.total.acknowledged,
                "pending": status.total.pending,
            }
            last_reminder = max((at for event, at in previous if event == "campaign.reminder"), default=None)
            if last_reminder is None or utc_day(last_reminder) <= today - timedelta(days=interval_days):
                report.deliveries += enqueue(session, "campaign.reminder", campaign, payload, urls, jobs)
                report.reminders += 1
            if campaign.deadline < today and not any(event == "campaign.overdue" for event, _ in previous):
                report.deliveries += enqueue(session, "campaign.overdue", campaign, payload, urls, jobs)
                report.overdue += 1
    return report
