"""Campaign counts: the one aggregate query for all campaigns gives what a naive count in Python gives."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from govkit.acknowledgements import campaign_progress as campaign_queries
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Acknowledgement, Campaign, CampaignPopulation, Person, PersonPopulation
from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.organisations.models import Organisation
from govkit.vocabulary import Population
from tests.ack_helpers import admin

SCHOOLS = ["telecom-sudparis", "imt-mines-ales"]
POPULATIONS = [p.value for p in Population]
_serial = itertools.count(1)

person_st = st.tuples(
    st.sampled_from(SCHOOLS),
    st.sets(st.sampled_from(POPULATIONS), max_size=3),  # no population at all, too
    st.sampled_from(["active", "active", "departed"]),
    st.one_of(st.none(), st.integers(0, 400)),  # entry: unknown, or that many days ago
)
campaign_st = st.tuples(
    st.sets(st.sampled_from([*POPULATIONS, "unknown"]), max_size=4),  # the populations the campaign concerns
    st.integers(-60, 60),  # deadline, days from today
    st.booleans(),  # closed
)


def naive(db: Database, campaign_ids: list[int], today: date, days: int) -> dict[int, tuple]:
    """Each campaign's (total, [per population]) counted in Python from the rows, as documented."""
    late_entry = today - timedelta(days=days)
    with db.reading() as session:
        persons = {p.id: p for p in session.exec(select(Person)).all()}
        held: dict[int, set[str]] = {}
        for person_id, population in session.exec(
            select(PersonPopulation.person_id, PersonPopulation.population).where(
                col(PersonPopulation.valid_to).is_(None)
            )
        ):
            held.setdefault(person_id, set()).add(population)
        done = set(session.exec(select(Acknowledgement.person_id, Acknowledgement.document_version_id)).all())
        campaigns = session.exec(select(Campaign).where(col(Campaign.id).in_(campaign_ids))).all()
        wanted: dict[int, set[str]] = {}
        for campaign_id, population in session.exec(
            select(CampaignPopulation.campaign_id, CampaignPopulation.population)
        ):
            wanted.setdefault(campaign_id, set()).add(population)
    result = {}
    for c in campaigns:

        def count(name: str, populations: set[str], c: Campaign = c) -> tuple:
            concerned = [
                p
                for p in persons.values()
                if p.organisation_id == c.organisation_id
                and p.status == "active"
                and held.get(p.id, set()) & populations
            ]
            acknowledged = [p for p in concerned if (p.id, c.document_version_id) in done]
            overdue = [
                p
                for p in concerned
                if c.deadline < today
                and (p.id, c.document_version_id) not in done
                and (p.entry_date is None or p.entry_date < late_entry)
            ]
            return (name, len(concerned), len(acknowledged), len(overdue))

        populations = wanted.get(c.id, set())  # type: ignore[arg-type]
        per_population = [count(p, {p}) for p in sorted(populations)]
        result[c.id] = (count("all", populations), [t for t in per_population if t[1]])
    return result


