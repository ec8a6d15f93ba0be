"""`govkit remind`: what the daily jobs do, at once. On PostgreSQL the webhook deliveries are
queued for `govkit worker`; on SQLite they run in this process, and the command waits for them."""

from __future__ import annotations

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import wired


@friendly
def remind() -> None:
    """Queue the due reminders and overdue events, apply the retention period: the daily jobs, now.

    Each event is delivered by its webhook job; on SQLite the command waits for the deliveries."""
    from govkit.acknowledgements.privacy import erase_client_data
    from govkit.acknowledgements.webhooks import delivery_statuses, enqueue_due_events
    from govkit.jobs.inprocess import InProcessQueue

    with wired() as wiring:
        settings = wiring.settings
        queued = enqueue_due_events(
            db=wiring.db,
            jobs=wiring.jobs,
            urls=settings.webhook_urls,
            interval_days=settings.reminder_interval_days,
            days=settings.campaign_days,
        )
        erased = erase_client_data(db=wiring.db, older_than_days=settings.client_data_retention_days)
        if isinstance(wiring.jobs, InProcessQueue):
            wiring.jobs.drain()
            sent = delivery_statuses(db=wiring.db, ids=queued.deliveries)
            delivery = f"{sent['delivered']} deliveries sent, {sent['failed']} failed"
        else:
            delivery = f"{len(queued.deliveries)} deliveries queued for govkit worker"
    err.print(
        f"{queued.reminders} reminders and {queued.overdue} overdue events queued; "
        f"{delivery}; client data erased from {erased} old records"
    )
    if not settings.webhook_urls:
        err.print("no GOVKIT_WEBHOOK_URLS configured: nothing to send")
