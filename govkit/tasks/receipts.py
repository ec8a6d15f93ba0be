"""The sealing jobs of the PDF receipts: every minute, every acknowledgement without a sealed
receipt (a batch at a time, oldest first); on demand, the receipts someone asked for."""

from __future__ import annotations

import logging

from govkit.acknowledgements.sealing import SEAL_PENDING, SEAL_RECEIPTS, seal_pending
from govkit.jobs.registry import JobDeps, task
from govkit.proof.sealer import SEALER, Sealer

logger = logging.getLogger(__name__)


@task(SEAL_PENDING, retries=0, cron="* * * * *", queue="receipts")
def seal_all_pending(deps: JobDeps) -> None:
    """Make and seal every pending receipt (the next run goes on where a stopped one left off)."""
    report = seal_pending(db=deps.db, sealer=_sealer(deps), batch_size=deps.settings.seal_batch_size)
    logger.info("%s", report.summary())


@task(SEAL_RECEIPTS, retries=3, queue="receipts")
def seal_receipts(deps: JobDeps, *, acknowledgement_ids: list[int]) -> None:
    """Make and seal the receipts of ``acknowledgement_ids`` not sealed yet; raise (to be retried)
    when the run stopped (a time-stamping authority that did not answer)."""
    report = seal_pending(
        db=deps.db, sealer=_sealer(deps), batch_size=deps.settings.seal_batch_size, ids=acknowledgement_ids
    )
    logger.info("%s", report.summary())
    if report.stopped:
        raise RuntimeError(report.stopped)


def _sealer(deps: JobDeps) -> Sealer:
    """The sealer govkit.composition built; a queue built without it (a test's) gets one from the settings."""
    built = deps.extras.get(SEALER)
    return built if isinstance(built, Sealer) else Sealer(deps.settings)
