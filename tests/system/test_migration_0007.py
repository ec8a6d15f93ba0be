"""Revision 0007 (valid time) on a database holding data: what it backfills, and what its downgrade
keeps, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql

RECORDED = datetime(2023, 3, 4, 23, 30, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0007", tmp_path)


def test_valid_time_backfills_and_comes_back_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0006")
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at)"
        " VALUES (1, 'school', 'school', 'School', 'S', :t)",
        t=RECORDED,
    )
    run_sql(url, "INSERT INTO campus (id, organisation_id, code, name) VALUES (1, 1, 'main', 'Main')")
    run_sql(
        url,
        "INSERT INTO profile_revision (organisation_id, revision, data, sources, sha256, created_at, created_by)"
        " VALUES (1, 1, '{}', '{}', 'x', :t, 'seed')",
        t=RECORDED,
    )
    run_sql(
        url,
        "INSERT INTO commitment (organisation_id, type, status, title, date_precision, effective_on, recorded_at,"
        " recorded_by) VALUES (1, 'equality_charter', 'in_place', 'Charte', 'year', :d, :t, 'seed')",
        d=date(2019, 1, 1),
        t=RECORDED,
    )
    for number, status in ((1, "active"), (2, "departed")):
        run_sql(
            url,
            "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status,"
            " preferred_language, created_at, updated_at)"
            f" VALUES ({number}, 1, 'P{number}', 'A', 'B', 'p{number}@x.example', '{status}', 'fr', :t, :u)",
            t=RECORDED,
            u=datetime(2024, 1, 2, tzinfo=UTC),
        )
    run_sql(
        url,
        "INSERT INTO person_population (person_id, population) VALUES (1, 'student'), (1, 'resident'), (2, 'staff')",
    )

    migrations.upgrade(url=url, revision="0007")
    assert run_sql(url, "SELECT valid_from, valid_from_precision, date_source FROM profile_revision") in (
        [(date(2023, 3, 4), "day", None)],
        [("2023-03-04", "day", None)],
    )
    ((recorded_by,),) = run_sql(url, "SELECT recorded_by FROM campus")
    assert recorded_by == "migration"
    rows = run_sql(url, "SELECT person_id, population, valid_from, valid_to FROM person_population ORDER BY id")
    assert sorted((r[0], r[1]) for r in rows) == [(1, "resident"), (1, "student"), (2, "staff")]
    assert {(r[2], r[3]) for r in rows} == {(None, None)}  # open, since entry
    departures = run_sql(url, "SELECT id, departure_recorded_at FROM person ORDER BY id")
    assert departures[0][1] is None and departures[1][1] is not None
    # the new shapes work: an academic year, a correction, a closed period next to an open one
    run_sql(
        url,
        "INSERT INTO commitment (organisation_id, type, status, title, date_precision, supersedes_id, recorded_at,"
        " recorded_by) VALUES (1, 'equality_charter', 'in_place', 'Charte', 'academic_year', 1, :t, 'fix')",
        t=RECORDED,
    )
    run_sql(
        url,
        "INSERT INTO person_population (person_id, population, valid_to, ended_recorded_at)"
        " VALUES (2, 'student', :d, :t)",
        d=date(2024, 1, 1),
        t=RECORDED,
    )
    with pytest.raises(sa.exc.IntegrityError):  # one open period per person and population
        run_sql(url, "INSERT INTO person_population (person_id, population) VALUES (1, 'student')")

    migrations.downgrade(url=url, revision="0006")
    populations = run_sql(url, "SELECT person_id, population FROM person_population ORDER BY person_id, population")
    assert [tuple(r) for r in populations] == [(1, "resident"), (1, "student"), (2, "staff")]
    assert run_sql(url, "SELECT count(*), min(date_precision) FROM commitment") == [(2, "year")]
    migrations.upgrade(url=url)
    migrations.check(url=url)
