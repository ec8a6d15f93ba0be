"""Revision 0015 on both databases: v1 records made at revision 0014 are re-chained with salted
digests of their personal data (chain v2); `audit verify` passes; erasing a record's personal data
keeps it passing; a broken v1 chain is not re-chained; the downgrade refuses while records exist."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.acknowledgements import chain, privacy
from govkit.db import Database, create_db_engine
from govkit.errors import Conflict
from tests.conftest import BACKENDS, fresh_database_url
from tests.migration_sql import run_sql

GENESIS_V1 = hashlib.sha256(b"govkit acknowledgement chain v1").hexdigest()
HASHED_V1 = (
    "person_id", "organisation_id", "document_version_id", "campaign_id", "method", "document_sha256",
    "wording_sha256", "acknowledged_at", "auth_method", "recorded_by", "reason", "carried_from_id",
    "client_sha256", "verification_code",
)  # fmt: skip
NAME = "Zoé Quintard-Example"
SHA = "ab" * 32
WHEN = datetime(2025, 9, 2, 8, 30, 15, 123456, tzinfo=UTC)


def v1_hash(previous: str, record: dict[str, Any]) -> str:
    """How revision 0003's chain hashed a record (chain v1)."""
    found = {k: record[k] for k in HASHED_V1}
    found["acknowledged_at"] = found["acknowledged_at"].isoformat(timespec="microseconds")
    body = json.dumps(found, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def v1_client(ip: str | None, agent: str | None, code: str) -> str:
    return hashlib.sha256(f"{code}\n{ip or ''}\n{agent or ''}".encode()).hexdigest()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0015", tmp_path)


def _school_and_version(url: str) -> None:
    """One school, one published version of its internal regulation and one person, in plain SQL at 0014."""
    now = datetime(2025, 9, 1, tzinfo=UTC)
    run_sql(
        url,
        "INSERT INTO organisation (id, code, type, name, short_name, created_at)"
        " VALUES (1, 'imt-test', 'school', 'IMT Test', 'Test', :now)",
        now=now,
    )
    run_sql(
        url,
        "INSERT INTO profile_revision (id, organisation_id, revision, data, sources, sha256, created_at, created_by,"
        " valid_from) VALUES (1, 1, 1, '{}', '{}', :sha, :now, 'test', :day)",
        sha=SHA,
        now=now,
        day=date(2025, 1, 1),
    )
    run_sql(
        url, "INSERT INTO root_template (id, kind, language, created_at) VALUES (1, 'internal', 'fr', :now)", now=now
    )
    run_sql(
        url,
        "INSERT INTO blob (sha256, size, media_type, data, created_at) VALUES (:sha, 1, 'application/octet-stream',"
        " :data, :now)",
        sha=SHA,
        data=b"x",
        now=now,
    )
    run_sql(
        url,
        "INSERT INTO root_template_version (id, root_template_id, number, sha256, filename, report, clauses,"
        " uploaded_at, uploaded_by) VALUES (1, 1, 1, :sha, 't.docx', '{}', '[]', :now, 'test')",
        sha=SHA,
        now=now,
    )
    run_sql(
        url,
        "INSERT INTO variant (id, inputs_sha256, root_template_version_id, organisation_id, profile_revision_id,"
        " sha256, clauses, rendered_at, rendered_by) VALUES (1, :sha, 1, 1, 1, :sha, '[]', :now, 'test')",
        sha=SHA,
        now=now,
    )
    for number in (1, 2):
        run_sql(
            url,
            "INSERT INTO document_version (id, organisation_id, kind, language, number, variant_id, sha256, clauses,"
            " effective_from, change_kind, changelog, published_at, published_by)"
            " VALUES (:n, 1, 'internal', 'fr', :n, 1, :sha, '[]', :day, 'substantive', 'v', :now, 'test')",
            n=number,
            sha=SHA,
            day=date(2025, 9, 1),
            now=now,
        )
    for n in (1, 2, 3):
        run_sql(
            url,
            "INSERT INTO person (id, organisation_id, external_id, given_name, family_name, email, status,"
            " preferred_language, created_at, updated_at) VALUES (:n, 1, :e, 'Zoé', 'Quintard-Example',"
            " :mail, 'active', 'fr', :now, :now)",
            n=n,
            e=f"E{n:05d}",
            mail=f"p{n}@example.org",
            now=now,
        )


def _v1_records(url: str) -> list[dict[str, Any]]:
    """Four v1 records (electronic with client data, the same with its client data erased, paper,
    carried forward), chained the v1 way, and the head moved."""
    given = [
        (1, 1, "electronic", "test:imt-test:E00001", None, "192.0.2.1", "Firefox", True, None),
        (2, 1, "electronic", "test:imt-test:E00002", None, "192.0.2.2", "Safari", False, None),
        (3, 1, "paper", "admin (school_admin)", "Signé sur papier à l'accueil", None, None, True, None),
        (1, 2, "carried_forward", "system (legal)", None, None, None, True, 1),
    ]
    previous, records = GENESIS_V1, []
    for index, (person, version, method, by, reason, ip, agent, kept, carried) in enumerate(given, start=1):
        code = f"TEST-0000-0000-{index:04d}"
        wording = f"Je soussigné·e, {NAME}, reconnais avoir pris connaissance du document (v{version})."
        record = {
            "id": index,
            "person_id": person,
            "organisation_id": 1,
            "document_version_id": version,
            "campaign_id": None,
            "method": method,
            "document_sha256": SHA,
            "wording": wording,
            "wording_sha256": hashlib.sha256(wording.encode()).hexdigest(),
            "acknowledged_at": WHEN,
            "auth_method": "govkit_token" if method == "electronic" else method,
            "recorded_by": by,
            "reason": reason,
            "carried_from_id": carried,
            "client_ip": ip if kept else None,
            "user_agent": agent if kept else None,
            "client_sha256": v1_client(ip, agent, code),
            "verification_code": code,
            "previous_hash": previous,
        }
        record["record_hash"] = previous = v1_hash(previous, record)
        records.append(record)
        names = ", ".join(record)
        run_sql(url, f"INSERT INTO acknowledgement ({names}) VALUES ({', '.join(':' + k for k in record)})", **record)
    run_sql(url, "UPDATE chain_head SET last_id = 4, last_hash = :h WHERE id = 1", h=previous)
    return records


def test_v1_records_are_rechained_with_salted_digests(url: str) -> None:
    migrations.upgrade(url=url, revision="0014")
    _school_and_version(url)
    v1 = _v1_records(url)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    try:
        report = chain.verify(db)
        assert report.ok and report.records == 4, report
        rows = run_sql(url, "SELECT * FROM acknowledgement ORDER BY id")
        stored = [dict(r._mapping) for r in rows]
        assert [r["previous_hash"] for r in stored[:1]] == [chain.GENESIS_HASH]
        for old, new in zip(v1, stored, strict=True):
            salt = new["personal_salt"]
            assert len(salt) == 64 and int(salt, 16) >= 0
            assert new["wording"] == old["wording"]  # the data stay; their digests change
            assert new["wording_sha256"] == chain.salted(salt, "wording", old["wording"]) != old["wording_sha256"]
            assert new["recorded_sha256"] == chain.salted(salt, "recorded", old["recorded_by"], old["reason"])
            assert new["record_hash"] != old["record_hash"]
            assert NAME not in chain.body({**new, "acknowledged_at": WHEN})  # nothing personal is hashed as it is
        assert stored[0]["client_sha256"] == chain.salted(stored[0]["personal_salt"], "client", "192.0.2.1", "Firefox")
        # client data erased under v1: the v1 digest, salted again
        assert stored[1]["client_sha256"] == chain.salted(
            stored[1]["personal_salt"], "client-v1", v1[1]["client_sha256"]
        )
        assert len({r["personal_salt"] for r in stored}) == 4
        (head,) = run_sql(url, "SELECT last_id, last_hash FROM chain_head WHERE id = 1")
        assert tuple(head) == (4, stored[-1]["record_hash"])
        ((target,),) = run_sql(url, "SELECT target FROM audit_event WHERE action = 'chain.rechain'")
        target = target if isinstance(target, dict) else json.loads(target)
        assert target["records"] == 4 and target["new_head"] == stored[-1]["record_hash"]

        # erasing one record's personal data keeps every hash verifiable
        assert privacy.erase_personal_data(db=db, record_ids=[1]) == 1
        assert chain.verify(db).ok
        (erased,) = run_sql(url, "SELECT * FROM acknowledgement WHERE id = 1")
        assert NAME not in " ".join(str(v) for v in erased)
        assert erased.personal_salt is None and erased.client_ip is None

        # going back to v1 would expose unsalted digests again: refused while records exist
        with pytest.raises(Conflict, match="cannot be undone"):
            migrations.downgrade(url=url, revision="0014")
        assert chain.verify(db).ok
    finally:
        engine.dispose()


def test_a_broken_v1_chain_is_not_rechained(url: str) -> None:
    migrations.upgrade(url=url, revision="0014")
    _school_and_version(url)
    _v1_records(url)
    if url.startswith("sqlite"):
        run_sql(url, "DROP TRIGGER acknowledgement_append_only")
    else:
        run_sql(url, "ALTER TABLE acknowledgement DISABLE TRIGGER acknowledgement_append_only")
    run_sql(url, "UPDATE acknowledgement SET wording = 'Autre texte' WHERE id = 2")  # its digest left as it was
    with pytest.raises(Conflict, match="broken at record 2: its wording"):
        migrations.upgrade(url=url)
    ((version,),) = run_sql(url, "SELECT version_num FROM alembic_version")
    assert version == "0014"
    columns = {c["name"] for c in sa.inspect(create_db_engine(url)).get_columns("acknowledgement")}
    assert "personal_salt" not in columns
