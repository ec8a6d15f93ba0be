"""GraphQL types of the publication reviews."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from govkit.approvals.types import Approval
from govkit.documents.types import ClauseDiff
from govkit.flows import publication_reviews
from govkit.flows.review_models import ReviewSchool as ReviewSchoolRow
from govkit.resolving import Info


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="How far the renders of a review are: schools rendered, failed, still pending")
class ReviewProgress:
    total: int
    rendered: int = strawberry.field(description="Ready or put in force")
    ready: int
    in_force: int
    failed: int
    pending: int


@strawberry.type(description="A school's variant against its version in force and against the root version")
class ReviewDiffs:
    against_in_force: list[ClauseDiff] | None = strawberry.field(
        description="Null when the school has no version of this document yet"
    )
    against_root: list[ClauseDiff]


@strawberry.type(description="One school of a publication review")
class ReviewSchool:
    school: str
    status: str = strawberry.field(description="pending (rendering), ready, failed, in_force")
    variant_id: strawberry.ID | None
    message: str | None = strawberry.field(description="Why the render failed")
    missing: list[str] = strawberry.field(description="The profile values the render lacked")
    rendered_at: datetime | None
    document_version_id: strawberry.ID | None = strawberry.field(description="The version put in force")
    effective_from: date | None
    put_in_force_by: str | None
    put_in_force_at: datetime | None
    review_id: strawberry.Private[int]

    @strawberry.field(description="Its variant's diffs (null while pending or when failed)")
    async def diffs(self, info: Info) -> ReviewDiffs | None:
        found = await info.context.call(publication_reviews.school_diffs, review_id=self.review_id, school=self.school)
        if found is None:
            return None
        return ReviewDiffs(
            against_in_force=None
            if found.against_in_force is None
            else [ClauseDiff.from_data(d) for d in found.against_in_force],
            against_root=[ClauseDiff.from_data(d) for d in found.against_root],
        )

    @classmethod
    def of(cls, row: ReviewSchoolRow) -> ReviewSchool:
        return cls(
            school=row.school,
            status=row.status,
            variant_id=_id(row.variant_id),
            message=row.message,
            missing=list(row.missing),
            rendered_at=row.rendered_at,
            document_version_id=None
            if row.document_version_id is None
            else strawberry.ID(str(row.document_version_id)),
            effective_from=row.effective_from,
            put_in_force_by=row.put_in_force_by,
            put_in_force_at=row.put_in_force_at,
            review_id=row.review_id,
        )


@strawberry.type(
    description="The review of a published root template version: each school's variant, ready or failed, "
    "before it is put in force"
)
class PublicationReview:
    id: strawberry.ID
    root_template_version_id: strawberry.ID
    kind: str
    language: str
    version: int
    change_kind: str
    published_by: str | None
    published_at: datetime | None
    opened_by: str
    opened_at: datetime
    approval: Approval | None = strawberry.field(description="The second legal officer's approval (four eyes)")
    progress: ReviewProgress
    schools: list[ReviewSchool]
    superseded_by: strawberry.ID | None = strawberry.field(
        description="The review of a later version of the same root template, once one was opened: this review "
        "may then no longer be put in force or rendered again"
    )

    @classmethod
    def of(cls, found: publication_reviews.Review) -> PublicationReview:
        r, v = found.review, found.version
        return cls(
            id=strawberry.ID(str(r.id)),
            root_template_version_id=strawberry.ID(str(r.root_template_version_id)),
            kind=r.kind,
            language=r.language,
            version=v.number,
            change_kind=r.change_kind,
            published_by=v.published_by,
            published_at=v.published_at,
            opened_by=r.opened_by,
            opened_at=r.opened_at,
            approval=None if found.approval is None else Approval.of(found.approval),
            progress=ReviewProgress(**found.counts),
            schools=[ReviewSchool.of(s) for s in found.schools],
            superseded_by=None if found.superseded_by is None else strawberry.ID(str(found.superseded_by.id)),
        )


@strawberry.type(description="A root template version published (its review opened), or its approval requested")
class RootPublication:
    version_id: strawberry.ID
    status: str = strawberry.field(description="published, or pending_approval (four eyes)")
    review: PublicationReview | None
    approval: Approval | None
