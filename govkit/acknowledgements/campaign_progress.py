"""Campaign follow-up: concerned, acknowledged, pending and overdue counts from SQL aggregates,
and the pages of the persons who have not acknowledged."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, Campaign, CampaignPopulation, Person
from govkit.acknowledgements.persons import population_members, present_at
from govkit.db import stored_id
from govkit.documents.models import DocumentVersion
from govkit.errors import InvalidInput
from govkit.timeline import AsOf
from govkit.vocabulary import Population


@dataclass
class PopulationCount:
    population: str
    concerned: int
    acknowledged: int
    overdue: int

    @property
    def pending(self) -> int:
        return self.concerned - self.acknowledged

    @property
    def rate(self) -> float:
        return self.acknowledged / self.concerned if self.concerned else 1.0


@dataclass
class CampaignStatus:
    campaign: Campaign
    document: DocumentVersion
    total: PopulationCount
    populations: list[PopulationCount] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.total.overdue > 0


#: One bit per population. A person's populations are one integer, the sum of their bits ((person,
#: population) is unique), and "holds one of the campaign's populations" is ``mask & campaign mask``.
POPULATION_BITS = {p.value: 1 << i for i, p in enumerate(Population)}
#: A person's group key: ``school * SCHOOL_FACTOR + mask * 2 + settled``.
SCHOOL_FACTOR = 1 << (len(POPULATION_BITS) + 1)


def _group_statement(when: AsOf | None) -> sa.CompoundSelect:
    """The statement of ``_groups`` (its parameters: organisations, versions, late_entry): today's
    active persons and every acknowledgement, or those present and recorded as of ``when``."""
    members = population_members(when)
    bit = sa.case(POPULATION_BITS, value=members.c.population, else_=0)
    late_entry = sa.bindparam("late_entry", type_=sa.Date)
    settled = sa.case((sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) < late_entry), 1), else_=0)
    # the mask by an index lookup of the person's populations: the work follows the persons of the
    # schools asked for, not every person of the group; NULL for a person without any population
    mask = select(sa.func.sum(bit)).where(members.c.person_id == Person.id).scalar_subquery()
    group = sa.cast(Person.organisation_id, sa.BigInteger) * SCHOOL_FACTOR + mask * 2 + settled
    present = col(Person.status) == "active" if when is None else present_at(when)
    concerned = (
        select(col(Person.id).label("person_id"), group.label("grp"))
        .where(col(Person.organisation_id).in_(sa.bindparam("organisations", expanding=True)), present)
        .cte("concerned")
    )
    everyone = select(sa.cast(sa.null(), sa.Integer).label("version"), concerned.c.grp, sa.func.count()).group_by(
        concerned.c.grp
    )
    acknowledged = (
        select(col(Acknowledgement.document_version_id), concerned.c.grp, sa.func.count())
        .join(concerned, concerned.c.person_id == Acknowledgement.person_id)
        .where(
            col(Acknowledgement.document_version_id).in_(sa.bindparam("versions", expanding=True)),
            sa.true() if when is None else col(Acknowledgement.acknowledged_at) <= when.end,
        )
        .group_by(col(Acknowledgement.document_version_id), concerned.c.grp)
    )
    return sa.union_all(everyone, acknowledged)


@cache
def _group_query() -> sa.CompoundSelect:
    """The statement of ``_groups`` today, built once."""
    return _group_statement(None)


def open_on(when: AsOf, *, include_closed: bool = False) -> sa.ColumnElement[bool]:
    """SQL: the campaign was open at the end of ``when.day`` (opened by then and not closed by then;
    ``include_closed``: opened by then)."""
    opened = col(Campaign.opened_at) <= when.end
    if include_closed:
        return opened
    return sa.and_(opened, sa.or_(col(Campaign.closed_at).is_(None), col(Campaign.closed_at) > when.end))


def _groups(
    session: Session, campaigns: Sequence[Campaign], late_entry: date, when: AsOf | None = None
) -> tuple[dict[int, dict[int, list[int]]], dict[tuple[int, int], dict[int, list[int]]]]:
    """One aggregate query for all the campaigns, whatever their number: the active persons of their
    schools grouped by school, populations and entry, all of them and those who acknowledged each
    campaign's version (as of ``when``: those present then, and what was acknowledged by the end of
    that day). (person, version) is unique: plain counts are exact.

    A person's group is one integer, ``school * SCHOOL_FACTOR + mask * 2 + settled``: one grouping key, whose
    estimate leads PostgreSQL to hash, and which SQLite sorts faster than three. Returned: by school,
    and by (version, school), each mask's count of persons, [not settled, settled]."""
    parameters = {
        "organisations": sorted({c.organisation_id for c in campaigns}),
        "versions": sorted({c.document_version_id for c in campaigns}),
        "late_entry": late_entry,
    }
    by_school: dict[int, dict[int, list[int]]] = {}
    by_version: dict[tuple[int, int], dict[int, list[int]]] = {}
    statement = _group_query() if when is None else _group_statement(when)
    for version, key, count in session.execute(statement, parameters):
        if key is None:
            continue  # no population: concerned by no campaign
        organisation_id, rest = divmod(int(key), SCHOOL_FACTOR)
        groups = (
            by_school.setdefault(organisation_id, {})
            if version is None
            else by_version.setdefault((version, organisation_id), {})
        )
        groups.setdefault(rest >> 1, [0, 0])[rest & 1] += int(count)
    return by_school, by_version


