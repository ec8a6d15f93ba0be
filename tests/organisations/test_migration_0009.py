"""Revision 0009 (arrangements) on a database holding commitments, on both databases: every existing
record becomes ``own``; ``how`` and the member roles are checked; the downgrade drops the table and
the columns and keeps the commitments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.db import UTCDateTime, create_db_engine
from tests.conftest import BACKENDS, fresh_database_url

AT = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0009", tmp_path)


def _run(url: str, statement: str, **values: Any) -> list[Any]:
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            query = sa.text(statement).bindparams(
                *(sa.bindparam(k, type_=UTCDateTime()) for k, v in values.items() if isinstance(v, datetime))
            )
            result = connection.execute(query, values)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def test_commitments_become_own_arrangements_and_come_back_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0008")
    _run(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at) VALUES (1, 'e', 'school', 'E', 'E', :t)",
        t=AT,
    )
    _run(
        url,
        "INSERT INTO commitment (id, organisation_id, type, status, title, recorded_at, recorded_by)"
        " VALUES (1, 1, 'listening_cell', 'in_place', 'Cellule', :t, 'test')",
        t=AT,
    )
    migrations.upgrade(url=url, revision="0009")
    assert _run(url, "SELECT id, how, provider, capacity FROM commitment") == [(1, "own", None, None)]
    with pytest.raises(sa.exc.IntegrityError):
        _run(url, "UPDATE commitment SET how = 'borrowed' WHERE id = 1")
    _run(
        url,
        "INSERT INTO arrangement_member (commitment_id, organisation_id, role, recorded_at, recorded_by)"
        " VALUES (1, 1, 'member', :t, 'test')",
        t=AT,
    )
    with pytest.raises(sa.exc.IntegrityError):
        _run(
            url,
            "INSERT INTO arrangement_member (commitment_id, organisation_id, role, recorded_at, recorded_by)"
            " VALUES (1, 1, 'guest', :t, 'test')",
            t=AT,
        )
    with pytest.raises(sa.exc.IntegrityError):  # a period closed says when it was closed
        _run(url, "UPDATE arrangement_member SET valid_to = '2024-01-01'")
    migrations.downgrade(url=url, revision="0008")
    assert _run(url, "SELECT id, title FROM commitment") == [(1, "Cellule")]
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
