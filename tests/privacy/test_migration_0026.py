"""Revision 0026 both ways, on both databases: the correction_request table and the notices of kind
``correction`` come with it; the downgrade removes both (the notices' kinds narrowed again), and the
upgrade brings them back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql, table_names

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0026", tmp_path)


def _school_and_person(url: str) -> None:
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at)"
        " VALUES (1, 'imt-test', 'school', 'IMT Test', 'Test', :now)",
        now=NOW,
    )
    run_sql(
        url,
        "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status,"
        " preferred_language, created_at, updated_at) VALUES (1, 1, 'E00001', 'Zoé', 'Example', 'z@example.org',"
        " 'active', 'fr', :now, :now)",
        now=NOW,
    )


def _notice(url: str, key: str, kind: str) -> None:
    run_sql(
        url,
        "INSERT INTO notice_message (key, organisation_id, person_id, kind, step, template, language, recipient,"
        " subject, body, status, attempts, created_at) VALUES (:key, 1, 1, :kind, 0, 'correction.fr', 'fr',"
        " 'z@example.org', 's', 'b', 'queued', 0, :now)",
        key=key,
        kind=kind,
        now=NOW,
    )


def test_0026_both_ways(url: str) -> None:
    migrations.upgrade(url=url, revision="0025")
    assert "correction_request" not in table_names(url)
    _school_and_person(url)
    with pytest.raises(sa.exc.IntegrityError):  # at 0025 no notice is of kind correction
        _notice(url, "correction:0:decision", "correction")

    migrations.upgrade(url=url, revision="0026")
    run_sql(
        url,
        "INSERT INTO correction_request (person_id, organisation_id, section, field, requested_text, status,"
        " requested_at) VALUES (1, 1, 'identity_and_contact', 'Nom', 'Exemple', 'open', :now)",
        now=NOW,
    )
    with pytest.raises(sa.exc.IntegrityError):  # open, done or refused only
        run_sql(
            url,
            "INSERT INTO correction_request (person_id, organisation_id, section, field, requested_text, status,"
            " requested_at) VALUES (1, 1, 'other', 'x', 'y', 'maybe', :now)",
            now=NOW,
        )
    _notice(url, "correction:1:decision", "correction")
    _notice(url, "opening:1:1", "opening")
    migrations.upgrade(url=url)  # the models match the head (later revisions included)
    migrations.check(url=url)

    migrations.downgrade(url=url, revision="0025")
    assert "correction_request" not in table_names(url)
    assert [r[0] for r in run_sql(url, "SELECT kind FROM notice_message")] == ["opening"]
    with pytest.raises(sa.exc.IntegrityError):
        _notice(url, "correction:2:decision", "correction")

    migrations.upgrade(url=url)
    assert "correction_request" in table_names(url)
    _notice(url, "correction:3:decision", "correction")
    assert run_sql(url, "SELECT count(*) FROM correction_request") == [(0,)]
