"""The composition root: what a govkit process builds once at start-up and hands to its entry
points (the GraphQL context, the pages, the CLI, the worker).

``build_wiring(settings, db)`` builds it: the render pool for request-bound template work
(validating an upload, trial renders, the CLI's renders), the acknowledgement recorder, the cache
of role grants and its PostgreSQL listener, the job queue, and the campaign policy that defers
its webhooks on that queue. Nothing else creates them; the entry points receive a ``Wiring``.

    wiring = build_wiring(settings)
    wiring.start()            # the grant listener (PostgreSQL)
    ...                       # serve, run a command
    await wiring.aclose()     # or wiring.close() where no event loop runs (the CLI)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from govkit.access.roles import Principal
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.recorder import Recorder, build_recorder
from govkit.approvals.service import Handlers
from govkit.auth import service as auth_service
from govkit.auth.grants import GrantCache, GrantListener
from govkit.auth.sign_in_links import Limits
from govkit.checkpoints.proof_adapter import sealer_of
from govkit.checkpoints.sealing import Sealer as CheckpointSealer
from govkit.checkpoints.vocabulary import SEALER_KEY
from govkit.db import Database, create_db_engine
from govkit.documents import required_clauses
from govkit.documents.addresses import Addresses
from govkit.documents.clause_service import REQUIRED_CLAUSES_ACTION
from govkit.documents.pdf_conversion import SOFFICE, SofficeRunner
from govkit.documents.workers import WorkerPool, shared_pool
from govkit.flows import root_publication, waiver_grants
from govkit.jobs.engine import job_queue
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.queue import JobQueue
from govkit.jobs.registry import import_task_modules
from govkit.notifications.sending import MAILER, mailer
from govkit.proof.sealer import SEALER, Sealer
from govkit.settings import Settings

if TYPE_CHECKING:
    from govkit.resolving import Context, Wired

#: The modules whose tasks every govkit process knows (GOVKIT_JOB_MODULES adds more).
TASK_MODULES = ("govkit.tasks",)

logger = logging.getLogger(__name__)


@dataclass
class Wiring:
    """What one process built at start-up (see the module's documentation)."""

    settings: Settings
    db: Database
    #: Template work that answers a request: validating an upload, trial renders (a process pool with limits).
    pool: WorkerPool
    recorder: Recorder
    grants: GrantCache
    jobs: JobQueue
    campaign_policy: CampaignPolicy
    #: The chain checkpoints' signatures and timestamps (also a job extra, under SEALER_KEY).
    checkpoint_sealer: CheckpointSealer
    grant_listener: GrantListener | None = None
    #: What background jobs get as ``JobDeps.extras`` (in-process here, and in ``govkit worker``).
    job_extras: Mapping[str, object] = field(default_factory=dict)
    #: What each action that needs a second legal officer's approval does once approved.
    approval_handlers: Handlers = field(default_factory=dict)
    #: The rate limits of one-click sign-in links (in the process; govkit.web.link_signin).
    link_limits: Limits | None = None

    def start(self) -> None:
        """Start what runs beside the requests (the grant listener, on PostgreSQL)."""
        if self.grant_listener is not None:
            self.grant_listener.start()

    @cached_property
    def resolvers(self) -> Mapping[Wired[Any], object]:
        """What resolvers may ask for with ``info.context.wired(KEY)``, made on first use: a
        command that serves no GraphQL does not import the schema's modules (about a third of a
        command's start-up time)."""
        from govkit.resolver_wiring import resolver_wiring

        return resolver_wiring(
            pool=self.pool,
            jobs=self.jobs,
            recorder=self.recorder,
            campaign_policy=self.campaign_policy,
            approval_handlers=self.approval_handlers,
            sealer=self.checkpoint_sealer,
            public_url=self.settings.public_url,
        )

    def context(self, *, actor: Principal, correlation_id: str = "-", client_ip: str | None = None) -> Context:
        """A GraphQL request's context."""
        from govkit.resolving import Context

        return Context(
            db=self.db,
            settings=self.settings,
            actor=actor,
            wiring=self.resolvers,
            correlation_id=correlation_id,
            client_ip=client_ip,
        )

    async def aclose(self) -> None:
        """Stop everything at the end of a server's lifespan, on its event loop (in-process jobs
        not yet run stay queued: the next start runs them)."""
        await self.recorder.close()
        self._stop(drain=False)

    def close(self) -> None:
        """Stop everything where no event loop runs (a CLI command), once the in-process jobs
        deferred so far have run (the recorder, used from the CLI, writes in a thread)."""
        self._stop(drain=True)

    def _stop(self, *, drain: bool) -> None:
        if self.grant_listener is not None:
            self.grant_listener.stop()
        if isinstance(self.jobs, InProcessQueue):
            if drain:
                self.jobs.drain()
            self.jobs.close()
        self.pool.close()


def render_pool(settings: Settings) -> WorkerPool:
    """The process's pool for template work, sized and limited by the settings (one per process:
    the stop handlers of govkit.stopping close it)."""
    return shared_pool(
        processes=settings.render_workers,
        timeout=settings.render_timeout_seconds,
        memory_mb=settings.render_memory_mb,
    )


def build_wiring(settings: Settings, db: Database | None = None) -> Wiring:
    """Build the process's wiring once, at start-up; ``db`` defaults to an engine on
    ``settings.database_url``."""
    if db is None:
        db = Database(create_db_engine(settings.database_url, echo=settings.sql_echo))
    import_task_modules([*TASK_MODULES, *settings.job_modules])
    pool = render_pool(settings)
    job_extras: dict[str, object] = {"render_pool": pool, MAILER: mailer(settings)}
    soffice = job_extras[SOFFICE] = SofficeRunner.of(settings)  # PDF/A renditions, one LibreOffice run per batch
    renditions = settings.renditions_on_publish
    if renditions and not soffice.available:
        logger.warning(
            "LibreOffice (%s) was not found: published documents are not converted to PDF/A "
            "(install it, Debian: libreoffice-writer-nogui, or set GOVKIT_SOFFICE)",
            settings.soffice,
        )
        renditions = False
    checkpoint_sealer = job_extras[SEALER_KEY] = sealer_of(settings)  # the chain checkpoints' signatures and timestamps
    job_extras[SEALER] = Sealer(settings)  # sealed PDF receipts (loads its key and font on first use)
    jobs = job_queue(db, settings, extras=job_extras)
    policy = CampaignPolicy(
        days=settings.campaign_days,
        webhook_urls=tuple(settings.webhook_urls),
        jobs=jobs,
        renditions=renditions,
        addresses=Addresses.of(settings),  # first use: an unknown kind in GOVKIT_PUBLIC_KINDS stops the start
    )
    recorder = build_recorder(db)
    grants = GrantCache(ttl=settings.grant_cache_seconds)
    return Wiring(
        settings=settings,
        db=db,
        pool=pool,
        recorder=recorder,
        grants=grants,
        jobs=jobs,
        campaign_policy=policy,
        checkpoint_sealer=checkpoint_sealer,
        grant_listener=grant_listener(db, settings, grants),
        job_extras=job_extras,
        approval_handlers=approval_handlers(jobs),
        link_limits=Limits.of(settings),
    )


def approval_handlers(jobs: JobQueue) -> Handlers:
    """What each action that needs a second legal officer's approval does once approved
    (govkit.approvals), by action name: one line per action."""
    return {
        root_publication.ROOT_PUBLICATION: root_publication.carry_out(jobs),
        REQUIRED_CLAUSES_ACTION: required_clauses.carry_out,
        waiver_grants.WAIVER_APPROVAL: waiver_grants.carry_out,
    }


def grant_listener(db: Database, settings: Settings, grants: GrantCache) -> GrantListener | None:
    """The listener that keeps ``grants`` current, on PostgreSQL (elsewhere, grants are read each time)."""
    if settings.grant_cache_seconds <= 0 or db.dialect != "postgresql" or not isinstance(db.bind, sa.Engine):
        return None
    url = db.bind.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return GrantListener(grants, url, fill=lambda: auth_service.live_grants(db=db, limit=grants.fill_limit))
