"""Populations and presence over time: imports close periods instead of deleting them, and
``population_members`` / ``present_at`` answer as of a day, as known at a moment. Both databases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from govkit.access.roles import SYSTEM
from govkit.acknowledgements.models import Person, PersonPopulation
from govkit.acknowledgements.persons import (
    import_persons,
    population_members,
    populations_of,
    present_at,
    sync_populations,
)
from govkit.days import utc_today
from govkit.db import Database, stored_id, utcnow
from govkit.timeline import AsOf

SCHOOL = "mines-saint-etienne"
HEADER = "external_id;given_name;family_name;email;populations;entry_date;residence;status;departure_date;language\n"
ENTRY = date(2024, 9, 1)
TODAY = utc_today()


def _line(populations: str, status: str = "", departure: str = "") -> bytes:
    return (HEADER + f"H001;Léa;Durand;lea.h@x.example;{populations};{ENTRY};;{status};{departure};fr\n").encode()


def _import(db: Database, data: bytes) -> datetime:
    """Import ``data``; the moment just after it."""
    report = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=data)
    assert report.ok, report.errors
    return utcnow()


def _person(db: Database) -> Person:
    with db.reading() as session:
        return session.exec(select(Person).where(Person.external_id == "H001")).one()


def _held(db: Database, when: AsOf | None) -> set[str]:
    with db.reading() as session:
        return populations_of(session, stored_id(_person(db)), when)


def test_imports_close_periods_and_the_history_answers_as_of(db: Database) -> None:
    first = _import(db, _line("student"))
    person = _person(db)
    assert person.departure_recorded_at is None
    second = _import(db, _line("student|resident"))
    third = _import(db, _line("resident"))
    with db.reading() as session:
        periods = session.exec(
            select(PersonPopulation).where(PersonPopulation.person_id == person.id).order_by(col(PersonPopulation.id))
        ).all()
    # nothing deleted: the student period is closed today, the resident one opened today
    assert [(p.population, p.valid_from, p.valid_to) for p in periods] == [
        ("student", ENTRY, TODAY),
        ("resident", TODAY, None),
    ]
    assert periods[0].ended_recorded_at is not None and periods[0].ended_recorded_at > second
    assert _held(db, None) == {"resident"}
    assert _held(db, AsOf(ENTRY - timedelta(days=1))) == set()
    assert _held(db, AsOf(TODAY - timedelta(days=1))) == {"student"}
    assert _held(db, AsOf(TODAY)) == {"resident"}
    # as govkit knew it: after the first import, the student period was open and nothing else
    assert _held(db, AsOf(TODAY, known_at=first)) == {"student"}
    assert _held(db, AsOf(TODAY, known_at=second)) == {"student", "resident"}
    assert _held(db, AsOf(TODAY, known_at=third)) == {"resident"}
    assert _held(db, AsOf(TODAY, known_at=first - timedelta(minutes=5))) == set()
    # importing the same file again changes nothing
    _import(db, _line("resident"))
    with db.reading() as session:
        count = session.exec(
            select(sa.func.count()).select_from(PersonPopulation).where(PersonPopulation.person_id == person.id)
        ).one()
    assert count == 2


def test_a_departure_is_recorded_with_its_moment_and_presence_answers_as_of(db: Database) -> None:
    before = _import(db, _line("student"))
    departure = ENTRY + timedelta(days=200)
    after = _import(db, _line("student", "departed", departure.isoformat()))
    person = _person(db)
    assert person.status == "departed" and person.departure_recorded_at is not None
    assert before < person.departure_recorded_at <= after

    def present(when: AsOf) -> bool:
        with db.reading() as session:
            found = session.exec(select(Person.id).where(Person.id == person.id, present_at(when))).first()
        return found is not None

    assert not present(AsOf(ENTRY - timedelta(days=1)))
    assert present(AsOf(ENTRY)) and present(AsOf(departure - timedelta(days=1)))
    assert not present(AsOf(departure))
    assert present(AsOf(departure, known_at=before))  # the departure was not known yet
    assert not present(AsOf(TODAY, known_at=person.created_at - timedelta(seconds=1)))  # nor the person
    # the populations stay: the person's presence tells the rest
    assert _held(db, AsOf(departure)) == {"student"}


POPULATIONS = ["student", "staff", "resident", "apprentice"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sets(st.sampled_from(POPULATIONS), min_size=1), min_size=1, max_size=5))
def test_the_history_of_successive_changes_matches_an_oracle(db: Database, steps: list[set[str]]) -> None:
    """Each step is a change on its own day; as of each day the populations are that step's, and as
    known at each step's moment they are what had been recorded by then."""
    with db.transaction() as session:
        person_id = session.exec(select(Person.id).where(Person.external_id == "E00001")).first()
        assert person_id is not None
        session.execute(sa.delete(PersonPopulation).where(col(PersonPopulation.person_id) == person_id))
    start = date(2023, 1, 1)
    moments: list[datetime] = []
    for n, populations in enumerate(steps):
        with db.transaction() as session:
            since = None if n == 0 else start + timedelta(days=10 * n)
            sync_populations(session, {person_id: (populations, since)}, today=start + timedelta(days=10 * n))
        moments.append(utcnow())
    with db.reading() as session:
        for n, populations in enumerate(steps):
            day = start + timedelta(days=10 * n)
            assert populations_of(session, person_id, AsOf(day + timedelta(days=5))) == populations
            assert populations_of(session, person_id, AsOf(day)) == populations
            known = AsOf(start + timedelta(days=10 * len(steps)), known_at=moments[n])
            assert populations_of(session, person_id, known) == populations
        assert populations_of(session, person_id, None) == steps[-1]
        # one row per (person, population) in force on any day: a selectable to join as is
        members = population_members(AsOf(start + timedelta(days=10 * len(steps))))
        rows = session.execute(sa.select(members.c.person_id, members.c.population)).all()
        assert len(rows) == len(set(rows))