def _count(
    population: str,
    mask: int,
    everyone: dict[int, list[int]],
    acknowledged: dict[int, list[int]],
    due: bool,
) -> PopulationCount:
    concerned = [n for held, n in everyone.items() if held & mask]
    done = [n for held, n in acknowledged.items() if held & mask]
    overdue = sum(n[1] for n in concerned) - sum(n[1] for n in done) if due else 0
    return PopulationCount(population, sum(map(sum, concerned)), sum(map(sum, done)), overdue)


def _details(
    session: Session, condition: sa.ColumnElement[bool], order: Sequence[sa.ColumnElement[Any]] = ()
) -> tuple[list[Campaign], dict[int, DocumentVersion], dict[int, list[str]]]:
    """The campaigns matching ``condition`` (in ``order``), with their documents and populations: one query,
    one row a campaign (its populations, identifiers from the vocabulary, joined by commas)."""
    populations = (
        select(sa.func.aggregate_strings(col(CampaignPopulation.population), ","))
        .where(CampaignPopulation.campaign_id == Campaign.id)
        .scalar_subquery()
    )
    campaigns: list[Campaign] = []
    documents: dict[int, DocumentVersion] = {}
    held: dict[int, list[str]] = {}
    for campaign, document, names in session.execute(
        select(Campaign, DocumentVersion, populations)
        .join(DocumentVersion, col(DocumentVersion.id) == Campaign.document_version_id)
        .where(condition)
        .order_by(*order)
    ).all():
        campaigns.append(campaign)
        documents[campaign.id] = document
        held[campaign.id] = names.split(",") if names else []
    return campaigns, documents, held


def follow(
    session: Session,
    condition: sa.ColumnElement[bool],
    *,
    order: Sequence[sa.ColumnElement[Any]] = (),
    today: date,
    days: int,
    when: AsOf | None = None,
) -> list[CampaignStatus]:
    """The statuses of the campaigns matching ``condition``, in ``order``, in two queries (see ``statuses``);
    as of ``when`` (``today`` is then its day): counted as on that day."""
    return _statuses(session, *_details(session, condition, order), today=today, days=days, when=when)


def statuses(session: Session, campaigns: Sequence[Campaign], *, today: date, days: int) -> list[CampaignStatus]:
    """Concerned, acknowledged, pending and overdue counts of each campaign, from one SQL aggregate for all.

    Concerned: the active persons of the campaign's school holding one of its populations; acknowledged:
    those of them who acknowledged its version; overdue (past the deadline only): those pending who
    entered before ``days`` ago. Per population: the populations with concerned persons, by name."""
    if not campaigns:
        return []
    _, documents, populations = _details(session, col(Campaign.id).in_([c.id for c in campaigns]))
    return _statuses(session, campaigns, documents, populations, today=today, days=days)


