"""The typed per-request context: who calls, the database, and the DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from strawberry.fastapi import BaseContext

from govkit.acknowledgements import service as acknowledgements
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.recording import AsyncRecorder, Receipt
from govkit.acknowledgements.service import Acknowledging
from govkit.auth.roles import Principal
from govkit.batching import Batcher
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.documents.workers import WorkerPool, shared_pool
from govkit.graphql.loaders import Loaders
from govkit.settings import Settings

T = TypeVar("T")


@dataclass
class Context(BaseContext):
    db: Database
    settings: Settings
    actor: Principal
    correlation_id: str = "-"
    client_ip: str | None = None
    loaders: Loaders = field(init=False)
    #: Response keys of mutations whose service wrote their audit event in its own transaction.
    audited: set[str] = field(default_factory=set)
    #: The process's acknowledgement calls, recorded in batches (one per request without it).
    acknowledging: Batcher[Acknowledging, Receipt] | None = None

    def __post_init__(self) -> None:
        super().__init__()
        self.loaders = Loaders(self.db, self.actor)
        if self.acknowledging is None:
            self.acknowledging = acknowledgement_batcher(self.db)

    @property
    def campaign_policy(self) -> CampaignPolicy:
        return CampaignPolicy(days=self.settings.campaign_days, webhook_urls=tuple(self.settings.webhook_urls))

    @property
    def pool(self) -> WorkerPool:
        return worker_pool(self.settings)

    async def call(self, function: Callable[..., T], /, **kwargs: Any) -> T:
        """Call a service function as the request's actor."""
        return await run_service(function, db=self.db, actor=self.actor, **kwargs)


Info = strawberry.Info[Context, None]


def acknowledgement_batcher(db: Database, recorder: AsyncRecorder | None = None) -> Batcher[Acknowledging, Receipt]:
    """Concurrent ``acknowledge`` calls recorded together (govkit.batching): from the event loop
    with ``recorder`` (PostgreSQL), else in a worker thread."""
    if recorder is not None:

        async def record(calls: list[Acknowledging]) -> list[Receipt | BaseException]:
            return await acknowledgements.acknowledge_many_async(recorder=recorder, calls=calls)

        return Batcher(record)
    return Batcher(lambda calls: acknowledgements.acknowledge_many(db=db, calls=calls))


def worker_pool(settings: Settings) -> WorkerPool:
    """The process's worker pool for template work, sized by the settings."""
    return shared_pool(
        processes=settings.render_workers,
        timeout=settings.render_timeout_seconds,
        memory_mb=settings.render_memory_mb,
    )
