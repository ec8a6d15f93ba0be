"""The daily job of retention: erase the personal data due for erasure (govkit.flows.retention)."""

from __future__ import annotations

from govkit.flows.retention import run_retention
from govkit.jobs.registry import JobDeps, task

RUN = "retention.run"


@task(RUN, retries=3, cron="45 3 * * *")  # after the erasure of client data (03:30 UTC)
def run(deps: JobDeps) -> None:
    """Erase what is due today: departed persons past the retention period (not under a legal hold),
    old e-mail notices' addresses. Audited; persons by id only."""
    run_retention(db=deps.db, settings=deps.settings)
