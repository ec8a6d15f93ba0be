"""What GraphQL resolvers may ask the process for (``info.context.wired(KEY)``), by key: each
key is declared next to the resolvers that use it, and given here what govkit.composition built.
Made on the first GraphQL context (``Wiring.resolvers``), so that a command imports none of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govkit.acknowledgements import types as acknowledgement_types
from govkit.acknowledgements.resolvers import RECORDER
from govkit.approvals import resolvers as approval_resolvers
from govkit.checkpoints import resolvers as checkpoint_resolvers
from govkit.checkpoints.vocabulary import SEALER_KEY
from govkit.documents.resolvers import JOB_QUEUE, RENDER_POOL
from govkit.flows import review_resolvers
from govkit.flows.corrections import corrections_telling
from govkit.flows.data_protection import my_data
from govkit.flows.resolvers import CAMPAIGN_POLICY
from govkit.privacy import correction_resolvers
from govkit.resolving import Wired

if TYPE_CHECKING:
    from govkit.composition import Wiring


def resolver_wiring(wiring: Wiring) -> Mapping[Wired[Any], object]:
    """The resolvers' keys, each with what ``wiring`` holds for it."""
    return {
        RENDER_POOL: wiring.pool,
        JOB_QUEUE: wiring.jobs,
        RECORDER: wiring.recorder,
        CAMPAIGN_POLICY: wiring.campaign_policy,
        checkpoint_resolvers.SEALER: wiring.job_extras[SEALER_KEY],
        checkpoint_resolvers.JOBS: wiring.jobs,
        approval_resolvers.HANDLERS: wiring.approval_handlers,
        review_resolvers.JOBS: wiring.jobs,
        acknowledgement_types.MY_DATA: my_data,  # me { myData }
        correction_resolvers.TELLING: corrections_telling(wiring.jobs, wiring.settings.public_url),
    }
