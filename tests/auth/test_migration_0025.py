"""Revision 0025 (personal data exposure) on a database holding a role grant and a person, on both
databases: existing grants get no scope; ``person_read`` takes reads with a known channel only; the
downgrade drops the table and the column and keeps the grants."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql, table_names

AT = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0025", tmp_path)


def _read(url: str, channel: str) -> None:
    run_sql(
        url,
        "INSERT INTO person_read (person_id, read_at, reader_subject, reader_role, reader_school, channel, fields,"
        " correlation_id) VALUES (1, :t, 'govkit:x', 'legal', NULL, :c, '[\"email\"]', 'c1')",
        t=AT,
        c=channel,
    )


def test_grants_get_no_scope_and_reads_are_logged_then_dropped(url: str) -> None:
    migrations.upgrade(url=url, revision="0024")
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at) VALUES (1, 'e', 'school', 'E', 'E', :t)",
        t=AT,
    )
    run_sql(
        url,
        "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status, "
        "preferred_language, created_at, updated_at) VALUES (1, 1, 'P1', 'A', 'B', 'a@b.fr', 'active', 'fr', :t, :t)",
        t=AT,
    )
    run_sql(url, "INSERT INTO identity (id, subject, display_name, created_at) VALUES (1, 'govkit:x', 'X', :t)", t=AT)
    run_sql(
        url,
        "INSERT INTO role_grant (id, identity_id, role, organisation_id, created_at, created_by)"
        " VALUES (1, 1, 'intranet', 1, :t, 'test')",
        t=AT,
    )
    migrations.upgrade(url=url, revision="0025")
    assert run_sql(url, "SELECT id, scopes FROM role_grant") == [(1, "")]
    run_sql(url, "UPDATE role_grant SET scopes = 'persons:read' WHERE id = 1")
    _read(url, "graphql")
    assert run_sql(url, "SELECT person_id, channel FROM person_read") == [(1, "graphql")]
    with pytest.raises(sa.exc.IntegrityError):
        _read(url, "telepathy")
    with pytest.raises(sa.exc.IntegrityError):  # a read names a person of govkit
        run_sql(
            url,
            "INSERT INTO person_read (person_id, read_at, reader_subject, channel, fields, correlation_id)"
            " VALUES (99, :t, 's', 'page', '[]', 'c')",
            t=AT,
        )
    migrations.downgrade(url=url, revision="0024")
    assert "person_read" not in table_names(url)
    assert run_sql(url, "SELECT id, role FROM role_grant") == [(1, "intranet")]
    migrations.upgrade(url=url, revision="0025")
    assert run_sql(url, "SELECT id, scopes FROM role_grant") == [(1, "")]
