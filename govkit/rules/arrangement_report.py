"""The arrangements that meet obligations on a day, each once with its members, for a caller with no
rule run at hand (a run gives its own: govkit.rules.runs): the facts read in batch, then
govkit.rules.coverage (pure)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.db import Database
from govkit.organisations.models import Organisation
from govkit.rules.collector import collector_paused
from govkit.rules.coverage import ArrangementsMet, arrangements_meeting, concerning, obligations_met
from govkit.rules.loader import load_rules
from govkit.rules.queries import load_facts
from govkit.rules.runs import question

__all__ = ["ArrangementsMet", "arrangements_met"]


def arrangements_met(
    *,
    db: Database,
    actor: Principal,
    as_of: date | None = None,
    known_at: datetime | None = None,
    school: str | None = None,
) -> ArrangementsMet:
    """Each shared, group or external arrangement meeting a required commitment somewhere, once, with
    its members and the rules it meets; only those concerning organisations the caller may read
    findings of; with ``school``, those serving or held by it.

    For a caller with no run at hand: a run gives those of the facts it read (``RunResult.arrangements``).
    """
    authorize_some(actor, Action.READ_FINDINGS)
    when = question(as_of, known_at)
    with collector_paused():  # thousands of facts, and no cycle among them (as run_rules)
        with db.reading() as session:
            facts = load_facts(session, when)
            ids = dict(session.exec(select(Organisation.code, Organisation.id)).all())
        names = {o.code: o.name for o in facts.organisations}
        readable = {c for c, i in ids.items() if is_allowed(actor, Action.READ_FINDINGS, organisation_id=i)}
        found = concerning(arrangements_meeting(obligations_met(load_rules().rules, facts)), readable)
    return ArrangementsMet(found if school is None else concerning(found, {school}), names)
