"""The shared and group arrangements of the rule facts: which organisations they serve on a day, as
known at a moment (one batch query, whatever the number of schools; used by govkit.rules.queries).

An arrangement is a commitment record held by one organisation (its ``how``: shared, group or
external) and the later records of the same holder, type and title: a membership names a record,
and follows the record of that (type, title) in effect at the holder on the day. A member
organisation's facts list the arrangement as a CommitmentFact with ``holder`` set; an organisation
that opted out of it (and is not back) gets an OptOutFact instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col

from govkit.organisations.models import ArrangementMember, Commitment, Organisation
from govkit.rules.facts import CommitmentFact, OptOutFact
from govkit.timeline import AsOf, is_uncertain, known_by

__all__ = ["Membership", "add_arrangements", "holders_serving", "memberships"]

#: (holder organisation id, type, title folded): an arrangement, whichever of its records is in effect
ArrangementKey = tuple[int, str, str]
#: the commitments in effect per organisation and (type, key): (rank, fact), as govkit.rules.queries keeps them
Latest = dict[int, dict[tuple[str, str], tuple[Any, CommitmentFact]]]


class Membership(NamedTuple):
    organisation_id: int
    organisation: str  # its code
    role: str  # member | opted_out
    valid_from: date | None
    precision: str | None
    recorded_at: Any  # as the driver gives it (see govkit.rules.queries._Plain)
    holder_id: int
    holder: str  # the holder's code
    type: str
    title: str


def holders_serving(evaluated: Any) -> Any:
    """SQL: the ids of the organisations holding an arrangement one of ``evaluated`` is (or was) a member of."""
    record = aliased(Commitment)
    return (
        sa.select(col(record.organisation_id))
        .join(ArrangementMember, col(ArrangementMember.commitment_id) == record.id)
        .where(col(ArrangementMember.organisation_id).in_(evaluated))
        .scalar_subquery()
    )


def memberships(connection: Any, plain: Any, when: AsOf) -> list[Membership]:
    """Every membership and opt-out period in effect on ``when.day``, as known at ``when.known_at``
    (a period recorded later is unknown; a closing recorded later not yet made). Few rows: the
    arrangements are few, whatever the number of schools."""
    m = ArrangementMember
    member, holder = aliased(Organisation), aliased(Organisation)
    still_open = [col(m.valid_to).is_(None), col(m.valid_to) > when.day]
    if when.known_at is not None:
        still_open.append(col(m.ended_recorded_at) > when.known_at)
    rows = connection.execute(
        sa.select(
            col(m.organisation_id),
            col(member.code),
            col(m.role),
            plain.day(m.valid_from),
            col(m.valid_from_precision),
            plain.timestamp(m.recorded_at),
            col(Commitment.organisation_id),
            col(holder.code),
            col(Commitment.type),
            col(Commitment.title),
        )
        .join(Commitment, col(Commitment.id) == m.commitment_id)
        .join(member, col(member.id) == m.organisation_id)
        .join(holder, col(holder.id) == Commitment.organisation_id)
        .where(
            sa.or_(col(m.valid_from).is_(None), col(m.valid_from) <= when.day),
            sa.or_(*still_open),
            known_by(m.recorded_at, when),
        )
        .order_by(col(m.id))
    ).all()
    return [
        Membership(o, code, role, plain.to_optional_day(start), precision, recorded, h, holder_code, t, title)
        for o, code, role, start, precision, recorded, h, holder_code, t, title in rows
    ]


def add_arrangements(
    latest: Latest, rows: list[Membership], plain: Any, when: AsOf
) -> tuple[dict[int, list[CommitmentFact]], dict[int, list[OptOutFact]]]:
    """Set the members of each arrangement in ``latest`` (in place) and return the facts of the
    member organisations (the arrangement, held by another) and of those that opted out."""
    by_arrangement: dict[ArrangementKey, list[Membership]] = defaultdict(list)
    for row in rows:
        by_arrangement[row.holder_id, row.type, row.title.casefold()].append(row)
    served: dict[int, list[CommitmentFact]] = defaultdict(list)
    opted_out: dict[int, list[OptOutFact]] = defaultdict(list)
    for (holder_id, type_, title_key), periods in by_arrangement.items():
        current = latest.get(holder_id, {}).get((type_, title_key))
        if current is None:  # no record of it in effect at the holder on the day
            continue
        rank, record = current
        members = tuple(sorted({p.organisation for p in periods if p.role == "member"}))
        record = replace(record, members=members)
        latest[holder_id][type_, title_key] = (rank, record)
        for p in periods:
            if p.organisation_id == holder_id:
                continue
            if p.role != "member":
                opted_out[p.organisation_id].append(
                    OptOutFact(type_, record.title, p.holder, p.valid_from, record.arrangement_id)
                )
                continue
            joined_uncertain = is_uncertain(p.valid_from, p.precision, plain.to_timestamp(p.recorded_at), when.day)
            later = p.valid_from is not None and (record.effective_on is None or p.valid_from > record.effective_on)
            served[p.organisation_id].append(
                replace(
                    record,
                    holder=p.holder,
                    uncertain=record.uncertain or joined_uncertain,
                    effective_on=p.valid_from if later else record.effective_on,
                    precision=p.precision if later else record.precision,
                )
            )
    return served, opted_out
