"""Daily jobs of the campaigns: reminders and overdue events, and the retention of client data."""

from __future__ import annotations

from govkit.acknowledgements import privacy, webhooks
from govkit.auth import sign_in_links
from govkit.jobs.registry import JobDeps, task

#: Reminders are queued every morning; their deliveries are jobs of their own.
REMIND = "reminders.enqueue_due"
ERASE_CLIENT_DATA = "reminders.erase_client_data"


@task(REMIND, retries=3, cron="0 6 * * *")
def enqueue_due(deps: JobDeps) -> None:
    """Queue the due reminder and overdue events, each delivered by its own ``webhooks.deliver`` job."""
    webhooks.enqueue_due_events(
        db=deps.db,
        jobs=deps.jobs,
        urls=deps.settings.webhook_urls,
        interval_days=deps.settings.reminder_interval_days,
        days=deps.settings.campaign_days,
    )


@task(ERASE_CLIENT_DATA, retries=3, cron="30 3 * * *")
def erase_client_data(deps: JobDeps) -> None:
    """Erase the IP addresses and user agents older than the retention period (acknowledgements,
    sign-in links)."""
    privacy.erase_client_data(db=deps.db, older_than_days=deps.settings.client_data_retention_days)
    sign_in_links.erase_client_data(db=deps.db, older_than_days=deps.settings.client_data_retention_days)
