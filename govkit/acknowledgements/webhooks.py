"""Events to intranets and e-mail gateways: an outbox of deliveries, HMAC-signed, retried with back-off."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from sqlmodel import col, select

from govkit.acknowledgements import campaigns as campaign_queries
from govkit.acknowledgements.campaigns import enqueue
from govkit.acknowledgements.models import Campaign, WebhookDelivery
from govkit.db import Database, utcnow
from govkit.documents.models import DocumentVersion
from govkit.organisations.models import Organisation

SIGNATURE_HEADER = "X-Govkit-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers (and tests): constant-time comparison of the signature."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    retried: int = 0


def deliver_pending(
    *,
    db: Database,
    secret: str | None,
    timeout: float,
    attempts: int,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    limit: int = 500,
) -> DeliveryReport:
    """Send the pending deliveries; each is recorded with its attempts, status code and errors."""
    report = DeliveryReport()
    with db.reading() as session:
        pending = list(
            session.exec(
                select(WebhookDelivery)
                .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
                .order_by(col(WebhookDelivery.id))
                .limit(limit)
            ).all()
        )
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for delivery in pending:
            body = json.dumps(delivery.payload, sort_keys=True, ensure_ascii=False).encode()
            log = list(delivery.log)
            status, code, error = "failed", None, None
            for attempt in range(1, attempts + 1):
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
                    response = client.post(delivery.url, content=body, headers=headers)
                    code, error = response.status_code, None if response.is_success else response.text[:300]
                except httpx.HTTPError as exc:
                    code, error = None, f"{type(exc).__name__}: {exc}"[:300]
                log.append({"attempt": len(log) + 1, "at": utcnow().isoformat(), "status": code, "error": error})
                if code is not None and 200 <= code < 300:
                    status = "delivered"
                    break
                if attempt < attempts:
                    report.retried += 1
                    sleep(backoff * 2 ** (attempt - 1))
            with db.transaction() as session:
                row = session.get(WebhookDelivery, delivery.id)
                assert row is not None
                row.status = status
                row.attempts = len(log)
                row.last_status_code = code
                row.last_error = error
                row.log = log
                row.delivered_at = utcnow() if status == "delivered" else None
                session.add(row)
            if status == "delivered":
                report.delivered += 1
            else:
                report.failed += 1
    return report


@dataclass
class ReminderReport:
    reminders: int = 0
    overdue: int = 0


def enqueue_due_events(
    *, db: Database, urls: list[str], interval_days: int, days: int, today: date | None = None
) -> ReminderReport:
    """Queue a reminder for each open campaign with pending persons (at most every ``interval_days``),
    and one overdue event per campaign past its deadline."""
    report = ReminderReport()
    if not urls:
        return report
    today = today or date.today()
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
                **campaign_queries.campaign_payload(campaign, document, organisation.code),
                "concerned": status.total.concerned,
                "acknowledged": status.total.acknowledged,
                "pending": status.total.pending,
            }
            last_reminder = max((at for event, at in previous if event == "campaign.reminder"), default=None)
            if last_reminder is None or last_reminder.date() <= today - timedelta(days=interval_days):
                enqueue(session, "campaign.reminder", campaign, payload, urls)
                report.reminders += 1
            if campaign.deadline < today and not any(event == "campaign.overdue" for event, _ in previous):
                enqueue(session, "campaign.overdue", campaign, payload, urls)
                report.overdue += 1
    return report
