"""Reading publication reviews: each school of a review (ready, failed, pending, in force), the
counts that show the renders' progress, and one school's diffs — against its version in force and
against the root version. Legal staff and auditors read every school; a school's administration
reads its own row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, given_id, unknown
from govkit.approvals.models import Approval
from govkit.db import Database
from govkit.documents.diff import ClauseDiff, diff_clauses
from govkit.documents.inspect import read_clauses
from govkit.documents.models import Blob, DocumentVersion, RootTemplateVersion, Variant
from govkit.errors import NotFound
from govkit.flows.review_models import PublicationReview, ReviewSchool
from govkit.flows.root_publication import superseding_review, target_of

__all__ = [
    "Review",
    "SchoolDiffs",
    "VersionHistory",
    "get_review",
    "list_reviews",
    "review_of_version",
    "school_diffs",
    "version_histories",
]

READ = Action.READ_VARIANTS


@dataclass
class Review:
    review: PublicationReview
    version: RootTemplateVersion
    schools: list[ReviewSchool]
    approval: Approval | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: the review of a later version of the same root template: this one may no longer be put in force
    superseded_by: PublicationReview | None = None

    @property
    def rendering(self) -> bool:
        return self.counts.get("pending", 0) > 0


def counts_of(rows: list[ReviewSchool]) -> dict[str, int]:
    """rendered (ready or in force), failed, pending, ready, in_force, total."""
    by = Counter(r.status for r in rows)
    return {
        "total": len(rows),
        "rendered": by["ready"] + by["in_force"],
        "ready": by["ready"],
        "in_force": by["in_force"],
        "failed": by["failed"],
        "pending": by["pending"],
    }


def _review(session: Session, actor: Principal, review_id: int | str) -> PublicationReview:
    authorize_some(actor, READ)
    review = session.get(PublicationReview, given_id(actor, READ, review_id, "publication review"))
    if review is None:
        unknown(actor, READ, NotFound(f"No publication review {review_id}.", key="no_review", params={"id": review_id}))
    return review


def read(session: Session, actor: Principal, review: PublicationReview) -> Review:
    rows = session.exec(
        select(ReviewSchool).where(ReviewSchool.review_id == review.id).order_by(col(ReviewSchool.school))
    ).all()
    mine = [r for r in rows if is_allowed(actor, READ, organisation_id=r.organisation_id)]
    version = session.get(RootTemplateVersion, review.root_template_version_id)
    assert version is not None
    approval = session.get(Approval, review.approval_id) if review.approval_id else None
    return Review(review, version, mine, approval, counts_of(mine), superseding_review(session, review))


def get_review(*, db: Database, actor: Principal, review_id: int | str) -> Review:
    """A review with the schools the caller may read, and their counts."""
    with db.reading() as session:
        return read(session, actor, _review(session, actor, review_id))


def review_of_version(*, db: Database, actor: Principal, version_id: int) -> Review | None:
    """The review of a root template version (None: not published through a review)."""
    authorize_some(actor, READ)
    with db.reading() as session:
        review = session.exec(
            select(PublicationReview).where(PublicationReview.root_template_version_id == version_id)
        ).first()
        return None if review is None else read(session, actor, review)


def list_reviews(*, db: Database, actor: Principal, first: int = 20) -> list[Review]:
    """The newest reviews first (at most ``first``, up to 100)."""
    authorize_some(actor, READ)
    with db.reading() as session:
        found = session.exec(
            select(PublicationReview).order_by(col(PublicationReview.id).desc()).limit(max(1, min(first, 100)))
        ).all()
        return [read(session, actor, review) for review in found]


@dataclass
class VersionHistory:
    """What happened to a root template version beyond its upload: its review, and the requests for
    its approval (who asked, who decided, when) — shown in the version's history."""

    review_id: int | None = None
    approvals: list[Approval] = field(default_factory=list)


def version_histories(*, db: Database, actor: Principal, version_ids: list[int]) -> dict[int, VersionHistory]:
    """The reviews and approval requests of root template versions (requests: to legal staff and
    auditors), by version id."""
    authorize_some(actor, Action.READ_ROOT_TEMPLATES)
    found = {v: VersionHistory() for v in version_ids}
    with db.reading() as session:
        for review in session.exec(
            select(PublicationReview).where(col(PublicationReview.root_template_version_id).in_(version_ids))
        ).all():
            found[review.root_template_version_id].review_id = review.id
        if is_allowed(actor, Action.READ_APPROVALS):
            targets = {target_of(v): v for v in version_ids}
            for approval in session.exec(
                select(Approval).where(col(Approval.target).in_(list(targets))).order_by(col(Approval.id))
            ).all():
                found[targets[approval.target]].approvals.append(approval)
    return found


@dataclass(frozen=True)
class SchoolDiffs:
    """A school's variant against its version in force (None: nothing in force yet) and the root."""

    school: str
    against_in_force: list[ClauseDiff] | None
    against_root: list[ClauseDiff]


def _clauses(session: Session, sha256: str) -> list:
    blob = session.get(Blob, sha256)
    assert blob is not None
    return read_clauses(blob.data)


def school_diffs(*, db: Database, actor: Principal, review_id: int | str, school: str) -> SchoolDiffs | None:
    """The diffs of a school's variant in the review (None: no variant, the render pending or failed)."""
    with db.reading() as session:
        review = _review(session, actor, review_id)
        row = session.exec(
            select(ReviewSchool).where(ReviewSchool.review_id == review.id, ReviewSchool.school == school)
        ).first()
        if row is None or not is_allowed(actor, READ, organisation_id=row.organisation_id):
            unknown(
                actor,
                READ,
                NotFound(f"{school!r} is not in review {review.id}.", key="not_in_review", params={"school": school}),
            )
        variant = session.get(Variant, row.variant_id) if row.variant_id else None
        if variant is None:
            return None
        version = session.get(RootTemplateVersion, review.root_template_version_id)
        assert version is not None
        query = select(DocumentVersion).where(
            DocumentVersion.organisation_id == row.organisation_id,
            DocumentVersion.kind == review.kind,
            DocumentVersion.language == review.language,
        )
        if row.document_version_id is not None:
            query = query.where(DocumentVersion.id != row.document_version_id)
        in_force = session.exec(query.order_by(col(DocumentVersion.number).desc()).limit(1)).first()
        mine = _clauses(session, variant.sha256)
        before = _clauses(session, in_force.sha256) if in_force else None
        root = _clauses(session, version.sha256)
    language = review.language
    return SchoolDiffs(
        school,
        None if before is None else diff_clauses(before, mine, language),
        diff_clauses(root, mine, language),
    )
