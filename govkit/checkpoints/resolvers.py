"""GraphQL entry points of the chain checkpoints (legal staff and auditors)."""

from __future__ import annotations

import strawberry

from govkit.checkpoints import service
from govkit.checkpoints.sealing import Sealer
from govkit.checkpoints.types import ChainCheckpoint
from govkit.jobs.queue import JobQueue
from govkit.resolving import Info, Wired

#: The sealer of the checkpoints, built once (govkit.composition).
SEALER: Wired[Sealer] = Wired("checkpoint sealer")
#: The job queue the e-mailing of a checkpoint is deferred on.
JOBS: Wired[JobQueue] = Wired("checkpoint job queue")


@strawberry.type
class CheckpointQuery:
    @strawberry.field(
        description="The checkpoints of the acknowledgement chain, newest first, with their e-mailings "
        "(legal staff, auditors)"
    )
    async def chain_checkpoints(self, info: Info, first: int = 20) -> list[ChainCheckpoint]:
        found = await info.context.call(service.checkpoints, settings=info.context.settings, first=first)
        return [ChainCheckpoint.of(c) for c in found]


@strawberry.type
class CheckpointMutation:
    @strawberry.mutation(
        description="Make a signed (and, with a TSA, timestamped) checkpoint of the acknowledgement chain now; "
        "it is published and e-mailed to the configured recipients (legal staff, auditors; audited)"
    )
    async def make_chain_checkpoint(self, info: Info) -> ChainCheckpoint:
        made = await info.context.call(
            service.make_checkpoint,
            sealer=info.context.wired(SEALER),
            settings=info.context.settings,
            jobs=info.context.wired(JOBS),
        )
        assert made is not None  # made on demand: always
        return ChainCheckpoint.of(made)
