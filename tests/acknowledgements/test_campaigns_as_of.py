"""Campaigns as of a date: the campaigns open at the end of that day, counted as then — the persons
present that day, the acknowledgements recorded by its end — on both databases."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Acknowledgement, Campaign, CampaignPopulation, Person, PersonPopulation
from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.organisations.models import Organisation
from tests.ack_helpers import admin, republish, someone
from tests.acknowledgements.test_campaign_counts import as_tuples
from tests.conftest import Api, TokenFactory

SCHOOL = "telecom-sudparis"
_serial = itertools.count(1)

person_st = st.tuples(
    st.sets(st.sampled_from(["student", "staff", "resident"]), min_size=1, max_size=2),
    st.one_of(st.none(), st.integers(0, 120)),  # entry: unknown, or that many days ago
    st.one_of(st.none(), st.integers(0, 120)),  # departure that many days ago (None: still here)
    st.one_of(st.none(), st.integers(0, 120)),  # became a staff member that many days ago, leaving the rest
)
campaign_st = st.tuples(
    st.integers(0, 90),  # opened that many days ago
    st.one_of(st.none(), st.integers(0, 90)),  # closed that many days ago (kept after its opening)
    st.integers(-40, 40),  # deadline, days from its opening
)


def _ago(days: int, at: time = time(12)) -> datetime:
    return datetime.combine(utc_today() - timedelta(days=days), at, tzinfo=UTC)


def _acknowledgement(person: Person, campaign: Campaign, when: datetime) -> Acknowledgement:
    n = next(_serial)
    return Acknowledgement(
        person_id=person.id,  # type: ignore[arg-type]
        organisation_id=person.organisation_id,
        document_version_id=campaign.document_version_id,
        campaign_id=campaign.id,
        method="paper",
        document_sha256="0" * 64,
        wording="test",
        wording_sha256="0" * 64,
        acknowledged_at=when,
        auth_method="paper",
        recorded_by="test",
        client_sha256="0" * 64,
        recorded_sha256="0" * 64,
        verification_code=f"ASOF-{n:08d}",
        previous_hash="0" * 64,
        record_hash=f"{n + 10**9:064x}",
    )


def naive_as_of(db: Database, organisation_id: int, day: date, days: int, include_closed: bool) -> dict[int, tuple]:
    """The campaigns open at the end of ``day`` and their counts then, in Python from the rows."""
    end = datetime.combine(day, time.max, tzinfo=UTC)
    late_entry = day - timedelta(days=days)
    with db.reading() as session:
        persons = list(session.exec(select(Person).where(Person.organisation_id == organisation_id)).all())
        held: dict[int, set[str]] = {}
        for period in session.exec(select(PersonPopulation)):
            if (period.valid_from is None or period.valid_from <= day) and (
                period.valid_to is None or day < period.valid_to
            ):
                held.setdefault(period.person_id, set()).add(period.population)
        done = {
            (a.person_id, a.document_version_id)
            for a in session.exec(select(Acknowledgement)).all()
            if a.acknowledged_at <= end
        }
        campaigns = [
            c
            for c in session.exec(select(Campaign).where(Campaign.organisation_id == organisation_id)).all()
            if c.opened_at <= end and (include_closed or c.closed_at is None or c.closed_at > end)
        ]
        wanted: dict[int, set[str]] = {}
        for campaign_id, population in session.exec(
            select(CampaignPopulation.campaign_id, CampaignPopulation.population)
        ):
            wanted.setdefault(campaign_id, set()).add(population)
    present = [
        p
        for p in persons
        if (p.entry_date is None or p.entry_date <= day)
        and (p.status == "active" or (p.departure_date is not None and p.departure_date > day))
    ]
    result = {}
    for c in campaigns:

        def count(name: str, populations: set[str], c: Campaign = c) -> tuple:
            concerned = [p for p in present if held.get(p.id, set()) & populations]  # type: ignore[arg-type]
            acknowledged = [p for p in concerned if (p.id, c.document_version_id) in done]
            overdue = [
                p
                for p in concerned
                if c.deadline < day
                and (p.id, c.document_version_id) not in done
                and (p.entry_date is None or p.entry_date < late_entry)
            ]
            return (name, len(concerned), len(acknowledged), len(overdue))

        populations = wanted.get(c.id, set())  # type: ignore[arg-type]
        per_population = [count(p, {p}) for p in sorted(populations)]
        result[c.id] = (count("all", populations), [t for t in per_population if t[1]])
    return result


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person_st, max_size=15),
    changes=st.lists(campaign_st, min_size=1, max_size=4),
    acknowledged=st.sets(st.tuples(st.integers(0, 200), st.integers(0, 10), st.integers(0, 100)), max_size=30),
    back=st.integers(0, 100),
    include_closed=st.booleans(),
)
def test_campaigns_as_of_a_day_count_what_was_true_that_day(
    db: Database,
    people: list[tuple],
    changes: list[tuple],
    acknowledged: set[tuple[int, int, int]],
    back: int,
    include_closed: bool,
) -> None:
    assert isinstance(db.bind, sa.Connection)
    savepoint = db.bind.begin_nested()  # each example starts from the demo data
    try:
        with db.transaction() as session:
            org_id = session.exec(select(Organisation.id).where(Organisation.code == SCHOOL)).one()
            for populations, entry, departure, switch in people:
                n = next(_serial)
                entered = None if entry is None else utc_today() - timedelta(days=entry)
                left = None if departure is None else utc_today() - timedelta(days=departure)
                if entered and left and left < entered:
                    left = entered
                person = Person(
                    organisation_id=org_id,
                    external_id=f"ASOF{n:06d}",
                    given_name="Ana",
                    family_name=f"AsOf{n}",
                    email=f"asof{n}@x.example",
                    status="active" if left is None else "departed",
                    entry_date=entered,
                    departure_date=left,
                )
                session.add(person)
                session.flush()
                if switch is None:
                    session.add_all(PersonPopulation(person_id=person.id, population=p) for p in populations)  # type: ignore[arg-type]
                    continue
                since = utc_today() - timedelta(days=switch)
                for p in sorted(populations - {"staff"}):
                    session.add(
                        PersonPopulation(
                            person_id=person.id,  # type: ignore[arg-type]
                            population=p,
                            valid_from=entered if entered and entered < since else None,
                            valid_to=since,
                            ended_recorded_at=utcnow(),
                        )
                    )
                session.add(PersonPopulation(person_id=person.id, population="staff", valid_from=since))  # type: ignore[arg-type]
            # the school's campaigns, opened, closed and due on other days
            campaigns = list(
                session.exec(select(Campaign).where(Campaign.organisation_id == org_id).order_by(col(Campaign.id)))
            )
            for campaign, (opened, closed, deadline) in zip(campaigns, changes, strict=False):
                campaign.opened_at = _ago(opened, time(9))
                campaign.closed_at = None if closed is None else _ago(min(closed, opened), time(17))
                campaign.deadline = campaign.opened_at.date() + timedelta(days=deadline)
                session.add(campaign)
            everyone = list(
                session.exec(select(Person).where(Person.organisation_id == org_id).order_by(col(Person.id)))
            )
            existing = set(session.exec(select(Acknowledgement.person_id, Acknowledgement.document_version_id)))
            for i, j, ago in acknowledged:
                person, campaign = everyone[i % len(everyone)], campaigns[j % len(campaigns)]
                if (person.id, campaign.document_version_id) not in existing:
                    existing.add((person.id, campaign.document_version_id))
                    session.add(_acknowledgement(person, campaign, _ago(ago, time(23, 59, 59))))
        day = utc_today() - timedelta(days=back)
        served = acks.campaigns(
            db=db, actor=admin(db, SCHOOL), school=SCHOOL, include_closed=include_closed, days=30, as_of=day
        )
        assert as_tuples(served) == naive_as_of(db, org_id, day, 30, include_closed)  # type: ignore[arg-type]
    finally:
        with db.exclusive():
            savepoint.rollback()


CAMPAIGNS = """query($school: String!, $asOf: Date) {
  campaigns(school: $school, asOf: $asOf) {
    id kind document { version } openedAt closedAt concerned acknowledged pending
    pendingPersons(first: 500) { totalCount edges { node { externalId } } }
  }
}"""


def test_campaigns_as_of_a_past_day_show_the_campaign_then_open_and_its_progress_then(
    api: Api, db: Database, token: TokenFactory
) -> None:
    student = someone(db, SCHOOL, "student")
    later = someone(db, SCHOOL, "student", skip=1)
    with db.transaction() as session:
        org_id = session.exec(select(Organisation.id).where(Organisation.code == SCHOOL)).one()
        first = session.exec(
            select(Campaign).where(Campaign.organisation_id == org_id, Campaign.kind == "internal")
        ).one()
        first.opened_at = _ago(10)
        session.add(first)
        persons = {
            p.external_id: p
            for p in session.exec(select(Person).where(col(Person.external_id).in_([student, later])))
            if p.organisation_id == org_id
        }
        session.add(_acknowledgement(persons[student], first, _ago(5)))
        session.add(_acknowledgement(persons[later], first, _ago(1)))
        first_id = first.id
    republish(db, SCHOOL)  # version 2: the first campaign closes now, the next one opens
    admin_token = token("school_admin", SCHOOL)

    def internal(as_of: date | None) -> list[dict]:
        variables = {"school": SCHOOL, "asOf": as_of.isoformat() if as_of else None}
        rows = api.data(CAMPAIGNS, variables, token=admin_token)["campaigns"]
        return [c for c in rows if c["kind"] == "internal"]

    today = internal(None)
    assert [c["document"]["version"] for c in today] == [2]
    three_days_ago = internal(utc_today() - timedelta(days=3))
    assert [c["id"] for c in three_days_ago] == [str(first_id)]
    campaign = three_days_ago[0]
    assert campaign["closedAt"] is not None  # closed since, shown as it is now known
    pending = {e["node"]["externalId"] for e in campaign["pendingPersons"]["edges"]}
    assert student not in pending  # acknowledged five days ago
    assert later in pending  # acknowledged only yesterday
    assert campaign["pendingPersons"]["totalCount"] == campaign["pending"] == len(pending)
    assert campaign["acknowledged"] + campaign["pending"] == campaign["concerned"]
    yesterday = internal(utc_today() - timedelta(days=1))
    assert yesterday[0]["acknowledged"] == campaign["acknowledged"] + 1
    assert internal(utc_today() - timedelta(days=11)) == []  # not open yet
