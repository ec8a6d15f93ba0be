"""GraphQL entry point of the background jobs (legal staff)."""

from __future__ import annotations

import strawberry

from govkit.jobs import service
from govkit.jobs.types import Job, JobStatus
from govkit.resolving import Info


@strawberry.type
class JobsQuery:
    @strawberry.field(
        description="The background jobs, newest first: queued, running, succeeded, failed and why (legal staff)"
    )
    async def jobs(
        self, info: Info, status: JobStatus | None = None, task: str | None = None, first: int = 50
    ) -> list[Job]:
        found = await info.context.call(
            service.list_jobs, status=None if status is None else status.value, task=task, first=first
        )
        return [Job.from_view(view) for view in found]
