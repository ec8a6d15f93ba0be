"""`govkit privacy retention` as a user runs it, on both databases: a dry run counts, a run erases
(persons by id in its output), `govkit audit verify` still reports the chain intact; a bad date is one
line of error."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govkit import migrations
from tests.cli.test_cli import govkit
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql

AT = datetime(2015, 6, 30, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    found = fresh_database_url(request.param, "govkit_test_cli_retention", tmp_path)
    migrations.upgrade(url=found)
    run_sql(
        found,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at) VALUES (1, 's', 'school', 'S', 'S', :t)",
        t=AT,
    )
    for number, status, left in ((1, "departed", "2015-06-30"), (2, "active", None), (3, "departed", "2024-06-30")):
        run_sql(
            found,
            "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status,"
            " departure_date, preferred_language, created_at, updated_at)"
            f" VALUES ({number}, 1, 'CLIX{number}Q', 'Clgiven{number}', 'Clfamily{number}', 'clmail{number}@t.example',"
            " :status, :left, 'fr', :t, :t)",
            status=status,
            left=left,
            t=AT,
        )
    return found


def test_dry_run_then_run(url: str, tmp_path: Path) -> None:
    dry = govkit(
        "privacy", "retention", "--as-of", "2026-01-01", "--dry-run", "--format", "json", url=url, cwd=tmp_path
    )
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["dry_run"], report["persons_to_erase"], report["departed_before"]) == (True, [1], "2021-01-01")
    assert run_sql(url, "SELECT email FROM person WHERE id = 1") == [("clmail1@t.example",)]

    done = govkit("privacy", "retention", "--as-of", "2026-01-01", url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "persons erased: 1" in done.stdout and "person: 1" in done.stdout
    assert "clmail1" not in done.stdout + done.stderr and "CLIX1Q" not in done.stdout + done.stderr
    assert run_sql(url, "SELECT external_id, given_name, email, erased_under FROM person ORDER BY id") == [
        ("erased-1", "", "", "retention.departed"),
        ("CLIX2Q", "Clgiven2", "clmail2@t.example", None),
        ("CLIX3Q", "Clgiven3", "clmail3@t.example", None),
    ]
    verified = govkit("audit", "verify", url=url, cwd=tmp_path)
    assert verified.returncode == 0 and "chain intact" in verified.stdout, verified.stderr


def test_a_bad_date(url: str, tmp_path: Path) -> None:
    bad = govkit("privacy", "retention", "--as-of", "01/01/2026", url=url, cwd=tmp_path)
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines() == ["error: --as-of '01/01/2026' is not a date (YYYY-MM-DD)."]
    assert run_sql(url, "SELECT count(*) FROM person WHERE erased_at IS NOT NULL") == [(0,)]
