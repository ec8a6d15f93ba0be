"""A school's commitment records as its administration keeps them: each commitment (or arrangement)
with every record of it, newest first — who recorded it and when, what it corrected — and the
evidence files linked to each record (govkit.flows.commitment_evidence stores them).

A commitment is the records of one (type, title) and those connected to them by a correction
(``supersedes``: a correction may change the title). Its record in effect today is the one the
rules read (govkit.organisations.commitments).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.db import Database, stored_id
from govkit.organisations.commitments import in_effect, in_effect_key
from govkit.organisations.lookup import organisation_for
from govkit.organisations.models import ArrangementMember, Commitment, CommitmentEvidence, Organisation
from govkit.organisations.vocabulary import ArrangementHow, MemberRole
from govkit.timeline import AsOf

__all__ = ["CommitmentHistory", "GroupArrangement", "RecordsOfSchool", "commitment_records"]


@dataclass(frozen=True)
class RecordEntry:
    """One record of a commitment, with its evidence files and whether a later record corrected it."""

    record: Commitment
    evidence: list[CommitmentEvidence]
    corrected_by: int | None = None


@dataclass(frozen=True)
class CommitmentHistory:
    """One commitment: its record in effect today (None: none in effect), and every record, newest first."""

    current: Commitment | None
    records: list[RecordEntry]

    @property
    def latest(self) -> Commitment:
        return self.records[0].record


@dataclass(frozen=True)
class GroupArrangement:
    """A group arrangement of the head office a school may join (or has joined: ``member_since``)."""

    record: Commitment
    holder: Organisation
    member_since: date | None = None
    member: bool = False


@dataclass(frozen=True)
class RecordsOfSchool:
    organisation: Organisation
    commitments: list[CommitmentHistory]
    group_arrangements: list[GroupArrangement] = field(default_factory=list)
    may_record: bool = False
    may_join: bool = False


def _chains(records: list[Commitment]) -> list[list[Commitment]]:
    """The records grouped by commitment: same (type, title), or joined by a correction."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[tuple[str, str], int] = {}
    for record in records:
        ident = stored_id(record)
        root(ident)
        key = in_effect_key(record)
        if key in first_of:
            parent[root(ident)] = root(first_of[key])
        else:
            first_of[key] = ident
        if record.supersedes_id is not None and record.supersedes_id in {stored_id(r) for r in records}:
            parent[root(ident)] = root(record.supersedes_id)
    groups: dict[int, list[Commitment]] = defaultdict(list)
    for record in records:
        groups[root(stored_id(record))].append(record)
    return list(groups.values())


def commitment_records(*, db: Database, actor: Principal, school: str) -> RecordsOfSchool:
    """Every commitment record of ``school`` known now, grouped by commitment, with evidence files,
    and the head office's group arrangements it may join (legal staff, auditors, its administration)."""
    authorize_some(actor, Action.READ_COMMITMENT_RECORDS)
    today = AsOf.today()
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.READ_COMMITMENT_RECORDS, school)
        organisation_id = stored_id(organisation)
        records = list(
            session.exec(
                select(Commitment).where(Commitment.organisation_id == organisation_id).order_by(col(Commitment.id))
            ).all()
        )
        ids = [stored_id(r) for r in records]
        files: dict[int, list[CommitmentEvidence]] = defaultdict(list)
        for link in session.exec(
            select(CommitmentEvidence)
            .where(col(CommitmentEvidence.commitment_id).in_(ids))
            .order_by(col(CommitmentEvidence.id))
        ).all():
            files[link.commitment_id].append(link)
        current = {stored_id(c) for c in in_effect(session, [organisation_id], today).get(organisation_id, [])}
        group = _group_arrangements(session, organisation_id, today)
    corrected = {r.supersedes_id: stored_id(r) for r in records if r.supersedes_id is not None}
    histories = []
    for chain in _chains(records):
        newest = sorted(chain, key=lambda r: (r.recorded_at, stored_id(r)), reverse=True)
        entries = [RecordEntry(r, files.get(stored_id(r), []), corrected.get(stored_id(r))) for r in newest]
        in_force = next((r for r in newest if stored_id(r) in current), None)
        histories.append(CommitmentHistory(in_force, entries))
    histories.sort(key=lambda h: (h.latest.type, h.latest.title.casefold()))
    return RecordsOfSchool(
        organisation,
        histories,
        group,
        may_record=is_allowed(actor, Action.RECORD_COMMITMENT, organisation_id=organisation_id),
        may_join=is_allowed(actor, Action.JOIN_ARRANGEMENT, organisation_id=organisation_id),
    )


def _group_arrangements(session: Session, organisation_id: int, when: AsOf) -> list[GroupArrangement]:
    """The head office's group arrangements in effect, each with whether the school is a member now."""
    holders = {stored_id(o): o for o in session.exec(select(Organisation).where(Organisation.type == "head_office"))}
    open_periods = session.exec(
        select(ArrangementMember, Commitment)
        .join(Commitment, col(Commitment.id) == ArrangementMember.commitment_id)
        .where(
            ArrangementMember.organisation_id == organisation_id,
            ArrangementMember.role == MemberRole.MEMBER.value,
            col(ArrangementMember.valid_to).is_(None),
        )
    ).all()
    found = []
    for holder_id, rows in in_effect(session, list(holders), when).items():
        for record in rows:
            if record.how != ArrangementHow.GROUP.value:
                continue
            mine = [
                p
                for p, c in open_periods
                if c.organisation_id == holder_id and in_effect_key(c) == in_effect_key(record)
            ]
            since = mine[0].valid_from if mine else None
            found.append(GroupArrangement(record, holders[holder_id], since, bool(mine)))
    return sorted(found, key=lambda g: (g.record.type, g.record.title.casefold()))
