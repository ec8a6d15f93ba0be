"""GraphQL entry points of the root publication flow: publish a root version (its review opened, or
its approval requested), read the reviews and their progress, put the ready schools in force."""

from __future__ import annotations

from datetime import date

import strawberry

from govkit.approvals.service import four_eyes
from govkit.approvals.types import Approval
from govkit.flows import publication_reviews, review_in_force, root_publication
from govkit.flows.resolvers import CAMPAIGN_POLICY
from govkit.flows.review_types import PublicationReview, RootPublication
from govkit.jobs.queue import JobQueue
from govkit.resolving import Info, Wired

#: The queue of the reviews' render jobs.
JOBS: Wired[JobQueue] = Wired("publication review job queue")


async def _review(info: Info, review_id: int | str) -> PublicationReview:
    return PublicationReview.of(await info.context.call(publication_reviews.get_review, review_id=review_id))


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="A publication review: each school ready, failed or pending, and the progress")
    async def publication_review(self, info: Info, id: strawberry.ID) -> PublicationReview:
        return await _review(info, id)

    @strawberry.field(description="The publication reviews, newest first")
    async def publication_reviews(self, info: Info, first: int = 20) -> list[PublicationReview]:
        found = await info.context.call(publication_reviews.list_reviews, first=first)
        return [PublicationReview.of(r) for r in found]


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Publish a root template version and render every school's variant for review (jobs); "
        "with four eyes (GOVKIT_FOUR_EYES), a substantive change waits for a second legal officer's approval"
    )
    async def publish_root_version(
        self, info: Info, version_id: strawberry.ID, change_kind: str, changelog: str
    ) -> RootPublication:
        done = await info.context.call(
            root_publication.publish_root_version,
            jobs=info.context.wired(JOBS),
            four_eyes=four_eyes(info.context.settings),
            version_id=version_id,
            change_kind=change_kind,
            changelog=changelog,
        )
        review = None if done.review is None else await _review(info, done.review.id or 0)
        return RootPublication(
            version_id=strawberry.ID(str(done.version.id)),
            status="pending_approval" if done.approval is not None else "published",
            review=review,
            approval=None if done.approval is None else Approval.of(done.approval),
        )

    @strawberry.mutation(
        description="Put in force from a date every ready school of a review (or those chosen), opening or "
        "carrying forward their campaigns; all or nothing (legal staff)"
    )
    async def put_review_in_force(
        self, info: Info, review_id: strawberry.ID, effective_from: date, schools: list[str] | None = None
    ) -> PublicationReview:
        await info.context.call(
            review_in_force.put_in_force,
            review_id=review_id,
            effective_from=effective_from,
            schools=schools,
            policy=info.context.wired(CAMPAIGN_POLICY),
        )
        return await _review(info, review_id)

    @strawberry.mutation(
        description="Render again the failed schools of a review (all, or those named), once their profiles are "
        "completed (legal staff)"
    )
    async def render_review_again(
        self, info: Info, review_id: strawberry.ID, schools: list[str] | None = None
    ) -> PublicationReview:
        await info.context.call(
            root_publication.render_again, jobs=info.context.wired(JOBS), review_id=review_id, schools=schools
        )
        return await _review(info, review_id)
