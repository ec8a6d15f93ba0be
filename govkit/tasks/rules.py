"""The rule run as a job, every night (``runRules`` and ``govkit check`` run it at once, in the foreground).

The nightly run is a *current* run (as of today, everything recorded): the one dashboards and
``findings`` show. Given a past ``as_of``, the job stores a run apart (basis ``as_of``) instead.
"""

from __future__ import annotations

from datetime import date

from govkit.access.roles import SYSTEM
from govkit.jobs.registry import JobDeps, task
from govkit.rules import service

RUN_RULES = "rules.run"


@task(RUN_RULES, retries=2, cron="0 2 * * *")
def run_rules(deps: JobDeps, *, as_of: str | None = None, schools: list[str] | None = None) -> None:
    """Evaluate the rules (as of a day, for some schools; by default today, every school: the current
    run) and store the run."""
    service.run_rules(db=deps.db, actor=SYSTEM, as_of=date.fromisoformat(as_of) if as_of else None, schools=schools)
