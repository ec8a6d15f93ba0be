"""The render job: one school's variant of one root template version, in the worker's render pool
(the worker processes with their time and memory limits, built by the wiring)."""

from __future__ import annotations

from govkit.access.roles import SYSTEM
from govkit.documents.variants import RENDER_VARIANT, render_school_variant
from govkit.documents.workers import WorkerPool
from govkit.jobs.registry import JobDeps, task


@task(RENDER_VARIANT, retries=2, queue="renders")
def render_variant(deps: JobDeps, *, version_id: int, school: str, language: str) -> None:
    """Render and store the school's variant (nothing is rendered when its inputs are unchanged)."""
    render_school_variant(
        db=deps.db,
        actor=SYSTEM,
        pool=deps.extra("render_pool", WorkerPool),  # noqa: S610 - JobDeps.extra, not Django's QuerySet.extra
        version_id=version_id,
        school=school,
        language=language,
    )
