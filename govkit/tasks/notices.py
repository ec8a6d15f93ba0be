"""The jobs of the e-mail notices: bringing them up to date (daily, and after a publication or an
import of persons), and sending a batch of messages over one SMTP connection."""

from __future__ import annotations

from govkit.jobs.registry import JobDeps, task
from govkit.notifications import delivery, service
from govkit.notifications.sending import MAILER, Mailer, mailer
from govkit.notifications.vocabulary import BRING_UP_TO_DATE, SEND

#: Runs of a sending job the engine allows; each message stops at GOVKIT_MAIL_ATTEMPTS (at most 10).
ENGINE_ATTEMPTS = 10


@task(BRING_UP_TO_DATE, retries=3, cron="15 6 * * *")
def bring_up_to_date(deps: JobDeps, *, school_code: str | None = None) -> None:
    """Create the due notices and digests (of one school, or every school), then defer their sending."""
    service.bring_up_to_date(db=deps.db, jobs=deps.jobs, settings=deps.settings, school_code=school_code)


@task(SEND, retries=ENGINE_ATTEMPTS - 1, queue="notices")
def send(deps: JobDeps, *, message_ids: list[int]) -> None:
    """Send the queued messages among ``message_ids`` over one SMTP connection (or keep them)."""
    delivery.send(db=deps.db, mailer=_mailer(deps), settings=deps.settings, message_ids=message_ids)


def _mailer(deps: JobDeps) -> Mailer:
    """The mailer govkit.composition built; a queue built without it (a test's) gets one from the settings."""
    built = deps.extras.get(MAILER)
    return built if isinstance(built, Mailer) else mailer(deps.settings)