def as_tuples(statuses: list[campaign_queries.CampaignStatus]) -> dict[int, tuple]:
    return {
        s.campaign.id: (  # type: ignore[misc]
            (s.total.population, s.total.concerned, s.total.acknowledged, s.total.overdue),
            [(p.population, p.concerned, p.acknowledged, p.overdue) for p in s.populations],
        )
        for s in statuses
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person_st, max_size=25),
    campaign_changes=st.lists(campaign_st, min_size=1, max_size=8),
    acknowledged=st.sets(st.tuples(st.integers(0, 200), st.integers(0, 50)), max_size=60),
    days=st.integers(0, 90),
    today_shift=st.integers(-30, 30),
)
def test_campaign_counts_equal_a_naive_count(
    db: Database,
    people: list[tuple],
    campaign_changes: list[tuple],
    acknowledged: set[tuple[int, int]],
    days: int,
    today_shift: int,
) -> None:
    assert isinstance(db.bind, sa.Connection)
    savepoint = db.bind.begin_nested()  # each example starts from the demo data
    try:
        today = utc_today() + timedelta(days=today_shift)
        with db.transaction() as session:
            orgs = {o.code: o.id for o in session.exec(select(Organisation).where(col(Organisation.code).in_(SCHOOLS)))}
            for school, populations, status, entry in people:
                n = next(_serial)
                person = Person(
                    organisation_id=orgs[school],  # type: ignore[arg-type]
                    external_id=f"T{n:06d}",
                    given_name="Ana",
                    family_name=f"Test{n}",
                    email=f"t{n}@x.example",
                    status=status,
                    entry_date=None if entry is None else today - timedelta(days=entry),
                )
                session.add(person)
                session.flush()
                session.add_all(PersonPopulation(person_id=person.id, population=p) for p in populations)  # type: ignore[arg-type]
            # reshape the demo campaigns: their populations (the kind's, or others, or none), deadline, state
            campaigns = list(
                session.exec(
                    select(Campaign).where(col(Campaign.organisation_id).in_(orgs.values())).order_by(col(Campaign.id))
                ).all()
            )
            for campaign, (populations, deadline, closed) in zip(campaigns, campaign_changes, strict=False):
                session.execute(sa.delete(CampaignPopulation).where(CampaignPopulation.campaign_id == campaign.id))
                session.add_all(CampaignPopulation(campaign_id=campaign.id, population=p) for p in populations)  # type: ignore[arg-type]
                campaign.deadline = today + timedelta(days=deadline)
                campaign.closed_at = utcnow() if closed else None
                session.add(campaign)
            # acknowledgements of any version of the two schools, by persons of either school (or departed)
            everyone = list(
                session.exec(
                    select(Person.id, Person.organisation_id)
                    .where(col(Person.organisation_id).in_(orgs.values()))
                    .order_by(col(Person.id))
                ).all()
            )
            existing = set(session.exec(select(Acknowledgement.person_id, Acknowledgement.document_version_id)).all())
            for i, j in acknowledged:
                person_id, org_id = everyone[i % len(everyone)]
                campaign = campaigns[j % len(campaigns)]
                if (person_id, campaign.document_version_id) in existing:
                    continue
                existing.add((person_id, campaign.document_version_id))
                n = next(_serial)
                session.add(
                    Acknowledgement(
                        person_id=person_id,
                        organisation_id=org_id,
                        document_version_id=campaign.document_version_id,
                        campaign_id=campaign.id,
                        method="paper",
                        document_sha256="0" * 64,
                        wording="test",
                        wording_sha256="0" * 64,
                        acknowledged_at=utcnow(),
                        auth_method="paper",
                        recorded_by="test",
                        client_sha256="0" * 64,
                        recorded_sha256="0" * 64,
                        verification_code=f"TEST-{n:08d}",
                        previous_hash="0" * 64,
                        record_hash=f"{n:064x}",
                    )
                )
            ids = [c.id for c in campaigns]
        # every campaign of both schools in one call (as the webhooks do), on any day
        with db.reading() as session:
            listed = list(session.exec(select(Campaign).where(col(Campaign.id).in_(ids))).all())
            got = as_tuples(campaign_queries.statuses(session, listed, today=today, days=days))
        assert got == naive(db, ids, today, days)  # type: ignore[arg-type]
        # and through the service, one school, today
        school = SCHOOLS[0]
        served = acks.campaigns(db=db, actor=admin(db, school), school=school, include_closed=True, days=days)
        expected = naive(db, [s.campaign.id for s in served], utc_today(), days)  # type: ignore[misc]
        assert as_tuples(served) == expected
    finally:
        with db.exclusive():
            savepoint.rollback()


def test_the_counts_of_any_number_of_campaigns_take_a_fixed_number_of_queries(db: Database) -> None:
    """No query per campaign: following every campaign of every school costs what one costs."""
    assert isinstance(db.bind, sa.Connection)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # not the savepoints
            statements.append(statement)

    with db.reading() as session:
        campaigns = list(session.exec(select(Campaign).order_by(col(Campaign.id))).all())
    assert len({c.organisation_id for c in campaigns}) > 1
    queries = []
    for chosen in (campaigns[:1], campaigns):
        statements.clear()
        sa.event.listen(db.bind, "before_cursor_execute", count)
        try:
            with db.reading() as session:
                result = campaign_queries.statuses(session, chosen, today=utc_today(), days=30)
        finally:
            sa.event.remove(db.bind, "before_cursor_execute", count)
        assert [s.campaign.id for s in result] == [c.id for c in chosen]
        queries.append(len(statements))
    assert queries[0] == queries[1] <= 3
