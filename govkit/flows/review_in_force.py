"""Putting a publication review's schools in force from a date, in one action: every ready school
(or those chosen) gets its variant put in force and its campaign opened or carried forward, exactly
as ``publish_variant`` does for one (govkit.flows.publication), all in one transaction — a school
that is not ready refuses the whole action, and nothing is written. A review superseded by the
review of a later version of the same root template is refused as a whole."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import given_id
from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.db import Database, stored_id, utcnow
from govkit.errors import Conflict, InvalidInput, NotFound
from govkit.flows.publication import publish_in
from govkit.flows.review_models import PublicationReview, ReviewSchool
from govkit.flows.root_publication import refuse_if_superseded

__all__ = ["put_in_force"]

WHY_NOT = {
    "pending": "its variant is still being rendered: wait for it",
    "failed": "its variant could not be rendered (see the review): it cannot be put in force",
}


def _chosen(rows: Sequence[ReviewSchool], schools: Sequence[str] | None, review_id: int) -> list[ReviewSchool]:
    """The rows to put in force: those named (each must be ready), or every ready one."""
    if schools is None:
        ready = [r for r in rows if r.status == "ready"]
        if not ready:
            done = [r for r in rows if r.status == "in_force"]
            if done:
                raise Conflict(
                    f"Review {review_id} was put in force already (from {done[0].effective_from:%Y-%m-%d}, "
                    f"by {done[0].put_in_force_by}); no school is waiting.",
                    key="review_in_force_already",
                    params={"id": review_id},
                )
            raise Conflict(f"No school of review {review_id} is ready yet.", key="review_none_ready")
        return ready
    if not schools:
        raise InvalidInput("Choose at least one school.", key="review_choose_school")
    by_code = {r.school: r for r in rows}
    chosen = []
    for code in dict.fromkeys(schools):
        row = by_code.get(code)
        if row is None:
            raise NotFound(f"{code!r} is not in review {review_id}.", key="not_in_review", params={"school": code})
        if row.status == "in_force":
            raise Conflict(
                f"{code} was put in force already from {row.effective_from:%Y-%m-%d} by {row.put_in_force_by}.",
                key="school_in_force_already",
                params={"school": code},
            )
        if row.status == "pending":
            raise Conflict(f"{code}: {WHY_NOT['pending']}.", key="school_pending", params={"school": code})
        if row.status == "failed":
            raise Conflict(f"{code}: {WHY_NOT['failed']}.", key="school_failed", params={"school": code})
        chosen.append(row)
    return chosen


def put_in_force(
    *,
    db: Database,
    actor: Principal,
    review_id: int | str,
    effective_from: date,
    schools: Sequence[str] | None = None,
    policy: CampaignPolicy | None = None,
) -> list[ReviewSchool]:
    """Put in force from ``effective_from`` every ready school of the review (or ``schools``), each
    with its campaign (legal staff); the rows put in force."""
    authorize(actor, Action.PUBLISH_ROOT_TEMPLATE)  # group-wide: legal staff
    key = given_id(actor, Action.PUBLISH_ROOT_TEMPLATE, review_id, "publication review")
    with db.transaction() as session:
        chain.lock(session)  # first, as publish_variant: publications and acknowledgements are serialised
        review = session.get(PublicationReview, key)
        if review is None:
            raise NotFound(f"No publication review {review_id}.", key="no_review", params={"id": review_id})
        refuse_if_superseded(session, review)
        rows = session.exec(
            select(ReviewSchool)
            .where(ReviewSchool.review_id == key)
            .order_by(col(ReviewSchool.school))
            .with_for_update()
        ).all()
        chosen = _chosen(rows, schools, key)
        now = utcnow()
        for row in chosen:
            document = publish_in(
                session, actor=actor, variant_id=stored_id_of(row), effective_from=effective_from, policy=policy
            )
            row.status, row.document_version_id, row.effective_from = "in_force", stored_id(document), effective_from
            row.put_in_force_by, row.put_in_force_at = actor.label, now
            session.add(row)
        session.flush()
        return chosen


def stored_id_of(row: ReviewSchool) -> int:
    assert row.variant_id is not None  # ready
    return row.variant_id
