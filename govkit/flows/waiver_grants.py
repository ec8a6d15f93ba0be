"""Granting a waiver: the one function the pages grant one through, and where four eyes route it.

With four eyes on (GOVKIT_FOUR_EYES; by default in production), a waiver of a rule of severity
``error`` is not granted at once: a request for a second legal officer's approval is recorded
instead (govkit.approvals, action ``rules.waiver.grant``), and ``carry_out`` grants it when another
legal officer approves it — both names and times stay on the approval, shown beside the waiver. A
waiver of a warning or an info finding is granted at once. The pages and GraphQL's ``grantWaiver``
(govkit.flows.resolvers) both grant through ``grant``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.approvals import service as approvals
from govkit.approvals.models import Approval
from govkit.db import Database, stored_id
from govkit.organisations.lookup import organisation_by_code
from govkit.rules import service as rules
from govkit.rules.models import Waiver
from govkit.rules.waiver_reads import WAIVER_APPROVAL
from govkit.settings import Settings

__all__ = ["WAIVER_APPROVAL", "carry_out", "grant", "needs_second_approval"]


def needs_second_approval(settings: Settings, severity: str) -> bool:
    """Whether a waiver of a rule of ``severity`` waits for a second legal officer."""
    return severity == "error" and approvals.four_eyes(settings)


def target_of(rule_id: str, school: str, key: str | None) -> str:
    return f"waiver:{school}:{rule_id}:{key or '*'}"


def grant(
    *,
    db: Database,
    actor: Principal,
    settings: Settings,
    rule_id: str,
    school: str,
    reason: str,
    expires_on: date,
    key: str | None = None,
) -> Waiver | Approval:
    """Grant a waiver of ``rule_id`` at ``school`` until ``expires_on`` (legal staff), or, for an error
    finding under four eyes, record the request for a second legal officer's approval."""
    authorize(actor, Action.GRANT_WAIVER)
    rule = rules.check_waiver(rule_id, reason, expires_on)
    with db.transaction() as session:
        if needs_second_approval(settings, rule.severity):
            organisation_by_code(session, school)  # an unknown school is said now, not at approval
            return approvals.request(
                session,
                actor=actor,
                action=WAIVER_APPROVAL,
                target=target_of(rule_id, school, key),
                summary=f"Waiver of {rule_id} at {school} until {expires_on.isoformat()}: {reason.strip()}",
                payload={
                    "rule_id": rule_id,
                    "school": school,
                    "reason": reason.strip(),
                    "expires_on": expires_on.isoformat(),
                    "key": key,
                },
            )
        return rules.add_waiver(
            session,
            rule_id=rule_id,
            school=school,
            reason=reason,
            expires_on=expires_on,
            key=key,
            granted_by=actor.label,
        )


def carry_out(session: Session, approval: Approval, approver: Principal) -> Mapping[str, Any]:
    """The approved request's waiver, granted in the approval's transaction (checked again: an expiry
    passed while it waited is refused and the request stays pending)."""
    given = approval.payload
    expires_on = date.fromisoformat(str(given["expires_on"]))
    rules.check_waiver(str(given["rule_id"]), str(given["reason"]), expires_on)
    waiver = rules.add_waiver(
        session,
        rule_id=str(given["rule_id"]),
        school=str(given["school"]),
        reason=str(given["reason"]),
        expires_on=expires_on,
        key=given.get("key"),
        granted_by=approval.requested_by,
    )
    return {"waiver": stored_id(waiver)}
