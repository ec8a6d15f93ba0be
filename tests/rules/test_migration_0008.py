"""Revision 0008 (the date basis of rule runs) on a database holding runs, on both databases: a run
evaluated as of a day before the one it ran on becomes an ``as_of`` run, the others stay current;
the downgrade drops the columns and keeps the runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.db import create_db_engine
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql

RAN = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0008", tmp_path)


def test_past_runs_become_as_of_runs_and_come_back_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0007")
    for run_id, as_of in ((1, date(2026, 3, 4)), (2, date(2022, 12, 31)), (3, date(2026, 4, 1))):
        run_sql(
            url,
            "INSERT INTO rule_run (id, ran_at, as_of, ran_by, rules_sha256, findings, errors)"
            " VALUES (:i, :t, :d, 'system', 'x', 0, 0)",
            i=run_id,
            t=RAN,
            d=as_of,
        )
    migrations.upgrade(url=url, revision="0008")
    rows = run_sql(url, "SELECT id, basis, known_at, schools FROM rule_run ORDER BY id")
    assert rows == [(1, "current", None, None), (2, "as_of", None, None), (3, "current", None, None)]
    with pytest.raises(sa.exc.IntegrityError):
        run_sql(url, "UPDATE rule_run SET basis = 'someday' WHERE id = 1")
    migrations.downgrade(url=url, revision="0007")
    assert run_sql(url, "SELECT id, as_of FROM rule_run ORDER BY id")[1][0] == 2
    engine = create_db_engine(url)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("rule_run")}
    finally:
        engine.dispose()
    assert not {"basis", "known_at", "schools"} & columns
