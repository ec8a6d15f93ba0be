"""govkit's background work as jobs: an entry point, like the GraphQL resolvers.

Each task maps its arguments and calls one service function; nothing else. Tasks may import the
domains; no domain imports them (a domain defers a job by its name, e.g. ``webhooks.deliver``).
Importing this package registers every task (``govkit.jobs.registry``).
"""

from __future__ import annotations

from govkit.tasks import (
    checkpoints,
    notices,
    publication_reviews,
    receipts,
    reminders,
    renders,
    renditions,
    retention,
    rules,
    webhooks,
)

__all__ = [
    "checkpoints",
    "notices",
    "publication_reviews",
    "receipts",
    "reminders",
    "renders",
    "renditions",
    "retention",
    "rules",
    "webhooks",
]
