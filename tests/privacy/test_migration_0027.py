"""Revision 0027 both ways, on both databases: the audit log's trigger lets an event's subject become
``erased:...`` and its IP address become NULL (with or without a target's erasure), and nothing else;
below 0027 both are frozen again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govkit import migrations
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import append_only_refuses, insert_audit_event, json_value, run_sql

AT = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)
TARGET = {"school": "s", "personExternalId": "E123"}


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0027", tmp_path)


def _event(url: str, event_id: int, subject: str, client_ip: str) -> None:
    insert_audit_event(
        url,
        event_id=event_id,
        at=AT,
        subject=subject,
        action="mutation.acknowledge",
        target=TARGET,
        outcome="ok",
        client_ip=client_ip,
    )


def _row(url: str) -> tuple[object, ...]:
    (row,) = run_sql(url, "SELECT subject, client_ip, action, target FROM audit_event WHERE id = 1")
    target = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    return (row[0], row[1], row[2], target)


def test_up_and_down(url: str) -> None:
    migrations.upgrade(url=url, revision="0026")
    _event(url, 1, "oidc:jdupont", "192.0.2.7")
    assert append_only_refuses(url, "UPDATE audit_event SET subject = 'erased:identity-1' WHERE id = 1")
    assert append_only_refuses(url, "UPDATE audit_event SET client_ip = NULL WHERE id = 1")

    migrations.upgrade(url=url, revision="0027")
    refused = (
        "UPDATE audit_event SET subject = 'someone else' WHERE id = 1",
        "UPDATE audit_event SET client_ip = '198.51.100.1' WHERE id = 1",
        "UPDATE audit_event SET action = 'mutation.other' WHERE id = 1",
        "UPDATE audit_event SET subject = 'erased:identity-1', outcome = 'refused' WHERE id = 1",
        "DELETE FROM audit_event WHERE id = 1",
    )
    for statement in refused:
        assert append_only_refuses(url, statement), statement
    assert _row(url) == ("oidc:jdupont", "192.0.2.7", "mutation.acknowledge", TARGET)
    run_sql(url, "UPDATE audit_event SET client_ip = NULL WHERE id = 1")
    erased_target = json.dumps({**TARGET, "personExternalId": "[erased]"})
    run_sql(
        url,
        f"UPDATE audit_event SET subject = 'erased:identity-1', target = {json_value(url)} WHERE id = 1",
        target=erased_target,
    )
    assert _row(url) == ("erased:identity-1", None, "mutation.acknowledge", json.loads(erased_target))
    assert append_only_refuses(url, "UPDATE audit_event SET subject = 'oidc:jdupont' WHERE id = 1")  # no way back

    migrations.downgrade(url=url, revision="0026")
    _event(url, 2, "oidc:x", "192.0.2.8")
    assert append_only_refuses(url, "UPDATE audit_event SET subject = 'erased:identity-2' WHERE id = 2")
    assert append_only_refuses(url, "UPDATE audit_event SET client_ip = NULL WHERE id = 2")
    migrations.upgrade(url=url)
    migrations.check(url=url)
