"""What GraphQL resolvers may ask the process for (``info.context.wired(KEY)``), by key: each
key is declared next to the resolvers that use it, and given here what govkit.composition built.
Made on the first GraphQL context (``Wiring.resolvers``), so that a command imports none of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govkit.acknowledgements import types as acknowledgement_types
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.recorder import Recorder
from govkit.acknowledgements.resolvers import RECORDER
from govkit.approvals import resolvers as approval_resolvers
from govkit.approvals.service import Handlers
from govkit.checkpoints import resolvers as checkpoint_resolvers
from govkit.checkpoints.sealing import Sealer as CheckpointSealer
from govkit.documents.resolvers import JOB_QUEUE, RENDER_POOL
from govkit.documents.workers import WorkerPool
from govkit.flows import review_resolvers
from govkit.flows.corrections import corrections_telling
from govkit.flows.data_protection import my_data
from govkit.flows.resolvers import CAMPAIGN_POLICY
from govkit.jobs.queue import JobQueue
from govkit.privacy import correction_resolvers
from govkit.resolving import Wired


def resolver_wiring(
    *,
    pool: WorkerPool,
    jobs: JobQueue,
    recorder: Recorder,
    campaign_policy: CampaignPolicy,
    approval_handlers: Handlers,
    sealer: CheckpointSealer,
    public_url: str,
) -> Mapping[Wired[Any], object]:
    """The resolvers' keys, each with what govkit.composition built for it."""
    return {
        RENDER_POOL: pool,
        JOB_QUEUE: jobs,
        RECORDER: recorder,
        CAMPAIGN_POLICY: campaign_policy,
        checkpoint_resolvers.SEALER: sealer,
        checkpoint_resolvers.JOBS: jobs,
        approval_resolvers.HANDLERS: approval_handlers,
        review_resolvers.JOBS: jobs,
        acknowledgement_types.MY_DATA: my_data,  # me { myData }
        correction_resolvers.TELLING: corrections_telling(jobs, public_url),
    }
