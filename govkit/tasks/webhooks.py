"""The webhook delivery job: one attempt per run, retried by the job engine with back-off."""

from __future__ import annotations

from govkit.acknowledgements import webhooks
from govkit.acknowledgements.webhook_events import DELIVER_WEBHOOK
from govkit.jobs.registry import JobDeps, task

#: Runs of a delivery the engine allows; the delivery itself stops at GOVKIT_WEBHOOK_ATTEMPTS (at most 10).
ENGINE_ATTEMPTS = 10


@task(DELIVER_WEBHOOK, retries=ENGINE_ATTEMPTS - 1, queue="webhooks")
def deliver(deps: JobDeps, *, delivery_id: int) -> None:
    """Send one webhook delivery (recorded on its row); raise while attempts remain, to be retried."""
    webhooks.deliver(
        db=deps.db,
        delivery_id=delivery_id,
        secret=deps.settings.webhook_secret,
        timeout=deps.settings.webhook_timeout_seconds,
        attempts=deps.settings.webhook_attempts,
    )
