"""Publishing a root template version for every school: the version is published (documents), a
publication review opened (one row per school) and one render job queued per school
(govkit.flows.review_renders), in one transaction. With four eyes (govkit.approvals), a
substantive publication is first a request: the second legal officer's approval publishes it and
opens its review (``carry_out``), in the approval's transaction.

Then the review (govkit.flows.publication_reviews) shows each school ready or failed, with its
diffs, and ``govkit.flows.review_in_force`` puts the ready schools in force from a date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import given_id
from govkit.approvals import service as approvals
from govkit.approvals.models import Approval
from govkit.db import Database, stored_id
from govkit.documents.models import RootTemplate, RootTemplateVersion
from govkit.documents.root_templates import check_change, publish_version, publishable
from govkit.errors import Conflict, NotFound
from govkit.flows.review_models import PublicationReview, ReviewSchool
from govkit.jobs.queue import JobQueue
from govkit.organisations.models import Organisation
from govkit.organisations.vocabulary import OrganisationType

__all__ = [
    "REVIEW_RENDER",
    "ROOT_PUBLICATION",
    "RootPublication",
    "carry_out",
    "publish_root_version",
    "render_again",
    "superseding_review",
]

#: The approval's action: a substantive publication of a root template version.
ROOT_PUBLICATION = "root_template_version.publish"
#: The job rendering one school's variant for a review (govkit.tasks.publication_reviews).
REVIEW_RENDER = "publication.review_render"


def target_of(version_id: int) -> str:
    """The approval's target: the root template version."""
    return f"root_template_version:{version_id}"


@dataclass(frozen=True)
class RootPublication:
    """What publishing did: the review opened, or (four eyes) the approval requested."""

    template: RootTemplate
    version: RootTemplateVersion
    review: PublicationReview | None = None
    approval: Approval | None = None


def publish_root_version(
    *,
    db: Database,
    actor: Principal,
    jobs: JobQueue,
    four_eyes: bool,
    version_id: int | str,
    change_kind: str,
    changelog: str,
) -> RootPublication:
    """Publish a root template version and open its review (every school's variant rendered by a
    job); with ``four_eyes``, a substantive change is requested for approval instead."""
    authorize(actor, Action.PUBLISH_ROOT_TEMPLATE)
    key = given_id(actor, Action.PUBLISH_ROOT_TEMPLATE, version_id, "root template version")
    note = check_change(change_kind, changelog)
    with db.transaction() as session:
        if four_eyes and change_kind == "substantive":
            template, version = publishable(session, key, change_kind)
            approval = approvals.request(
                session,
                actor=actor,
                action=ROOT_PUBLICATION,
                target=target_of(key),
                summary=f"{template.kind} ({template.language}), version {version.number}: {note}",
                payload={"version_id": key, "change_kind": change_kind, "changelog": note},
            )
            return RootPublication(template, version, approval=approval)
        template, version = publish_version(session, key, change_kind=change_kind, note=note, by=actor.label)
        review = open_review(session, jobs, template, version, opened_by=actor.label)
        return RootPublication(template, version, review=review)


def superseding_review(session: Session, review: PublicationReview) -> PublicationReview | None:
    """The newest review of a later version of the same root template (kind and language), if any: a
    superseded review's variants may no longer be put in force or rendered again, since they would
    bring back the older root text."""
    return session.exec(
        select(PublicationReview)
        .where(
            PublicationReview.kind == review.kind,
            PublicationReview.language == review.language,
            col(PublicationReview.id) > stored_id(review),
        )
        .order_by(col(PublicationReview.id).desc())
    ).first()


def refuse_if_superseded(session: Session, review: PublicationReview) -> None:
    newer = superseding_review(session, review)
    if newer is not None:
        version = session.get(RootTemplateVersion, newer.root_template_version_id)
        number = version.number if version is not None else "?"
        raise Conflict(
            f"Review {review.id} is superseded: version {number} of the same root template was published since "
            f"(review {newer.id}); put that review in force instead.",
            key="review_superseded",
            params={"id": review.id, "newer": newer.id, "version": number},
        )


def carry_out(jobs: JobQueue) -> approvals.Handler:
    """The approval's handler: publish the requested version (as its requester) and open its review."""

    def publish_approved(session: Session, approval: Approval, approver: Principal) -> dict[str, Any]:
        asked = approval.payload
        template, version = publish_version(
            session,
            int(asked["version_id"]),
            change_kind=str(asked["change_kind"]),
            note=str(asked["changelog"]),
            by=approval.requested_by,
        )
        review = open_review(session, jobs, template, version, opened_by=approval.requested_by, approval_id=approval.id)
        return {"root_template_version_id": version.id, "review_id": review.id}

    return publish_approved


def open_review(
    session: Session,
    jobs: JobQueue,
    template: RootTemplate,
    version: RootTemplateVersion,
    *,
    opened_by: str,
    approval_id: int | None = None,
) -> PublicationReview:
    """The review of a version just published: one pending row and one render job per school."""
    assert version.change_kind is not None
    review = PublicationReview(
        root_template_version_id=stored_id(version),
        kind=template.kind,
        language=template.language,
        change_kind=version.change_kind,
        opened_by=opened_by,
        approval_id=approval_id,
    )
    session.add(review)
    session.flush()
    schools = session.exec(
        select(Organisation).where(Organisation.type == OrganisationType.SCHOOL.value).order_by(col(Organisation.code))
    ).all()
    session.add_all(
        ReviewSchool(review_id=stored_id(review), organisation_id=stored_id(org), school=org.code) for org in schools
    )
    session.flush()
    for org in schools:
        jobs.defer(session, REVIEW_RENDER, key=f"review:{review.id}:{org.code}", review_id=review.id, school=org.code)
    return review


def render_again(
    *, db: Database, actor: Principal, jobs: JobQueue, review_id: int | str, schools: list[str] | None = None
) -> list[str]:
    """Queue again the renders of the failed schools of a review (all, or ``schools``), once their
    profiles are completed (legal staff); the schools queued."""
    authorize(actor, Action.PUBLISH_ROOT_TEMPLATE)
    key = given_id(actor, Action.PUBLISH_ROOT_TEMPLATE, review_id, "publication review")
    with db.transaction() as session:
        review = session.get(PublicationReview, key)
        if review is None:
            raise NotFound(f"No publication review {review_id}.", key="no_review", params={"id": review_id})
        refuse_if_superseded(session, review)
        rows = session.exec(
            select(ReviewSchool).where(ReviewSchool.review_id == key, ReviewSchool.status == "failed")
        ).all()
        chosen = [r for r in rows if schools is None or r.school in schools]
        if not chosen:
            raise Conflict("No failed school of this review to render again.", key="review_none_failed")
        for row in chosen:
            row.status, row.message, row.missing, row.rendered_at = "pending", None, [], None
            session.add(row)
            jobs.defer(session, REVIEW_RENDER, key=f"review:{key}:{row.school}", review_id=key, school=row.school)
        session.flush()
        return [r.school for r in chosen]
