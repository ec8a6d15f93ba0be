"""Webhook events: each delivery recorded with its job in the transaction of the change that caused it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from govkit.acknowledgements.models import Campaign, WebhookDelivery
from govkit.documents.models import DocumentVersion
from govkit.jobs.queue import JobQueue

#: The job sending one webhook delivery (govkit.tasks.webhooks; govkit.acknowledgements.webhooks.deliver).
DELIVER_WEBHOOK = "webhooks.deliver"


def enqueue(
    session: Session,
    event: str,
    campaign: Campaign | None,
    payload: dict,
    urls: Sequence[str],
    jobs: JobQueue | None,
) -> list[int]:
    """Record the event's delivery to each URL with its job, in the caller's transaction; their ids."""
    if not urls:
        return []
    if jobs is None:
        raise ValueError("webhook URLs are configured but no job queue was given to deliver to them")
    deliveries = [
        WebhookDelivery(
            event=event,
            campaign_id=campaign.id if campaign else None,
            url=url,
            payload={"event": event, **payload},
        )
        for url in urls
    ]
    session.add_all(deliveries)
    session.flush()
    ids = [d.id for d in deliveries if d.id is not None]
    for delivery_id in ids:
        jobs.defer(session, DELIVER_WEBHOOK, key=f"webhook:{delivery_id}", delivery_id=delivery_id)
    return ids


def campaign_payload(campaign: Campaign, document: DocumentVersion, school: str) -> dict:
    return {
        "campaign_id": campaign.id,
        "school": school,
        "kind": campaign.kind,
        "document_version_id": document.id,
        "version": document.number,
        "change_kind": campaign.change_kind,
        "deadline": campaign.deadline.isoformat(),
        "sha256": document.sha256,
    }
