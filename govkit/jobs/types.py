"""GraphQL types of the background jobs."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.jobs import service
from govkit.resolving import build

strawberry.enum(service.JobStatus, description="Where a background job stands")  # the service's enum, in GraphQL
JobStatus = service.JobStatus


@strawberry.type(description="A background job: a render, a webhook, a reminder, a rule run…")
class Job:
    id: strawberry.ID
    engine: str = strawberry.field(description="procrastinate (govkit worker) or inprocess")
    task: str
    key: str | None = strawberry.field(description="Its idempotency key: one queued job per key")
    queue: str
    status: JobStatus
    attempts: int = strawberry.field(description="Attempts made, the one under way included")
    failure_reason: str | None = strawberry.field(description="Why its last failed attempt failed")
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(description="When a queued job waiting to retry runs again")

    @classmethod
    def from_view(cls, view: service.JobView) -> Job:
        return build(cls, view)
