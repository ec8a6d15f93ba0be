"""One school's render for a publication review (the ``publication.review_render`` job): its variant
of the published version is rendered (documents; reused when its inputs are unchanged) and its row
of the review marked ready — or failed, with why and the profile values missing, and the school's
administration told by e-mail (notifications), in the same transaction."""

from __future__ import annotations

from sqlmodel import Session, select

from govkit.access.roles import SYSTEM
from govkit.db import Database, utcnow
from govkit.documents.kinds import catalogue
from govkit.documents.models import RootTemplateVersion
from govkit.documents.variants import RenderFailure, try_school_variant
from govkit.documents.workers import WorkerPool
from govkit.errors import GovkitError
from govkit.flows.review_models import PublicationReview, ReviewSchool
from govkit.jobs.queue import JobQueue
from govkit.notifications.render_failures import tell_render_failure
from govkit.organisations.models import Organisation

__all__ = ["render_for_review"]


def _row(session: Session, review_id: int, school: str) -> ReviewSchool | None:
    return session.exec(
        select(ReviewSchool).where(ReviewSchool.review_id == review_id, ReviewSchool.school == school)
    ).first()


def render_for_review(
    *, db: Database, jobs: JobQueue, pool: WorkerPool, review_id: int, school: str, public_url: str = ""
) -> str:
    """Render the school's variant for the review and record the outcome; the row's status (a row
    rendered already, or put in force, is left as it is: running the job twice changes nothing)."""
    with db.reading() as session:
        review = session.get(PublicationReview, review_id)
        row = _row(session, review_id, school)
        if review is None or row is None:
            return "unknown"
        if row.status != "pending":
            return row.status
    try:
        found = try_school_variant(
            db=db,
            actor=SYSTEM,
            pool=pool,
            version_id=review.root_template_version_id,
            school=school,
            language=review.language,
        )
    except GovkitError as exc:  # e.g. the school was removed meanwhile
        found = RenderFailure(school, exc.message)
    with db.transaction() as session:
        row = _row(session, review_id, school)
        assert row is not None
        if row.status != "pending":
            return row.status
        row.rendered_at = utcnow()
        if isinstance(found, RenderFailure):
            row.status, row.message, row.missing = "failed", found.message, list(found.missing)
            _tell(session, jobs, review, row, public_url)
        else:
            row.status, row.variant_id, row.message, row.missing = "ready", found.id, None, []
        session.add(row)
        session.flush()
        return row.status


def _tell(session: Session, jobs: JobQueue, review: PublicationReview, row: ReviewSchool, public_url: str) -> None:
    """Tell the school's administration why its document could not be rendered."""
    version = session.get(RootTemplateVersion, review.root_template_version_id)
    org = session.get(Organisation, row.organisation_id)
    assert version is not None
    assert org is not None
    spec = catalogue().kind(review.kind)
    tell_render_failure(
        session,
        jobs,
        review_id=review.id or 0,
        organisation_id=row.organisation_id,
        school=org.name,
        document={"fr": spec.title.get("fr"), "en": spec.title.get("en")},
        version=version.number,
        message=row.message or "",
        missing=row.missing,
        link=f"{public_url.rstrip('/')}/ui/reviews/{review.id}",
    )
