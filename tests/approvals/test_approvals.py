"""Four eyes (govkit.approvals): a request, approved by a second legal officer (the action carried out
in the same transaction) or refused with a comment; every refusal of a decision, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from govkit.access.roles import Principal, Role
from govkit.approvals import service as approvals
from govkit.approvals.models import Approval
from govkit.db import Database
from govkit.errors import Conflict, Forbidden, InvalidInput, NotFound
from govkit.settings import Environment
from tests.conftest import make_settings

ALICE = Principal(role=Role.LEGAL, subject="alice@imt.fr")
BOB = Principal(role=Role.LEGAL, subject="bob@imt.fr")
AUDITOR = Principal(role=Role.AUDITOR, subject="audit@imt.fr")
ACTION = "test.action"

carried: list[dict[str, Any]] = []


def carry_out(session: Session, approval: Approval, approver: Principal) -> dict[str, Any]:
    if approval.payload.get("fail"):
        raise InvalidInput("It cannot be done any more.")
    carried.append({"target": approval.target, "by": approver.subject, "requested_by": approval.requested_by})
    return {"done": approval.target}


HANDLERS: approvals.Handlers = {ACTION: carry_out}


def ask(db: Database, target: str = "thing:1", **payload: Any) -> Approval:
    with db.transaction() as session:
        return approvals.request(session, actor=ALICE, action=ACTION, target=target, summary="Do it", payload=payload)


def test_four_eyes_is_on_in_production_unless_set() -> None:
    assert approvals.four_eyes(make_settings(env=Environment.PROD))
    assert not approvals.four_eyes(make_settings(env=Environment.PROD, four_eyes=False))
    assert not approvals.four_eyes(make_settings())
    assert approvals.four_eyes(make_settings(four_eyes=True))


def test_a_second_officer_approves_and_the_action_is_carried_out(db: Database) -> None:
    carried.clear()
    asked = ask(db)
    assert [a.id for a in approvals.pending(db=db, actor=AUDITOR)] == [asked.id]
    done = approvals.approve(db=db, actor=BOB, handlers=HANDLERS, approval_id=str(asked.id), comment="Vu.")
    assert (done.status, done.decided_by, done.comment, done.outcome) == (
        "approved",
        BOB.label,
        "Vu.",
        {"done": "thing:1"},
    )
    assert done.requested_by == ALICE.label and done.decided_at is not None and done.requested_at <= done.decided_at
    assert carried == [{"target": "thing:1", "by": BOB.subject, "requested_by": ALICE.label}]
    assert approvals.pending(db=db, actor=BOB) == []
    assert [a.status for a in approvals.history(db=db, actor=AUDITOR, target="thing:1")] == ["approved"]
    with pytest.raises(Conflict, match="already approved"):  # twice: refused, nothing carried out again
        approvals.approve(db=db, actor=BOB, handlers=HANDLERS, approval_id=asked.id)
    assert len(carried) == 1


def test_the_requester_cannot_decide_on_their_own_request(db: Database) -> None:
    asked = ask(db)
    with pytest.raises(Forbidden, match="second legal officer"):
        approvals.approve(db=db, actor=ALICE, handlers=HANDLERS, approval_id=asked.id)
    with pytest.raises(Forbidden, match="second legal officer"):
        approvals.refuse(db=db, actor=ALICE, approval_id=asked.id, comment="Non.")
    assert approvals.history(db=db, actor=BOB, target="thing:1")[0].status == "pending"


def test_only_legal_staff_decide(db: Database) -> None:
    asked = ask(db)
    admin = Principal(role=Role.SCHOOL_ADMIN, subject="admin@imt-bs.fr", organisation_id=1, organisation_code="imt-bs")
    for actor in (AUDITOR, admin):
        with pytest.raises(Forbidden):
            approvals.approve(db=db, actor=actor, handlers=HANDLERS, approval_id=asked.id)
    with pytest.raises(Forbidden):
        approvals.pending(db=db, actor=admin)


def test_unknown_and_invalid_ids(db: Database) -> None:
    with pytest.raises(NotFound):
        approvals.approve(db=db, actor=BOB, handlers=HANDLERS, approval_id=999999)
    with pytest.raises(InvalidInput):
        approvals.refuse(db=db, actor=BOB, approval_id="x1", comment="Non.")


def test_a_refusal_needs_a_comment_and_carries_nothing_out(db: Database) -> None:
    carried.clear()
    asked = ask(db)
    with pytest.raises(InvalidInput, match="comment"):
        approvals.refuse(db=db, actor=BOB, approval_id=asked.id, comment="  ")
    refused = approvals.refuse(db=db, actor=BOB, approval_id=asked.id, comment="Clause 4 incomplète.")
    assert (refused.status, refused.comment, refused.decided_by) == ("refused", "Clause 4 incomplète.", BOB.label)
    with pytest.raises(Conflict):
        approvals.approve(db=db, actor=BOB, handlers=HANDLERS, approval_id=asked.id)
    assert carried == []
    ask(db)  # once decided, the same action may be asked for again


def test_one_pending_request_per_action_and_target(db: Database) -> None:
    ask(db)
    with pytest.raises(Conflict, match="already requested"):
        ask(db)
    ask(db, target="thing:2")


def test_a_failed_action_leaves_the_request_pending(db: Database) -> None:
    asked = ask(db, fail=True)
    with pytest.raises(InvalidInput, match="cannot be done"):
        approvals.approve(db=db, actor=BOB, handlers=HANDLERS, approval_id=asked.id)
    assert approvals.history(db=db, actor=BOB, target="thing:1")[0].status == "pending"
    with pytest.raises(Conflict, match="does not know"):
        approvals.approve(db=db, actor=BOB, handlers={}, approval_id=asked.id)
