"""Changes to the required clauses: a legal officer adds a clause to a kind's common base from a
date, or removes it from a date, with the reason (audited).

With four eyes (GOVKIT_FOUR_EYES; govkit.approvals) the change is a request that a second legal
officer approves (``carry_out``, registered in govkit.composition) or refuses; without, it is made
at once. Either way it is made by one function, ``apply_required_clause_change``, in the caller's
session: a period of ``required_clause`` opened (from the date) or closed (until it). A change
that cannot be made (already required, not required, periods that would overlap) is refused when
asked and again when approved, the state having possibly changed between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.approvals import service as approvals
from govkit.approvals.models import Approval
from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.documents.clause_models import RequiredClause
from govkit.documents.clause_service import (
    REQUIRED_CLAUSES_ACTION,
    audit,
    checked_reason,
    existing_clause,
)
from govkit.documents.kinds import catalogue
from govkit.errors import Conflict, InvalidInput

ACTIONS = ("add", "remove")
#: The earliest day a change may take effect from, and how far ahead.
EARLIEST = date(2015, 1, 1)
AHEAD = timedelta(days=5 * 366)


@dataclass(frozen=True)
class ChangeOutcome:
    """What asking for a change did: the period opened or closed (made at once), or the request
    waiting for a second legal officer."""

    period: RequiredClause | None = None
    approval: Approval | None = None


def target(kind: str, clause: str) -> str:
    """The approvals' target of a change of ``clause`` in ``kind``'s required clauses."""
    return f"required_clause:{kind}/{clause}"


def _check_request(kind: str, action: str, effective_on: date) -> None:
    catalogue().kind(kind)
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown change {action!r}: use add or remove.", key="required_clause_action")
    if not EARLIEST <= effective_on <= utc_today() + AHEAD:
        raise InvalidInput(
            f"The date {effective_on} is out of range ({EARLIEST} to five years ahead).",
            key="required_clause_date_range",
            params={"day": effective_on, "earliest": EARLIEST},
        )


def _periods(session: Session, kind: str, clause: str) -> list[RequiredClause]:
    return list(
        session.exec(
            select(RequiredClause)
            .where(RequiredClause.kind == kind, RequiredClause.clause_key == clause)
            .order_by(col(RequiredClause.id))
        )
    )


def _changed_period(session: Session, kind: str, clause: str, action: str, day: date) -> RequiredClause:
    """The period an ``action`` from ``day`` would open (a new row) or close (the open one), or the
    reason it cannot be done."""
    periods = _periods(session, kind, clause)
    still = next((p for p in periods if p.valid_to is None), None)
    if action == "add":
        if still is not None:
            since = f"from {still.valid_from}" if still.valid_from else "from the start"
            raise Conflict(
                f"{clause} is required in {kind} already ({since}).",
                key="required_clause_already",
                params={"kind": kind, "clause": clause, "day": day, "since": still.valid_from or "—"},
            )
        later = [p for p in periods if p.valid_to is not None and p.valid_to > day and p.valid_to != p.valid_from]
        if later:
            until = max(p.valid_to for p in later if p.valid_to is not None)
            raise Conflict(
                f"{clause} was required in {kind} until {until}: add it from that day or later.",
                key="required_clause_overlap",
                params={"kind": kind, "clause": clause, "day": day, "until": until},
            )
        return RequiredClause(kind=kind, clause_key=clause, valid_from=day, reason="", recorded_by="")
    if still is None:
        raise Conflict(
            f"{clause} is not required in {kind}: nothing to remove.",
            key="required_clause_absent",
            params={"kind": kind, "clause": clause, "day": day},
        )
    if still.valid_from is not None and day < still.valid_from:
        raise Conflict(
            f"{clause} is required in {kind} from {still.valid_from} only: remove it from that day or later.",
            key="required_clause_before",
            params={"kind": kind, "clause": clause, "day": day, "since": still.valid_from},
        )
    return still


def apply_required_clause_change(
    session: Session,
    *,
    kind: str,
    clause: str,
    action: str,
    effective_on: date,
    reason: str,
    requested_by: str,
    approved_by: str | None = None,
    approval_id: int | None = None,
) -> RequiredClause:
    """Make the change in ``session``: open a period from ``effective_on`` (add) or close the open
    one until it (remove). The one place the required clauses change."""
    _check_request(kind, action, effective_on)
    existing_clause(session, clause)
    period = _changed_period(session, kind, clause, action, effective_on)
    now = utcnow()
    if action == "add":
        period.reason, period.recorded_at, period.recorded_by = reason, now, requested_by
        period.approved_by, period.approval_id = approved_by, approval_id
    else:
        period.valid_to, period.ended_recorded_at, period.ended_by = effective_on, now, requested_by
        period.end_reason, period.end_approved_by, period.end_approval_id = reason, approved_by, approval_id
    session.add(period)
    session.flush()
    return period


def change_required_clause(
    *,
    db: Database,
    actor: Principal,
    kind: str,
    clause: str,
    action: str,
    effective_on: date,
    reason: str,
    four_eyes: bool,
    audit_action: str = "clauses.change_required",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> ChangeOutcome:
    """Add ``clause`` to ``kind``'s required clauses from ``effective_on``, or remove it from then
    (legal staff). With ``four_eyes``, a request a second legal officer decides on; else made now."""
    authorize(actor, Action.EDIT_CLAUSE_LIBRARY)
    _check_request(kind, action, effective_on)
    why = checked_reason(reason)
    detail = f"{action} {clause} in {kind} from {effective_on}"
    with db.transaction() as session:
        existing_clause(session, clause)
        _changed_period(session, kind, clause, action, effective_on)  # refused now rather than when approved
        if four_eyes:
            approval = approvals.request(
                session,
                actor=actor,
                action=REQUIRED_CLAUSES_ACTION,
                target=target(kind, clause),
                summary=f"{detail}: {why}",
                payload={
                    "kind": kind,
                    "clause": clause,
                    "action": action,
                    "effective_on": effective_on.isoformat(),
                    "reason": why,
                },
            )
            audit(
                session,
                actor,
                audit_action,
                {"kind": kind, "clause": clause, "approval": approval.id},
                f"requested: {detail}",
                correlation_id,
                client_ip,
            )
            return ChangeOutcome(approval=approval)
        period = apply_required_clause_change(
            session,
            kind=kind,
            clause=clause,
            action=action,
            effective_on=effective_on,
            reason=why,
            requested_by=actor.label,
        )
        audit(
            session,
            actor,
            audit_action,
            {"kind": kind, "clause": clause, "period": period.id},
            detail,
            correlation_id,
            client_ip,
        )
        return ChangeOutcome(period=period)


def carry_out(session: Session, approval: Approval, approver: Principal) -> dict[str, Any]:
    """The approvals' handler of REQUIRED_CLAUSES_ACTION: make the approved change (govkit.composition)."""
    authorize(approver, Action.EDIT_CLAUSE_LIBRARY)
    p = approval.payload
    period = apply_required_clause_change(
        session,
        kind=str(p["kind"]),
        clause=str(p["clause"]),
        action=str(p["action"]),
        effective_on=date.fromisoformat(str(p["effective_on"])),
        reason=str(p["reason"]),
        requested_by=approval.requested_by,
        approved_by=approver.label,
        approval_id=approval.id,
    )
    return {"required_clause": period.id}
