"""The jobs of the chain checkpoints: one made every night (when the chain moved), and each
e-mailed to the configured recipients."""

from __future__ import annotations

from typing import cast

from govkit.access.roles import SYSTEM
from govkit.checkpoints import delivery, service
from govkit.checkpoints.proof_adapter import sealer_of
from govkit.checkpoints.sealing import Sealer
from govkit.checkpoints.vocabulary import MAKE, SEALER_KEY, SEND
from govkit.jobs.registry import JobDeps, task
from govkit.notifications.sending import MAILER, Mailer, mailer

#: Runs of a sending job the engine allows; each recipient stops at GOVKIT_MAIL_ATTEMPTS.
ENGINE_ATTEMPTS = 10


class RecipientsLeft(Exception):
    """Some recipients could not be reached this time: the engine tries again later."""


@task(MAKE, retries=5, cron="5 0 * * *")  # just after midnight UTC: each day anchored whole
def make(deps: JobDeps) -> None:
    """Make the night's checkpoint (nothing when the chain has not moved since the last one)."""
    service.make_checkpoint(
        db=deps.db,
        actor=SYSTEM,
        sealer=sealer(deps),
        settings=deps.settings,
        jobs=deps.jobs,
        trigger="schedule",
    )


@task(SEND, retries=ENGINE_ATTEMPTS - 1, queue="notices")
def send(deps: JobDeps, *, checkpoint_id: int) -> None:
    """E-mail checkpoint ``checkpoint_id`` to the recipients not served yet."""
    left = delivery.send(db=deps.db, mailer=_mailer(deps), settings=deps.settings, checkpoint_id=checkpoint_id)
    if left:
        # ids and counts only: a job's failure is logged and stored (job_failure), never an address
        raise RecipientsLeft(f"checkpoint {checkpoint_id} not delivered yet to {len(left)} recipient(s)")


def sealer(deps: JobDeps) -> Sealer:
    """The sealer govkit.composition built (a queue built without it, a test's, gets one from the settings)."""
    built = deps.extras.get(SEALER_KEY)
    return cast(Sealer, built) if built is not None else sealer_of(deps.settings)


def _mailer(deps: JobDeps) -> Mailer:
    built = deps.extras.get(MAILER)
    return built if isinstance(built, Mailer) else mailer(deps.settings)
