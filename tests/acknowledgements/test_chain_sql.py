"""chain.append: the hashes the database computes in SQL (PostgreSQL's functions; on SQLite the same
ones, registered by govkit.db) are the ones the verifier's independent Python computes (chain.record_hash).

Records are appended to the demo database in a savepoint rolled back after each example (the
records are append-only by trigger; the test's own transaction is rolled back after the test).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import new_code
from govkit.acknowledgements.models import CHANNELS, Acknowledgement
from govkit.db import Database
from govkit.input_text import nul_refusal

TABLE: sa.Table = Acknowledgement.__table__  # type: ignore[attr-defined]

#: Free text as members, administrators and browsers may send it: any character but NUL.
FREE_TEXT = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """The columns of a record that are not tied to the database (see ``rows``)."""
    ip = draw(st.none() | st.ip_addresses().map(str))
    user_agent = draw(st.none() | st.text(FREE_TEXT, max_size=512))
    wording = draw(st.text(FREE_TEXT, max_size=300))
    recorded_by = draw(st.text(FREE_TEXT, max_size=200))
    reason = draw(st.none() | st.text(FREE_TEXT, max_size=300))
    return {
        "method": draw(st.sampled_from(["electronic", "paper", "carried_forward"])),
        "wording": wording,
        "acknowledged_at": draw(
            st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
        ),
        "auth_method": draw(st.text(FREE_TEXT, max_size=40)),
        "recorded_by": recorded_by,
        "reason": reason,
        "client_ip": ip,
        "user_agent": user_agent,
        **chain.personal(wording=wording, recorded_by=recorded_by, reason=reason, client_ip=ip, user_agent=user_agent),
        "verification_code": new_code(),
        **draw(
            st.just({"shown_at": None, "shown_via": None})
            | st.builds(
                lambda at, via: {"shown_at": at, "shown_via": via},
                st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
                st.sampled_from(CHANNELS),
            )
        ),
    }


def free_pairs(db: Database) -> list[tuple[int, int, int, str]]:
    """(person, organisation, document version, document sha256) not acknowledged yet, from the demo data."""
    with db.reading() as session:
        return [
            tuple(r)  # type: ignore[misc]
            for r in session.execute(
                sa.text(
                    "SELECT p.id, p.organisation_id, v.id, v.sha256 FROM person p"
                    " JOIN document_version v ON v.organisation_id = p.organisation_id"
                    " WHERE NOT EXISTS (SELECT 1 FROM acknowledgement a"
                    "   WHERE a.person_id = p.id AND a.document_version_id = v.id)"
                    " ORDER BY p.id, v.id LIMIT 40"
                )
            ).all()
        ]


def rows(pairs: list[tuple[int, int, int, str]], drawn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every column of new records, as the services give them to ``append``."""
    return [
        {
            "id": None,
            "person_id": person,
            "organisation_id": organisation,
            "document_version_id": version,
            "campaign_id": None,
            "document_sha256": sha256,
            "carried_from_id": None,
            "previous_hash": "",
            "record_hash": "",
            **record,
        }
        for (person, organisation, version, sha256), record in zip(pairs, drawn, strict=False)
    ]


def oracle(head: chain.Head, rows: list[dict[str, Any]]) -> None:
    """The Python computation of new records' ids and hashes after ``head``, in order (``chain.record_hash``)."""
    for row in rows:
        row["id"] = (head.last_id or 0) + 1
        row["previous_hash"] = head.last_hash
        row["record_hash"] = chain.record_hash(head.last_hash, row)
        head.last_id, head.last_hash = row["id"], row["record_hash"]


def head(connection: sa.Connection) -> chain.Head:
    last_id, last_hash = connection.execute(sa.text("SELECT last_id, last_hash FROM chain_head WHERE id = 1")).one()
    return chain.Head(last_id, last_hash)


@contextmanager
def undone(db: Database) -> Iterator[sa.Connection]:
    """The test's connection in a savepoint rolled back afterwards."""
    connection = db.bind
    assert isinstance(connection, sa.Connection)
    savepoint = connection.begin_nested()
    try:
        yield connection
    finally:
        savepoint.rollback()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(records(), min_size=1, max_size=4), min_size=1, max_size=3))
def test_appended_records_hash_as_python_computes_them(db: Database, batches: list[list[dict[str, Any]]]) -> None:
    pairs = free_pairs(db)
    with undone(db) as connection:
        start = head(connection)
        expected_head = chain.Head(start.last_id, start.last_hash)
        appended: list[dict[str, Any]] = []
        for drawn in batches:
            batch = rows(pairs[len(appended) : len(appended) + len(drawn)], drawn)
            assert len(batch) == len(drawn), "not enough unacknowledged pairs in the demo data"
            expected = copy.deepcopy(batch)
            oracle(expected_head, expected)
            chain.append(connection, batch)
            for row, wanted in zip(batch, expected, strict=True):
                assert (row["id"], row["previous_hash"], row["record_hash"]) == (
                    wanted["id"],
                    wanted["previous_hash"],
                    wanted["record_hash"],
                )
            appended += batch

        assert [r["id"] for r in appended] == list(
            range((start.last_id or 0) + 1, (start.last_id or 0) + 1 + len(appended))
        )
        stored = {
            r.id: r
            for r in connection.execute(
                sa.select(TABLE).where(TABLE.c.id > (start.last_id or 0)).order_by(TABLE.c.id)
            ).mappings()
        }
        assert sorted(stored) == [r["id"] for r in appended]
        previous = start.last_hash
        for row in appended:
            record = stored[row["id"]]
            for key in ("wording", "recorded_by", "reason", "user_agent", "auth_method"):
                assert record[key] == row[key], key  # the text came back as it was given
            assert record["previous_hash"] == previous
            assert record["record_hash"] == chain.record_hash(previous, row)
            assert record["record_hash"] == chain.record_hash(previous, record)  # from the stored values
            previous = record["record_hash"]
        moved = head(connection)
        assert (moved.last_id, moved.last_hash) == (appended[-1]["id"], previous)
        report = chain.verify(db)
        assert report.ok, report


def test_appending_nothing_changes_nothing(db: Database) -> None:
    with undone(db) as connection:
        before = head(connection)
        chain.append(connection, [])
        assert head(connection) == before


def test_a_nul_character_is_refused_cleanly_on_both_backends(db: Database) -> None:
    """PostgreSQL cannot hold U+0000; SQLite refuses it too (govkit.input_text), so that the same
    input is the caller's error on both, and nothing is half-written."""
    drawn = {
        "method": "paper",
        "wording": "J'ai lu le règlement.",
        "acknowledged_at": datetime(2025, 9, 1, 8, 30, tzinfo=UTC),
        "auth_method": "paper_signature",
        "recorded_by": "school_admin imt-atlantique",
        "reason": "signé\x00sur papier",
        "client_ip": None,
        "user_agent": None,
        **chain.personal(
            wording="J'ai lu le règlement.",
            recorded_by="school_admin imt-atlantique",
            reason="signé sur papier",
            client_ip=None,
            user_agent=None,
        ),
        "verification_code": new_code(),
        "shown_at": None,
        "shown_via": None,
    }
    (pair,) = free_pairs(db)[:1]
    batch = rows([pair], [drawn])
    with undone(db) as connection:
        before = head(connection)
        with pytest.raises(Exception) as refused, connection.begin_nested():
            chain.append(connection, batch)
        assert nul_refusal(refused.value) is not None, refused.value
        assert head(connection) == before  # nothing half-written