def _statuses(
    session: Session,
    campaigns: Sequence[Campaign],
    documents: dict[int, DocumentVersion],
    populations: dict[int, list[str]],
    *,
    today: date,
    days: int,
    when: AsOf | None = None,
) -> list[CampaignStatus]:
    if not campaigns:
        return []
    everyone, acknowledged = _groups(session, campaigns, today - timedelta(days=days), when)
    result = []
    for campaign in campaigns:
        held = everyone.get(campaign.organisation_id, {})
        done = acknowledged.get((campaign.document_version_id, campaign.organisation_id), {})
        due = campaign.deadline < today
        names = sorted(populations[stored_id(campaign)])
        total = _count("all", sum(POPULATION_BITS.get(p, 0) for p in names), held, done, due)
        by_population = [_count(p, POPULATION_BITS.get(p, 0), held, done, due) for p in names]
        result.append(
            CampaignStatus(campaign, documents[stored_id(campaign)], total, [c for c in by_population if c.concerned])
        )
    return result


@dataclass(frozen=True)
class PendingPerson:
    person: Person
    populations: tuple[str, ...]
    overdue: bool


def encode_cursor(person_id: int) -> str:
    return base64.urlsafe_b64encode(f"p:{person_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "p":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            f"Invalid cursor {cursor!r}: use the endCursor of a previous page.", key="invalid_cursor"
        ) from None


def pending_persons(
    session: Session,
    campaign: Campaign,
    *,
    today: date,
    days: int,
    first: int,
    after: str | None = None,
    population: str | None = None,
    search: str | None = None,
    when: AsOf | None = None,
) -> tuple[list[PendingPerson], bool, int]:
    """One page of the persons who have not acknowledged, keyset-paginated by id; and the total.
    As of ``when`` (``today`` is then its day): those present then who had not acknowledged by the
    end of that day."""
    members = population_members(when)
    populations = select(CampaignPopulation.population).where(CampaignPopulation.campaign_id == campaign.id)
    if population is not None:
        populations = populations.where(CampaignPopulation.population == population)
    concerned = sa.exists().where(members.c.person_id == Person.id, members.c.population.in_(populations))
    acknowledged = sa.exists().where(
        col(Acknowledgement.person_id) == Person.id,
        col(Acknowledgement.document_version_id) == campaign.document_version_id,
        sa.true() if when is None else col(Acknowledgement.acknowledged_at) <= when.end,
    )
    query = select(Person).where(
        Person.organisation_id == campaign.organisation_id,
        col(Person.status) == "active" if when is None else present_at(when),
        concerned,
        ~acknowledged,
    )
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Person.family_name).like(pattern),
                sa.func.lower(Person.given_name).like(pattern),
                sa.func.lower(Person.email).like(pattern),
                sa.func.lower(Person.external_id).like(pattern),
            )
        )
    total = session.execute(select(sa.func.count()).select_from(query.subquery())).scalar_one()
    if after is not None:
        query = query.where(col(Person.id) > decode_cursor(after))
    rows = list(session.exec(query.order_by(col(Person.id)).limit(first + 1)).all())
    has_next = len(rows) > first
    rows = rows[:first]
    held: dict[int, list[str]] = {}
    if rows:
        for person_id, pop in session.execute(
            select(members.c.person_id, members.c.population).where(members.c.person_id.in_([p.id for p in rows]))
        ).all():
            held.setdefault(person_id, []).append(pop)
    late_entry = today - timedelta(days=days)
    page = [
        PendingPerson(
            p,
            tuple(sorted(held.get(stored_id(p), []))),
            campaign.deadline < today and (p.entry_date is None or p.entry_date < late_entry),
        )
        for p in rows
    ]
    return page, has_next, total
