"""Publishing a variant: the school's document is put in force (documents) and its acknowledgement
campaign opened, or carried forward over an editorial change (acknowledgements), and the
"document.published" event queued for the webhooks (published_event), in one transaction
serialised with the acknowledgements by the chain's lock."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from govkit.access.policy import Action
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.acknowledgements import campaigns, chain
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.db import Database
from govkit.documents import renditions
from govkit.documents.models import DocumentVersion
from govkit.documents.published import put_in_force
from govkit.flows import published_event
from govkit.notifications.vocabulary import BRING_UP_TO_DATE, school_key

__all__ = ["publish_in", "publish_variant"]


def publish_variant(
    *,
    db: Database,
    actor: Principal,
    variant_id: int | str,
    effective_from: date | None = None,
    change_kind: str | None = None,
    changelog: str | None = None,
    policy: CampaignPolicy | None = None,
) -> DocumentVersion:
    """Put a variant in force for its school from a date, as the next version of that document;
    for a French document that needs acknowledgement, open its campaign in the same transaction
    (``policy``: its deadline, and where its webhooks' jobs go)."""
    authorize_some(actor, Action.PUBLISH_VARIANT)
    with db.transaction() as session:
        chain.lock(session)  # first: publications and acknowledgements are serialised
        return publish_in(
            session,
            actor=actor,
            variant_id=variant_id,
            effective_from=effective_from,
            change_kind=change_kind,
            changelog=changelog,
            policy=policy,
        )


def publish_in(
    session: Session,
    *,
    actor: Principal,
    variant_id: int | str,
    effective_from: date | None = None,
    change_kind: str | None = None,
    changelog: str | None = None,
    policy: CampaignPolicy | None = None,
) -> DocumentVersion:
    """``publish_variant`` in the caller's transaction, which holds the chain's lock already
    (``chain.lock``: several schools put in force at once, govkit.flows.review_in_force)."""
    published = put_in_force(
        session,
        actor=actor,
        variant_id=variant_id,
        effective_from=effective_from,
        change_kind=change_kind,
        changelog=changelog,
    )
    opened = campaigns.on_publication(
        session,
        published.document,
        published.previous,
        school=published.school,
        actor_label=actor.label,
        policy=policy or CampaignPolicy(),
    )
    published_event.announce(session, published, policy or CampaignPolicy())
    if opened is not None and policy is not None and policy.jobs is not None:  # e-mail to those concerned
        policy.jobs.defer(session, BRING_UP_TO_DATE, key=school_key(published.school), school_code=published.school)
    if policy is not None and policy.jobs is not None and policy.renditions:  # its PDF/A, in a job
        renditions.defer_conversion(session, policy.jobs, [published.document.sha256])
    return published.document
