"""Requests for a second legal officer's approval, and their decisions.

A service whose action needs four eyes (``four_eyes(settings)``) calls ``request`` in its own
transaction instead of acting, and returns the pending ``Approval``. Another legal officer calls
``approve``: the request is marked approved and its ``Handler`` (looked up by its action in the
``handlers`` the caller was given, built by govkit.composition) carries the action out in the same
transaction — if it fails, nothing is written and the request stays pending. ``refuse`` closes a
request with a comment; nothing is carried out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import given_id
from govkit.approvals.models import Approval
from govkit.db import Database, utcnow
from govkit.errors import Conflict, Forbidden, InvalidInput, NotFound
from govkit.settings import Settings

__all__ = ["Handler", "Handlers", "approve", "four_eyes", "history", "pending", "refuse", "request"]

#: Carries out an approved request, in the approval's transaction: ``(session, approval, approver)``;
#: returns what it made (JSON values: ids), kept as the approval's ``outcome``.
Handler = Callable[[Session, Approval, Principal], Mapping[str, Any] | None]
Handlers = Mapping[str, Handler]

MAX_COMMENT = 4000


def four_eyes(settings: Settings) -> bool:
    """Whether the actions that need a second officer's approval need it (GOVKIT_FOUR_EYES; by
    default on when GOVKIT_ENV=prod, off otherwise)."""
    return settings.four_eyes if settings.four_eyes is not None else not settings.is_dev


def request(
    session: Session,
    *,
    actor: Principal,
    action: str,
    target: str,
    summary: str,
    payload: Mapping[str, Any] | None = None,
) -> Approval:
    """Record a request for approval of ``action`` on ``target``, in the caller's transaction (the
    caller has authorised ``actor`` for the action itself). One pending request per action and
    target: a second one is a Conflict."""
    already = session.exec(
        select(Approval).where(Approval.action == action, Approval.target == target, Approval.status == "pending")
    ).first()
    if already is not None:
        raise Conflict(
            f"An approval of this was already requested by {already.requested_by} "
            f"on {already.requested_at:%Y-%m-%d %H:%M} (request {already.id}): it waits for a second legal officer.",
            key="approval_pending",
            params={"id": already.id, "by": already.requested_by},
        )
    approval = Approval(
        action=action,
        target=target,
        summary=summary[:2000],
        payload=dict(payload or {}),
        requester=actor.subject,
        requested_by=actor.label,
    )
    session.add(approval)
    session.flush()
    return approval


def _pending_for_decision(session: Session, actor: Principal, approval_id: int | str) -> Approval:
    authorize(actor, Action.DECIDE_APPROVAL)
    key = given_id(actor, Action.DECIDE_APPROVAL, approval_id, "approval")
    approval = session.get(Approval, key, with_for_update=True)
    if approval is None:
        raise NotFound(f"No approval request {approval_id}.", key="no_approval", params={"id": approval_id})
    if approval.status != "pending":
        raise Conflict(
            f"Approval request {approval.id} was already {approval.status} by {approval.decided_by} "
            f"on {approval.decided_at:%Y-%m-%d %H:%M}.",
            key="approval_decided",
            params={"id": approval.id, "status": approval.status, "by": approval.decided_by or ""},
        )
    if approval.requester == actor.subject:
        raise Forbidden(
            "You requested this approval: a second legal officer, not the requester, must decide on it (four eyes).",
            key="four_eyes_same_officer",
        )
    return approval


def _comment(comment: str | None, *, required: bool) -> str | None:
    text = (comment or "").strip()
    if required and not text:
        raise InvalidInput("Say why you refuse: a comment is required.", key="refusal_comment_required")
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            f"The comment is limited to {MAX_COMMENT} characters.", key="comment_long", params={"most": MAX_COMMENT}
        )
    return text or None


def approve(
    *, db: Database, actor: Principal, handlers: Handlers, approval_id: int | str, comment: str | None = None
) -> Approval:
    """Approve a pending request (a legal officer other than the requester) and carry the action out
    in the same transaction."""
    authorize(actor, Action.DECIDE_APPROVAL)  # before the values are checked: a refusal says only "may not"
    note = _comment(comment, required=False)
    with db.transaction() as session:
        approval = _pending_for_decision(session, actor, approval_id)
        handler = handlers.get(approval.action)
        if handler is None:
            raise Conflict(
                f"govkit does not know how to carry out {approval.action!r}: the request stays pending.",
                key="approval_unknown_action",
                params={"action": approval.action},
            )
        approval.status, approval.decider, approval.decided_by = "approved", actor.subject, actor.label
        approval.decided_at, approval.comment = utcnow(), note
        session.add(approval)
        session.flush()
        approval.outcome = dict(handler(session, approval, actor) or {})
        session.add(approval)
        session.flush()
        return approval


def refuse(*, db: Database, actor: Principal, approval_id: int | str, comment: str) -> Approval:
    """Refuse a pending request with a comment (a legal officer other than the requester); nothing
    is carried out."""
    authorize(actor, Action.DECIDE_APPROVAL)
    note = _comment(comment, required=True)
    with db.transaction() as session:
        approval = _pending_for_decision(session, actor, approval_id)
        approval.status, approval.decider, approval.decided_by = "refused", actor.subject, actor.label
        approval.decided_at, approval.comment = utcnow(), note
        session.add(approval)
        session.flush()
        return approval


def pending(*, db: Database, actor: Principal, action: str | None = None) -> list[Approval]:
    """The requests waiting for a decision, oldest first."""
    authorize(actor, Action.READ_APPROVALS)
    query = select(Approval).where(Approval.status == "pending").order_by(col(Approval.requested_at), col(Approval.id))
    if action:
        query = query.where(Approval.action == action)
    with db.reading() as session:
        return list(session.exec(query.limit(500)).all())


def history(*, db: Database, actor: Principal, target: str) -> list[Approval]:
    """Every request about ``target`` (pending and decided), oldest first."""
    authorize(actor, Action.READ_APPROVALS)
    with db.reading() as session:
        return of_target(session, target)


def of_target(session: Session, target: str) -> list[Approval]:
    """Every request about ``target``, oldest first (for the histories of other domains' pages)."""
    return list(session.exec(select(Approval).where(Approval.target == target).order_by(col(Approval.id))).all())
