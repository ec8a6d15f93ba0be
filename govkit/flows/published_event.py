"""The "document.published" event: a school's document version put in force, told to the webhook
URLs (GOVKIT_WEBHOOK_URLS) in the publication's transaction, delivered by ``webhooks.deliver`` jobs
like the campaigns' events (govkit.acknowledgements.webhooks).

Its payload says which document (school, kind, language, version, SHA-256, effective date, the
kind of change) and where anybody reads it: the absolute public addresses of the document in force
and of this very version (GOVKIT_PUBLIC_URL), null for a kind that is not public
(GOVKIT_PUBLIC_KINDS)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.webhook_events import enqueue
from govkit.documents.addresses import FORMATS, Addresses
from govkit.documents.published import Publication

EVENT = "document.published"


def payload(publication: Publication, addresses: Addresses) -> dict[str, Any]:
    d, school = publication.document, publication.school
    public = addresses.is_public(d.kind)
    in_force = {fmt: addresses.in_force(school, d.kind, d.language, fmt) for fmt in FORMATS}
    return {
        "school": school,
        "kind": d.kind,
        "language": d.language,
        "document_version_id": d.id,
        "version": d.number,
        "previous_version": publication.previous.number if publication.previous else None,
        "sha256": d.sha256,
        "effective_from": d.effective_from.isoformat(),
        "change_kind": d.change_kind,
        "published_at": d.published_at.isoformat(),
        "public": public,
        "urls": {
            "in_force": in_force if public else None,
            "permanent": {fmt: addresses.permanent(d.sha256, fmt) for fmt in FORMATS} if public else None,
            "index": addresses.index(school) if public else None,
        },
    }


def announce(session: Session, publication: Publication, policy: CampaignPolicy) -> list[int]:
    """Record the event's delivery to each webhook URL with its job, in the publication's transaction."""
    return enqueue(session, EVENT, None, payload(publication, policy.addresses), policy.webhook_urls, policy.jobs)
