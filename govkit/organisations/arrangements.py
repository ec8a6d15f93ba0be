"""Arrangements: an obligation met otherwise than by an organisation's own record — shared with
named schools (one record, one capacity), a group-level arrangement of the head office that schools
join by agreement (and may opt out of from a date), or an external provider under a convention.

An arrangement is a commitment record (``how``: shared, group, external) and the later records of
the same holder, type and title; its members are periods of ``arrangement_member`` (valid time
with precision and source; recorded time, closed — never deleted — when they end). Every function
here authorises through govkit.access and owns its transaction.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, given_id, unknown
from govkit.db import Database, stored_id, utcnow
from govkit.errors import InvalidInput, NotFound, Problem, ProblemList
from govkit.organisations.commitments import in_effect as commitments_in_effect
from govkit.organisations.models import ArrangementMember, Commitment, Organisation
from govkit.organisations.vocabulary import ArrangementHow, MemberRole, OrganisationType
from govkit.timeline import AsOf, Precision, known_by, period_start

__all__ = [
    "ArrangementView",
    "MemberPeriod",
    "add_shared_members",
    "arrangements_by_organisation",
    "join_arrangement",
    "list_arrangements",
    "opt_out_of_arrangement",
    "validate_arrangement",
]

_CAPACITY_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# --- recording a shared / group / external arrangement (through record_commitment) ----------------


def validate_arrangement(
    session: Session,
    holder: Organisation,
    how: ArrangementHow,
    members: Sequence[str],
    provider: str | None,
    capacity: dict[str, Any] | None,
) -> list[Organisation]:
    """Check how a commitment is held; return the member schools of a shared one (InvalidInput
    listing every problem otherwise)."""
    problems = ProblemList()
    if provider is not None and (not provider.strip() or len(provider) > 300):
        problems.add("provider", "must be 1 to 300 characters when given")
    if how is ArrangementHow.EXTERNAL and not (provider or "").strip():
        problems.add("provider", "an external arrangement names its provider (the partner under a convention)")
    if how is ArrangementHow.OWN and provider is not None:
        problems.add("provider", "only for a shared, group or external arrangement (how)")
    if how is ArrangementHow.GROUP and holder.type == OrganisationType.SCHOOL.value:
        problems.add("how", f"a group arrangement is held by the head office or the group, not by school {holder.code}")
    if members and how is not ArrangementHow.SHARED:
        problems.add(
            "members",
            "only for a shared arrangement; schools join a group arrangement with joinArrangement",
        )
    if how is ArrangementHow.SHARED and len(set(members)) < 2:
        problems.add(
            "members", "a shared arrangement names the schools it serves (at least two, the holder's included)"
        )
    if capacity is not None:
        if len(capacity) > 10:
            problems.add("capacity", "at most 10 figures")
        for key, value in capacity.items():
            if not isinstance(key, str) or not _CAPACITY_KEY.match(key):
                problems.add(f"capacity.{key}", "a name in lower case letters, digits and _ (e.g. time_share_percent)")
            elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                problems.add(f"capacity.{key}", "must be a number, 0 or more")
            elif key.endswith("_percent") and value > 100:
                problems.add(f"capacity.{key}", "a percentage is at most 100")
    found: dict[str, Organisation] = {}
    if members:
        rows = session.exec(select(Organisation).where(col(Organisation.code).in_(set(members)))).all()
        found = {o.code: o for o in rows}
        for index, code in enumerate(members):
            organisation = found.get(code)
            if organisation is None:
                problems.add(f"members.{index}", f"no organisation with code {code!r}")
            elif organisation.type != OrganisationType.SCHOOL.value:
                problems.add(f"members.{index}", f"{code} is not a school ({organisation.type})")
    problems.raise_if_any(
        "L'arrangement n'est pas valable ; rien n'a été enregistré. / The arrangement is not valid; nothing was saved."
    )
    return [found[code] for code in dict.fromkeys(members)]


def add_shared_members(session: Session, commitment: Commitment, members: Sequence[Organisation]) -> None:
    """The member periods of a shared record: from its date (unknown when it has none), sourced by
    its quote; a school already served by this arrangement (an earlier record of it) stays as it is."""
    already = {m.organisation_id for m in _open_periods(session, commitment) if m.role == MemberRole.MEMBER.value}
    for organisation in members:
        if organisation.id in already:
            continue
        session.add(
            ArrangementMember(
                commitment_id=stored_id(commitment),
                organisation_id=stored_id(organisation),
                role=MemberRole.MEMBER.value,
                valid_from=commitment.effective_on,
                valid_from_precision=commitment.date_precision,
                date_source=commitment.date_source,
                source_quote=commitment.source_quote,
                recorded_by=commitment.recorded_by,
            )
        )
    session.flush()


# --- joining and opting out of a group arrangement --------------------------------------------------


def _same_arrangement(session: Session, commitment: Commitment) -> list[int]:
    """The ids of the records of the arrangement ``commitment`` belongs to (same holder, type, title)."""
    rows = session.exec(
        select(Commitment.id, Commitment.title).where(
            Commitment.organisation_id == commitment.organisation_id, Commitment.type == commitment.type
        )
    ).all()
    return [i for i, title in rows if i is not None and title.casefold() == commitment.title.casefold()]


def _open_periods(
    session: Session, commitment: Commitment, organisation_id: int | None = None
) -> list[ArrangementMember]:
    """The open periods (member or opted out) of the arrangement, of one organisation or all."""
    query = select(ArrangementMember).where(
        col(ArrangementMember.commitment_id).in_(_same_arrangement(session, commitment)),
        col(ArrangementMember.valid_to).is_(None),
    )
    if organisation_id is not None:
        query = query.where(ArrangementMember.organisation_id == organisation_id)
    return list(session.exec(query.order_by(col(ArrangementMember.id))).all())


def _group_arrangement(session: Session, actor: Principal, commitment_id: int | str) -> Commitment:
    number = given_id(actor, Action.JOIN_ARRANGEMENT, commitment_id, "commitment")
    commitment = session.get(Commitment, number)
    if commitment is None:
        unknown(
            actor,
            Action.JOIN_ARRANGEMENT,
            NotFound(f"Aucun engagement n° {commitment_id}. / No commitment {commitment_id}."),
        )
    if commitment.how != ArrangementHow.GROUP.value:
        raise InvalidInput(
            f"L'engagement {commitment_id} (« {commitment.title} ») n'est pas un dispositif de groupe "
            f"({commitment.how}) : on ne peut s'y joindre. / Commitment {commitment_id} is not a group "
            f"arrangement ({commitment.how}): schools join group arrangements only.",
            problems=[Problem("commitmentId", f"how is {commitment.how}, not group")],
        )
    return commitment


def _school(session: Session, actor: Principal, code: str) -> Organisation:
    from govkit.organisations.service import organisation_for  # the service imports this module

    organisation = organisation_for(session, actor, Action.JOIN_ARRANGEMENT, code)
    if organisation.type != OrganisationType.SCHOOL.value:
        raise InvalidInput(
            f"{code} n'est pas une école : seules les écoles rejoignent un dispositif de groupe. "
            f"/ {code} is not a school ({organisation.type}): only schools join a group arrangement.",
            problems=[Problem("school", f"{code} is a {organisation.type}")],
        )
    return organisation


def _check_text(problems: ProblemList, name: str, value: str | None, *, required: bool = False) -> None:
    if value is None:
        if required:
            problems.add(name, "is required")
        return
    if not value.strip():
        problems.add(name, "must not be empty")
    elif len(value) > 4000:
        problems.add(name, "must be at most 4000 characters")


def _close(period: ArrangementMember, on: date) -> None:
    if period.valid_from is not None and on < period.valid_from:
        since = period.valid_from.isoformat()
        raise InvalidInput(
            f"La date {on.isoformat()} précède le début de la période en cours ({since}). "
            f"/ validFrom {on.isoformat()} is before the current period's start ({since}).",
            problems=[Problem("validFrom", f"must be on or after {since}")],
        )
    period.valid_to, period.ended_recorded_at = on, utcnow()


def join_arrangement(
    *,
    db: Database,
    actor: Principal,
    commitment_id: int | str,
    school: str,
    valid_from: date,
    precision: Precision = Precision.DAY,
    source: str | None = None,
) -> ArrangementMember:
    """``school`` joins the group arrangement ``commitment_id`` names from ``valid_from`` (by
    agreement; ``source``: what records it). An opt-out in progress ends that day."""
    authorize_some(actor, Action.JOIN_ARRANGEMENT)
    with db.transaction() as session:
        organisation = _school(session, actor, school)
        commitment = _group_arrangement(session, actor, commitment_id)
        problems = ProblemList()
        _check_text(problems, "source", source)
        problems.raise_if_any(
            "L'adhésion n'est pas valable ; rien n'a été enregistré. / The join is not valid; nothing was saved."
        )
        start = period_start(valid_from, precision)
        for period in _open_periods(session, commitment, stored_id(organisation)):
            if period.role == MemberRole.MEMBER.value:
                raise InvalidInput(
                    f"{school} est déjà membre de « {commitment.title} » depuis "
                    f"{period.valid_from or 'une date inconnue'}. "
                    f"/ {school} is already a member of “{commitment.title}” (since {period.valid_from or 'unknown'}).",
                    problems=[Problem("school", "already a member")],
                )
            _close(period, start)
            session.add(period)
        member = ArrangementMember(
            commitment_id=stored_id(commitment),
            organisation_id=stored_id(organisation),
            role=MemberRole.MEMBER.value,
            valid_from=start,
            valid_from_precision=precision.value,
            date_source=source.strip() if source else None,
            recorded_by=actor.label,
        )
        session.add(member)
        session.flush()
        return member


def opt_out_of_arrangement(
    *,
    db: Database,
    actor: Principal,
    commitment_id: int | str,
    school: str,
    valid_from: date,
    reason: str,
    precision: Precision = Precision.DAY,
) -> ArrangementMember:
    """``school`` leaves the group arrangement from ``valid_from`` (its membership ends that day):
    from then on it needs its own arrangement."""
    authorize_some(actor, Action.JOIN_ARRANGEMENT)
    with db.transaction() as session:
        organisation = _school(session, actor, school)
        commitment = _group_arrangement(session, actor, commitment_id)
        problems = ProblemList()
        _check_text(problems, "reason", reason, required=True)
        problems.raise_if_any(
            "Le retrait n'est pas valable ; rien n'a été enregistré. / The opt-out is not valid; nothing was saved."
        )
        start = period_start(valid_from, precision)
        periods = _open_periods(session, commitment, stored_id(organisation))
        member = next((p for p in periods if p.role == MemberRole.MEMBER.value), None)
        if member is None:
            state = "s'en est déjà retirée" if periods else "n'en est pas membre"
            state_en = "already opted out" if periods else "is not a member"
            raise InvalidInput(
                f"{school} {state} (« {commitment.title} »). / {school} {state_en} of “{commitment.title}”.",
                problems=[Problem("school", state_en)],
            )
        _close(member, start)
        session.add(member)
        left = ArrangementMember(
            commitment_id=stored_id(commitment),
            organisation_id=stored_id(organisation),
            role=MemberRole.OPTED_OUT.value,
            valid_from=start,
            valid_from_precision=precision.value,
            date_source=reason.strip(),
            recorded_by=actor.label,
        )
        session.add(left)
        session.flush()
        return left


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPeriod:
    organisation: Organisation
    period: ArrangementMember


@dataclass(frozen=True)
class ArrangementView:
    """An arrangement as of a day: its record in effect, its holder, its members and opt-outs then."""

    record: Commitment
    holder: Organisation
    members: list[MemberPeriod] = field(default_factory=list)
    opted_out: list[MemberPeriod] = field(default_factory=list)

    def concerns(self, organisation_id: int) -> bool:
        return organisation_id == self.holder.id or any(
            m.organisation.id == organisation_id for m in (*self.members, *self.opted_out)
        )


def _views(session: Session, when: AsOf) -> list[ArrangementView]:
    """Every arrangement (record not own) in effect on ``when.day``, as known at ``when.known_at``."""
    organisations = {stored_id(o): o for o in session.exec(select(Organisation)).all()}
    records = [
        c
        for rows in commitments_in_effect(session, list(organisations), when).values()
        for c in rows
        if c.how != ArrangementHow.OWN.value
    ]
    m = ArrangementMember
    still_open = [col(m.valid_to).is_(None), col(m.valid_to) > when.day]
    if when.known_at is not None:
        still_open.append(col(m.ended_recorded_at) > when.known_at)
    periods: dict[tuple[int, str, str], list[tuple[Commitment, ArrangementMember]]] = defaultdict(list)
    for period, record in session.exec(
        select(ArrangementMember, Commitment)
        .join(Commitment, col(Commitment.id) == ArrangementMember.commitment_id)
        .where(
            sa.or_(col(m.valid_from).is_(None), col(m.valid_from) <= when.day),
            sa.or_(*still_open),
            known_by(col(m.recorded_at), when),
        )
        .order_by(col(ArrangementMember.id))
    ).all():
        periods[record.organisation_id, record.type, record.title.casefold()].append((record, period))
    views = []
    for record in records:
        members: list[MemberPeriod] = []
        left: list[MemberPeriod] = []
        for _r, period in periods.get((record.organisation_id, record.type, record.title.casefold()), []):
            item = MemberPeriod(organisations[period.organisation_id], period)
            (members if period.role == MemberRole.MEMBER.value else left).append(item)
        members.sort(key=lambda p: p.organisation.code)
        left.sort(key=lambda p: p.organisation.code)
        views.append(ArrangementView(record, organisations[record.organisation_id], members, left))
    views.sort(key=lambda v: (v.holder.code, v.record.type, v.record.title.casefold()))
    return views


def _readable(actor: Principal, view: ArrangementView) -> bool:
    ids = [view.holder.id, *(m.organisation.id for m in (*view.members, *view.opted_out))]
    return any(is_allowed(actor, Action.READ_COMMITMENTS, organisation_id=i) for i in ids)


def list_arrangements(
    *, db: Database, actor: Principal, when: AsOf | None = None, school: str | None = None
) -> list[ArrangementView]:
    """Each shared, group or external arrangement in effect as of ``when`` (today by default) ONCE,
    with its members: those the caller may read (an arrangement its organisation holds or is in);
    with ``school``, those that school holds, is a member of or opted out of."""
    authorize_some(actor, Action.READ_COMMITMENTS)
    when = when or AsOf.today()
    with db.reading() as session:
        target = None
        if school is not None:
            from govkit.organisations.service import organisation_for

            target = organisation_for(session, actor, Action.READ_COMMITMENTS, school)
        views = _views(session, when)
    return [v for v in views if _readable(actor, v) and (target is None or v.concerns(stored_id(target)))]


def arrangements_by_organisation(
    *, db: Database, actor: Principal, organisation_ids: Sequence[int], when: AsOf | None = None
) -> dict[int, list[ArrangementView] | Exception]:
    """The arrangements each organisation holds, is a member of or opted out of, as of ``when``; or
    the refusal for that organisation."""
    from govkit.organisations.service import _refusal

    result: dict[int, list[ArrangementView] | Exception] = {}
    allowed = [i for i in organisation_ids if is_allowed(actor, Action.READ_COMMITMENTS, organisation_id=i)]
    for i in organisation_ids:
        if i not in allowed:
            result[i] = _refusal(actor, Action.READ_COMMITMENTS, i)
    if allowed:
        with db.reading() as session:
            views = _views(session, when or AsOf.today())
        for i in allowed:
            result[i] = [v for v in views if v.concerns(i)]
    return result
