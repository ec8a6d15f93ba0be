"""Revision 0009 (arrangements) on a database holding commitments, on both databases: every existing
record becomes ``own``; ``how`` and the member roles are checked; the downgrade drops the table and
the columns and keeps the commitments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.db import create_db_engine
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql

AT = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0009", tmp_path)


def test_commitments_become_own_arrangements_and_come_back_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0008")
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at) VALUES (1, 'e', 'school', 'E', 'E', :t)",
        t=AT,
    )
    run_sql(
        url,
        "INSERT INTO commitment (id, organisation_id, type, status, title, recorded_at, recorded_by)"
        " VALUES (1, 1, 'listening_cell', 'in_place', 'Cellule', :t, 'test')",
        t=AT,
    )
    migrations.upgrade(url=url, revision="0009")
    assert run_sql(url, "SELECT id, how, provider, capacity FROM commitment") == [(1, "own", None, None)]
    with pytest.raises(sa.exc.IntegrityError):
        run_sql(url, "UPDATE commitment SET how = 'borrowed' WHERE id = 1")
    run_sql(
        url,
        "INSERT INTO arrangement_member (commitment_id, organisation_id, role, recorded_at, recorded_by)"
        " VALUES (1, 1, 'member', :t, 'test')",
        t=AT,
    )
    with pytest.raises(sa.exc.IntegrityError):
        run_sql(
            url,
            "INSERT INTO arrangement_member (commitment_id, organisation_id, role, recorded_at, recorded_by)"
            " VALUES (1, 1, 'guest', :t, 'test')",
            t=AT,
        )
    with pytest.raises(sa.exc.IntegrityError):  # a period closed says when it was closed
        run_sql(url, "UPDATE arrangement_member SET valid_to = '2024-01-01'")
    migrations.downgrade(url=url, revision="0008")
    assert run_sql(url, "SELECT id, title FROM commitment") == [(1, "Cellule")]
    engine = create_db_engine(url)
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"] for c in inspector.get_columns("commitment")}
        tables = set(inspector.get_table_names())
    finally:
        engine.dispose()
    assert not {"how", "provider", "capacity"} & columns
    assert "arrangement_member" not in tables
    migrations.upgrade(url=url, revision="0009")
