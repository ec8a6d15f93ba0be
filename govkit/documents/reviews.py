"""Reviews of uploads with tracked changes: read them clause by clause, accept every change into a
new draft (unpublished) root template version, or refuse the upload. Uploading is
``upload_root_template_version``, which keeps a valid upload with tracked changes as an open review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import given_id
from govkit.db import Database, utcnow
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, RootTemplate, RootTemplateVersion
from govkit.documents.review_models import TrackedChangeReview
from govkit.documents.root_templates import UploadOutcome, check_language, upload_root_template_version
from govkit.documents.tracked import ClauseChanges, resolve
from govkit.documents.workers import WorkerPool
from govkit.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class Review:
    review: TrackedChangeReview
    template: RootTemplate
    draft: RootTemplateVersion | None

    @property
    def clauses(self) -> list[ClauseChanges]:
        return [ClauseChanges.from_json(c) for c in self.review.clauses]


def _review(session: Session, review_id: int) -> Review:
    review = session.get(TrackedChangeReview, review_id)
    if review is None:
        raise NotFound(f"No tracked change review {review_id}.", key="no_review", params={"id": review_id})
    template = session.get(RootTemplate, review.root_template_id)
    assert template is not None
    draft = session.get(RootTemplateVersion, review.draft_version_id) if review.draft_version_id else None
    return Review(review=review, template=template, draft=draft)


def list_reviews(*, db: Database, actor: Principal, kind: str, language: str) -> list[Review]:
    """The reviews of a root template, newest first."""
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    catalogue().kind(kind)
    check_language(language)
    with db.reading() as session:
        ids = session.exec(
            select(TrackedChangeReview.id)
            .join(RootTemplate, col(RootTemplate.id) == TrackedChangeReview.root_template_id)
            .where(RootTemplate.kind == kind, RootTemplate.language == language)
            .order_by(col(TrackedChangeReview.id).desc())
        ).all()
        return [_review(session, i) for i in ids if i is not None]


def get_review(*, db: Database, actor: Principal, review_id: int | str) -> Review:
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    key = given_id(actor, Action.READ_ROOT_TEMPLATES, review_id, "tracked change review")
    with db.reading() as session:
        return _review(session, key)


def _check_open(found: Review) -> None:
    review = found.review
    if review.status != "open":
        raise Conflict(
            f"This upload was already {review.status} by {review.decided_by} on {review.decided_at:%Y-%m-%d}.",
            key="review_decided",
            params={"status": review.status, "by": review.decided_by or "", "day": review.decided_at},
        )


def _chosen(found: Review, clauses: list[str] | None) -> set[str | None] | None:
    """The clauses whose changes are accepted (None: every one; "" names the text outside the clauses)."""
    if clauses is None:
        return None
    known = {c.key for c in found.clauses}
    chosen = {c or None for c in clauses}
    unknown = sorted(c or "" for c in chosen - known)
    if unknown:
        raise InvalidInput(
            f"The upload has no tracked change in {', '.join(unknown)}.",
            key="review_unknown_clause",
            params={"keys": ", ".join(unknown)},
        )
    if not chosen:
        raise InvalidInput("Choose the clauses whose changes are accepted.", key="review_no_clause")
    return chosen


def accept_review(
    *,
    db: Database,
    actor: Principal,
    pool: WorkerPool,
    review_id: int | str,
    max_bytes: int,
    clauses: list[str] | None = None,
) -> tuple[Review, UploadOutcome]:
    """Apply the tracked changes of the upload (every one, or those of ``clauses``, the others
    refused): a new draft version (validated as any upload); the review is marked accepted in the
    transaction that stores the version."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    key = given_id(actor, Action.UPLOAD_ROOT_TEMPLATE, review_id, "tracked change review")
    with db.reading() as session:
        found = _review(session, key)
        _check_open(found)
        chosen = _chosen(found, clauses)
        blob = session.get(Blob, found.review.sha256)
    assert blob is not None  # a review's upload is stored with it

    def decide(session: Session, version: RootTemplateVersion) -> None:
        review = session.get(TrackedChangeReview, key, with_for_update=True)
        assert review is not None
        if review.status != "open":
            raise Conflict("This upload was decided at the same time by someone else.", key="review_decided_now")
        review.status, review.decided_at, review.decided_by = "accepted", utcnow(), actor.label
        review.draft_version_id = version.id
        session.add(review)
        session.flush()

    outcome = upload_root_template_version(
        db=db,
        actor=actor,
        pool=pool,
        kind=found.template.kind,
        language=found.template.language,
        filename=found.review.filename,
        data=resolve(blob.data, accept=True, clauses=chosen),
        max_bytes=max_bytes,
        note=f"Modifications suivies de {found.review.filename} acceptées"
        + ("" if chosen is None else f" ({', '.join(sorted(c or 'hors clauses' for c in chosen))})"),
        then=decide,
    )
    with db.reading() as session:
        return _review(session, key), outcome


def refuse_review(*, db: Database, actor: Principal, review_id: int | str, reason: str) -> Review:
    """Refuse an upload with tracked changes: nothing of it becomes a version."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    key = given_id(actor, Action.UPLOAD_ROOT_TEMPLATE, review_id, "tracked change review")
    said = reason.strip()
    if not said:
        raise InvalidInput("Say why the upload is refused.", key="review_reason_required")
    if len(said) > 4000:
        raise InvalidInput("The reason is limited to 4000 characters.", key="review_reason_long", params={"most": 4000})
    with db.transaction() as session:
        found = _review(session, key)
        _check_open(found)
        review = found.review
        review.status, review.decided_at, review.decided_by, review.reason = "refused", utcnow(), actor.label, said
        session.add(review)
        session.flush()
        return _review(session, key)
