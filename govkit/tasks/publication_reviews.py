"""The render job of a publication review: one school's variant of a root template version just
published, its row of the review marked ready or failed (govkit.flows.review_renders)."""

from __future__ import annotations

from govkit.documents.workers import WorkerPool
from govkit.flows.review_renders import render_for_review
from govkit.flows.root_publication import REVIEW_RENDER
from govkit.jobs.registry import JobDeps, task


@task(REVIEW_RENDER, retries=2, queue="renders")
def review_render(deps: JobDeps, *, review_id: int, school: str) -> None:
    """Render the school's variant for the review (a row decided already is left as it is)."""
    render_for_review(
        db=deps.db,
        jobs=deps.jobs,
        pool=deps.extra("render_pool", WorkerPool),  # noqa: S610 - JobDeps.extra, not Django's QuerySet.extra
        review_id=review_id,
        school=school,
        public_url=deps.settings.public_url,
    )
