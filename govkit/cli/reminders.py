"""`govkit remind`: what the daily jobs do, at once. On PostgreSQL the webhook deliveries are
queued for `govkit worker`; on SQLite they run in this process, and the command waits for them."""

from __future__ import annotations

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import wired


@friendly
def remind() -> None:
    """Queue the due reminders and overdue events, create the due e-mail notices, apply the retention
    period: the daily jobs, now.

    Each event is delivered by its webhook job, the e-mails by their sending jobs; on SQLite the
    command waits for them."""
    from govkit.acknowledgements.privacy import erase_client_data
    from govkit.acknowledgements.webhooks import delivery_statuses, enqueue_due_events
    from govkit.jobs.inprocess import InProcessQueue
    from govkit.notifications import reads as notices
    from govkit.notifications.service import bring_up_to_date

    with wired() as wiring:
        settings = wiring.settings
        queued = enqueue_due_events(
            db=wiring.db,
            jobs=wiring.jobs,
            urls=settings.webhook_urls,
            interval_days=settings.reminder_interval_days,
            days=settings.campaign_days,
        )
        made = bring_up_to_date(db=wiring.db, jobs=wiring.jobs, settings=settings)
        erased = erase_client_data(db=wiring.db, older_than_days=settings.client_data_retention_days)
        if isinstance(wiring.jobs, InProcessQueue):
            wiring.jobs.drain()
            sent = delivery_statuses(db=wiring.db, ids=queued.deliveries)
            delivery = f"{sent['delivered']} deliveries sent, {sent['failed']} failed"
        else:
            delivery = f"{len(queued.deliveries)} deliveries queued for govkit worker"
        mail = notices.summary(notices.totals(db=wiring.db, ids=made.message_ids), smtp=bool(settings.smtp_host))
    err.print(
        f"{queued.reminders} reminders and {queued.overdue} overdue events queued; "
        f"{delivery}; client data erased from {erased} old records"
    )
    created = ", ".join(f"{n} {kind}" for kind, n in made.created.items())
    err.print(f"{len(made.message_ids)} e-mail notices created ({created}); {mail.removeprefix('e-mail notices: ')}")
    if not settings.webhook_urls:
        err.print("no GOVKIT_WEBHOOK_URLS configured: nothing to send")
