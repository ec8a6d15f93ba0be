"""Revision 0010 (training records and surveys) on a database holding training coverage, on both
databases: each coverage row becomes a training record of the closest audience in the academic year
starting that year; the new populations are accepted; the downgrade brings the counted records back
and drops the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql, table_names

RECORDED = datetime(2022, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0010", tmp_path)


def test_coverage_becomes_training_records_and_comes_back_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0009")
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at) VALUES (1, 'ecole', 'school', 'E', 'E', :t)",
        t=RECORDED,
    )
    run_sql(
        url,
        "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status, "
        "preferred_language, created_at, updated_at) VALUES (1, 1, 'P1', 'A', 'B', 'a@b.fr', 'active', 'fr', :t, :t)",
        t=RECORDED,
    )
    for row_id, population, year, trained, total in (
        (1, "student", 2021, 180, 200),
        (2, "staff", 2022, 40, 50),
        (3, "doctoral_student", 2021, 9, 10),
        (4, "contractor", 2021, 1, 2),
    ):
        run_sql(
            url,
            "INSERT INTO training_coverage (id, organisation_id, year, population, training, trained, total, "
            "recorded_at, recorded_by) VALUES (:i, 1, :y, :p, 'vss_awareness', :tr, :to, :t, 'legal')",
            i=row_id,
            y=year,
            p=population,
            tr=trained,
            to=total,
            t=RECORDED,
        )
    migrations.upgrade(url=url, revision="0010")
    assert "training_coverage" not in table_names(url)
    rows = run_sql(
        url,
        "SELECT academic_year, audience, training, trained, total, everyone, recorded_by, note FROM training_record "
        "ORDER BY id",
    )
    assert [r[:7] for r in rows] == [
        (2021, "new_students", "vss_awareness", 180, 200, False, "legal"),
        (2022, "staff", "vss_awareness", 40, 50, False, "legal"),
        (2021, "new_doctoral_students", "vss_awareness", 9, 10, False, "legal"),
        (2021, "staff", "vss_awareness", 1, 2, False, "legal"),
    ]
    assert rows[0][7] == "training_coverage: population student, year 2021"
    # the new populations are accepted, an unknown one still refused
    run_sql(
        url, "INSERT INTO person_population (person_id, population, recorded_at) VALUES (1, 'intern', :t)", t=RECORDED
    )
    with pytest.raises(sa.exc.IntegrityError):
        run_sql(
            url,
            "INSERT INTO person_population (person_id, population, recorded_at) VALUES (1, 'alien', :t)",
            t=RECORDED,
        )
    with pytest.raises(sa.exc.IntegrityError):  # more trained than the total
        run_sql(
            url,
            "INSERT INTO training_record (organisation_id, academic_year, audience, training, title, trained, total, "
            "everyone, recorded_at, recorded_by) VALUES (1, 2021, 'staff', 'x', 'x', 5, 4, FALSE, :t, 'legal')",
            t=RECORDED,
        )
    run_sql(
        url,
        "INSERT INTO training_record (organisation_id, academic_year, audience, training, title, everyone, total, "
        "recorded_at, recorded_by) VALUES (1, 2022, 'management_committee', 'codir', 'Codir', TRUE, 12, :t, 'legal')",
        t=RECORDED,
    )
    run_sql(  # unknown counts: no place in training_coverage
        url,
        "INSERT INTO training_record (organisation_id, academic_year, audience, training, title, everyone, "
        "recorded_at, recorded_by) VALUES (1, 2022, 'association_leaders', 'bnei', 'BNEI', FALSE, :t, 'legal')",
        t=RECORDED,
    )
    run_sql(
        url,
        "INSERT INTO survey (organisation_id, year, title, audience, status, recorded_at, recorded_by) "
        "VALUES (1, 2021, 'Enquête', 'students', 'planned', :t, 'legal')",
        t=RECORDED,
    )
    with pytest.raises(sa.exc.IntegrityError):
        run_sql(
            url,
            "INSERT INTO survey (organisation_id, year, title, audience, status, recorded_at, recorded_by) "
            "VALUES (1, 2021, 'Enquête', 'students', 'someday', :t, 'legal')",
            t=RECORDED,
        )

    migrations.downgrade(url=url, revision="0009")
    assert not {"training_record", "survey"} & table_names(url)
    back = run_sql(
        url, "SELECT year, population, trained, total FROM training_coverage ORDER BY year, population, total"
    )
    assert back == [
        (2021, "doctoral_student", 9, 10),
        (2021, "staff", 1, 2),
        (2021, "student", 180, 200),
        (2022, "staff", 12, 12),
        (2022, "staff", 40, 50),
    ]
    assert run_sql(url, "SELECT population FROM person_population") == []
    migrations.upgrade(url=url, revision="0010")  # and up again
    assert len(run_sql(url, "SELECT id FROM training_record")) == 5
