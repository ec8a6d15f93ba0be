"""GraphQL entry points of tracked changes: the reviews of uploads with tracked changes, and legal
staff's decision (accept every change into a draft version, or refuse the upload)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from govkit.documents import reviews
from govkit.documents.resolvers import RENDER_POOL
from govkit.documents.review_types import TrackedChangeReview, upload_result
from govkit.documents.types import UploadResult
from govkit.resolving import Info


@strawberry.type
class TrackedChangeQuery:
    @strawberry.field(description="The uploads with tracked changes of a root template, newest first")
    async def tracked_change_reviews(self, info: Info, kind: str, language: str) -> list[TrackedChangeReview]:
        rows = await info.context.call(reviews.list_reviews, kind=kind, language=language)
        return [TrackedChangeReview.of(r, info.context.settings.public_url) for r in rows]

    @strawberry.field(description="One upload with tracked changes, clause by clause")
    async def tracked_change_review(self, info: Info, id: strawberry.ID) -> TrackedChangeReview:
        found = await info.context.call(reviews.get_review, review_id=id)
        return TrackedChangeReview.of(found, info.context.settings.public_url)


@strawberry.type
class TrackedChangeMutation:
    @strawberry.mutation(
        description="Accept every tracked change of an upload: a new draft version of the root template "
        "(validated as any upload; publish it as any version)"
    )
    async def accept_tracked_changes(
        self,
        info: Info,
        review_id: strawberry.ID,
        clauses: Annotated[
            list[str] | None,
            strawberry.argument(
                description='Accept only the changes of these clauses ("": outside the clauses), refuse the others; '
                "all by default"
            ),
        ] = None,
    ) -> UploadResult:
        found, outcome = await info.context.call(
            reviews.accept_review,
            pool=info.context.wired(RENDER_POOL),
            review_id=review_id,
            clauses=clauses,
            max_bytes=info.context.settings.upload_max_bytes,
        )
        return upload_result(outcome, info.context.settings.public_url, found)

    @strawberry.mutation(description="Refuse an upload with tracked changes: nothing of it becomes a version")
    async def refuse_tracked_changes(self, info: Info, review_id: strawberry.ID, reason: str) -> TrackedChangeReview:
        found = await info.context.call(reviews.refuse_review, review_id=review_id, reason=reason)
        return TrackedChangeReview.of(found, info.context.settings.public_url)
