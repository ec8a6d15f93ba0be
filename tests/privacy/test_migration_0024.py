"""Revision 0024 both ways on a database holding data, on both databases: the person's erasure
columns and the legal holds come and go; the audit log's trigger allows exactly the erasure of a
target's values to "[erased]" at 0024, and no update at all below it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import append_only_refuses, insert_audit_event, json_value, run_sql, table_names

AT = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)
TARGET = {"school": "s", "personExternalId": "E123", "documentVersionId": 4}


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0024", tmp_path)


def _columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def _update_target(url: str, target: dict[str, object], **others: str) -> None:
    sets = ", ".join(["target = :target", *(f"{k} = :{k}" for k in others)])
    run_sql(
        url,
        f"UPDATE audit_event SET {sets.replace(':target', json_value(url), 1)} WHERE id = 1",
        target=json.dumps(target),
        **others,
    )


def test_up_and_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0023")
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at) VALUES (1, 's', 'school', 'S', 'S', :t)",
        t=AT,
    )
    run_sql(
        url,
        "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status,"
        " preferred_language, created_at, updated_at) VALUES (1, 1, 'E123', 'Ana', 'Test', 'a@t.example', 'departed',"
        " 'fr', :t, :t)",
        t=AT,
    )
    # a row referencing the person: the upgrade and the downgrade alter ``person`` in place
    run_sql(url, "INSERT INTO person_population (person_id, population, recorded_at) VALUES (1, 'student', :t)", t=AT)
    insert_audit_event(
        url,
        event_id=1,
        at=AT,
        subject="test",
        action="mutation.recordPaperAcknowledgement",
        target=TARGET,
        outcome="refused",
    )
    assert "erased_at" not in _columns(url, "person")
    assert append_only_refuses(url, "UPDATE audit_event SET outcome = 'ok' WHERE id = 1")

    migrations.upgrade(url=url, revision="0024")
    assert {"erased_at", "erased_under"} <= _columns(url, "person")
    assert "legal_hold" in table_names(url)
    run_sql(
        url,
        "INSERT INTO legal_hold (person_id, reason, placed_at, placed_by) VALUES (1, 'Dossier 2026', :t, 'legal')",
        t=AT,
    )
    assert _refused_unique(url)
    # the erasure of a target's value: allowed; any other change of the row: refused
    _update_target(url, {**TARGET, "personExternalId": "[erased]"})
    (stored,) = run_sql(url, "SELECT target FROM audit_event WHERE id = 1")
    found = stored[0] if isinstance(stored[0], dict) else json.loads(stored[0])
    assert found == {**TARGET, "personExternalId": "[erased]"}
    changes: tuple[dict[str, object], ...] = (
        {**TARGET, "personExternalId": "someone else"},  # a value changed to anything else
        {"school": "s", "personExternalId": "[erased]"},  # a key dropped
        {**TARGET, "personExternalId": "[erased]", "more": "[erased]"},  # a key added
    )
    for changed in changes:
        assert _refused_target(url, changed), changed
    assert append_only_refuses(url, "UPDATE audit_event SET outcome = 'ok' WHERE id = 1")
    assert append_only_refuses(url, "DELETE FROM audit_event WHERE id = 1")

    migrations.downgrade(url=url, revision="0023")
    assert "legal_hold" not in table_names(url)
    assert "erased_at" not in _columns(url, "person")
    assert _refused_target(url, {**TARGET, "school": "[erased]"})
    assert append_only_refuses(url, "DELETE FROM audit_event WHERE id = 1")
    migrations.upgrade(url=url)
    migrations.check(url=url)


def _refused_target(url: str, target: dict[str, object]) -> bool:
    try:
        _update_target(url, target)
    except sa.exc.DBAPIError as exc:
        return "append-only" in str(exc)
    return False


def _refused_unique(url: str) -> bool:
    """A second open hold on the same person is refused by the partial unique index."""
    try:
        run_sql(
            url,
            "INSERT INTO legal_hold (person_id, reason, placed_at, placed_by) VALUES (1, 'Dossier 2027', :t, 'legal')",
            t=AT,
        )
    except sa.exc.IntegrityError:
        return True
    return False
