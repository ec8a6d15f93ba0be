"""The waivers granted, as legal staff review them: each with its school, its rule (title and
severity), who granted it and when, and whether it is still in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.approvals.models import Approval
from govkit.db import Database
from govkit.organisations.models import Organisation
from govkit.rules.definitions import Rule
from govkit.rules.loader import load_rules
from govkit.rules.models import Waiver

__all__ = ["WAIVER_APPROVAL", "WaiverView", "rules_to_waive", "waiver_approvals", "waivers"]

#: The action of a request for a second legal officer's approval of a waiver (govkit.approvals).
WAIVER_APPROVAL = "rules.waiver.grant"


@dataclass(frozen=True)
class WaiverView:
    waiver: Waiver
    school: Organisation
    rule: Rule | None  # None: a rule no longer in the catalogue

    def active_on(self, day: date) -> bool:
        return self.waiver.granted_at.date() <= day < self.waiver.expires_on


def waivers(*, db: Database, actor: Principal, school: str | None = None) -> list[WaiverView]:
    """Every waiver granted (of ``school``, or of every school the caller reads findings of), newest first."""
    authorize_some(actor, Action.READ_FINDINGS)
    if school is None and actor.organisation_id is not None:
        authorize(actor, Action.READ_FINDINGS, organisation_id=actor.organisation_id)
    rules = {r.id: r for r in load_rules().rules}
    with db.reading() as session:
        query = (
            select(Waiver, Organisation)
            .join(Organisation, col(Organisation.id) == Waiver.organisation_id)
            .order_by(col(Waiver.id).desc())
        )
        if school is not None:
            query = query.where(Organisation.code == school)
        rows = session.exec(query).all()
    return [
        WaiverView(w, o, rules.get(w.rule_id))
        for w, o in rows
        if is_allowed(actor, Action.READ_FINDINGS, organisation_id=o.id)
    ]


def rules_to_waive(*, actor: Principal) -> list[Rule]:
    """The rules a waiver may name (legal staff), by severity then id."""
    authorize(actor, Action.GRANT_WAIVER)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(load_rules().rules, key=lambda r: (order.get(r.severity, 3), r.id))


def waiver_approvals(*, db: Database, actor: Principal) -> list[Approval]:
    """The requests for approval of a waiver (pending and decided, newest first), for those who read
    approvals (legal staff, auditors); nobody else sees them."""
    if not is_allowed(actor, Action.READ_APPROVALS):
        return []
    with db.reading() as session:
        return list(
            session.exec(
                select(Approval).where(Approval.action == WAIVER_APPROVAL).order_by(col(Approval.id).desc()).limit(200)
            ).all()
        )
