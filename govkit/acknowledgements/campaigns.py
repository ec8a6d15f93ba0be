"""Campaigns: opened when a document version is published; acknowledgements carried forward over
an editorial change. Their follow-up (counts, pending persons) is in ``campaign_progress``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, col, select

from govkit.acknowledgements import chain
from govkit.acknowledgements.models import Acknowledgement, Campaign, CampaignPopulation
from govkit.acknowledgements.webhook_events import campaign_payload, enqueue
from govkit.acknowledgements.wording import carried_forward_wording
from govkit.days import utc_day
from govkit.db import stored_id, utcnow
from govkit.documents.addresses import Addresses
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.jobs.queue import JobQueue

#: The text in force is French; English versions are translations read alongside it.
ACKNOWLEDGED_LANGUAGE = "fr"


@dataclass(frozen=True)
class CampaignPolicy:
    days: int = 30
    webhook_urls: tuple[str, ...] = ()
    #: Where each webhook delivery's job is deferred (required when there are webhook URLs).
    jobs: JobQueue | None = None
    #: Defer the PDF/A conversion of each published version on ``jobs`` (GOVKIT_RENDITIONS_ON_PUBLISH;
    #: govkit.flows.publication). Off by default: who builds a policy without settings converts nothing.
    renditions: bool = False
    #: The public addresses the "document.published" event gives (govkit.flows.published_event).
    addresses: Addresses = field(default_factory=Addresses)


def needs_campaign(document: DocumentVersion) -> bool:
    spec = catalogue().kinds.get(document.kind)
    return bool(spec and spec.acknowledgement and document.language == ACKNOWLEDGED_LANGUAGE)


def on_publication(
    session: Session,
    document: DocumentVersion,
    previous: DocumentVersion | None,
    *,
    school: str,
    actor_label: str,
    policy: CampaignPolicy,
) -> Campaign | None:
    """Open the campaign of a newly published version; carry acknowledgements over an editorial change."""
    if not needs_campaign(document):
        return None
    now = utcnow()
    open_campaigns = session.exec(
        select(Campaign).where(
            Campaign.organisation_id == document.organisation_id,
            Campaign.kind == document.kind,
            col(Campaign.closed_at).is_(None),
        )
    ).all()
    earlier = max(open_campaigns, key=lambda c: c.opened_at, default=None)
    for old in open_campaigns:
        old.closed_at = now
        session.add(old)
    editorial = document.change_kind == "editorial" and previous is not None
    start = max(document.effective_from, utc_day(now))
    deadline = earlier.deadline if editorial and earlier is not None else start + timedelta(days=policy.days)
    campaign = Campaign(
        organisation_id=document.organisation_id,
        document_version_id=stored_id(document),
        kind=document.kind,
        change_kind=document.change_kind,
        deadline=deadline,
        continues_campaign_id=earlier.id if editorial and earlier is not None else None,
    )
    session.add(campaign)
    session.flush()
    for population in catalogue().kind(document.kind).populations:
        session.add(CampaignPopulation(campaign_id=stored_id(campaign), population=population.value))
    if editorial and previous is not None:
        carried = session.exec(
            select(Acknowledgement)
            .where(Acknowledgement.document_version_id == previous.id)
            .order_by(col(Acknowledgement.id))
        ).all()
        text = carried_forward_wording(language="fr", previous_version=previous.number, version=document.number)
        records = []
        for acknowledged in carried:
            digests = chain.personal(
                wording=text, recorded_by=actor_label, reason=None, client_ip=None, user_agent=None
            )
            records.append(
                Acknowledgement(
                    person_id=acknowledged.person_id,
                    organisation_id=acknowledged.organisation_id,
                    document_version_id=stored_id(document),
                    campaign_id=campaign.id,
                    method="carried_forward",
                    document_sha256=document.sha256,
                    wording=text,
                    acknowledged_at=now,
                    auth_method="carried_forward",
                    recorded_by=actor_label,
                    carried_from_id=acknowledged.id,
                    personal_salt=digests["personal_salt"],
                    wording_sha256=digests["wording_sha256"],
                    recorded_sha256=digests["recorded_sha256"],
                    client_sha256=digests["client_sha256"],
                    verification_code=new_code(),
                    previous_hash="",
                    record_hash="",
                ),
            )
        chain.append_many(session, records)
    enqueue(
        session,
        "campaign.opened",
        campaign,
        campaign_payload(campaign, document, school),
        policy.webhook_urls,
        policy.jobs,
    )
    return campaign


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """A verification code: 16 characters from an unambiguous alphabet of 32 (80 random bits, one
    system call), in groups of four."""
    bits = int.from_bytes(secrets.token_bytes(10), "big")
    raw = "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))
