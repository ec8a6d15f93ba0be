"""Concurrent acknowledgements on real connections (a fresh database per test, both backends)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from govkit import migrations
from govkit.acknowledgements import chain, privacy
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.receipts import AuditNote, ClientInfo, Display, Receipt, Request
from govkit.acknowledgements.recorder import build_recorder
from govkit.acknowledgements.writers import LoopWriter, record_batch
from govkit.days import utc_today
from govkit.db import Database, create_db_engine, stored_id
from govkit.demo.loader import load_demo
from govkit.documents.models import DocumentVersion
from govkit.organisations.models import Organisation
from tests.ack_helpers import deliver, member, publish_minimal_internal, sha256_of, someone
from tests.conftest import BACKENDS, fresh_database_url, make_settings

SCHOOL = "telecom-paris"


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, int]]:
    url = fresh_database_url(request.param, "govkit_test_concurrency", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=90)
    document = publish_minimal_internal(db, SCHOOL)
    yield db, document.id  # type: ignore[misc]
    engine.dispose()


def _count(db: Database) -> int:
    with db.reading() as session:
        return session.execute(sa.text("SELECT count(*) FROM acknowledgement")).scalar_one()


def _each_on_its_loop(db: Database, calls: list[list[dict[str, Any]]]) -> list[list[Any]]:
    """Each list of calls on an event loop of its own (a thread), with a recorder of its own (as each
    server process has), all at once; each call through ``service.acknowledge``."""
    start = threading.Barrier(len(calls))

    def one_loop(given: list[dict[str, Any]]) -> list[Any]:
        async def run() -> list[Any]:
            recorder = build_recorder(db)
            try:
                await anyio.to_thread.run_sync(start.wait)
                return await asyncio.gather(*(acks.acknowledge(recorder=recorder, **c) for c in given))
            finally:
                await recorder.close()

        return anyio.run(run)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one_loop, calls))


def test_fifty_concurrent_calls_by_one_person_make_one_record(live: tuple[Database, int]) -> None:
    """50 calls on four recorders at once (four server processes): one record."""
    db, document_id = live
    actor = member(db, SCHOOL, "E00001")
    deliver(db, actor, document_id)
    call = {"actor": actor, "document_version_id": document_id, "shown_sha256": sha256_of(db, document_id)}
    receipts = [r for loop in _each_on_its_loop(db, [[call] * 13, [call] * 13, [call] * 12, [call] * 12]) for r in loop]
    assert len(receipts) == 50
    assert len({r.record.id for r in receipts}) == 1
    assert _count(db) == 1
    assert chain.verify(db).ok


def test_fifty_persons_at_once_make_fifty_chained_records(live: tuple[Database, int]) -> None:
    db, document_id = live
    actors = [member(db, SCHOOL, someone(db, SCHOOL, "student", only=False, skip=i)) for i in range(50)]
    for actor in actors:
        deliver(db, actor, document_id)
    sha = sha256_of(db, document_id)
    calls = [{"actor": a, "document_version_id": document_id, "shown_sha256": sha} for a in actors]
    receipts = [r for loop in _each_on_its_loop(db, [calls[i::4] for i in range(4)]) for r in loop]
    assert len({r.record.id for r in receipts}) == 50
    assert _count(db) == 50
    report = chain.verify(db)
    assert report.ok
    assert report.records == 50


def test_concurrent_members_share_transactions_and_each_is_recorded_once(live: tuple[Database, int]) -> None:
    """40 members at once on one event loop: their acknowledgements are written in fewer
    transactions than records (batches), each exactly once, the chain intact, one audit event each."""
    db, document_id = live
    actors = [member(db, SCHOOL, someone(db, SCHOOL, "student", only=False, skip=i)) for i in range(40)]
    for actor in actors:
        deliver(db, actor, document_id)
    call = {"document_version_id": document_id, "shown_sha256": sha256_of(db, document_id)}
    recorder = build_recorder(db)

    async def go(actor: Any) -> Any:
        note = AuditNote(actor=actor, action="mutation.acknowledge", correlation_id="bench", target={})
        # twice each: the second call returns the first record
        first = await acks.acknowledge(recorder=recorder, actor=actor, audit=note, **call)
        again = await acks.acknowledge(recorder=recorder, actor=actor, audit=note, **call)
        assert again.record.id == first.record.id and first.fresh and not again.fresh
        return first

    async def run() -> list[Any]:
        try:
            return await asyncio.gather(*(go(a) for a in actors))
        finally:
            await recorder.close()

    receipts = anyio.run(run)
    assert len({r.record.id for r in receipts}) == 40
    assert _count(db) == 40
    assert recorder.records == 40
    assert recorder.batches < 80  # calls shared a transaction
    report = chain.verify(db)
    assert report.ok and report.records == 40
    with db.reading() as session:
        events = session.execute(
            sa.text("SELECT count(*) FROM audit_event WHERE correlation_id = 'bench' AND outcome = 'ok'")
        ).scalar_one()
    assert events == 40  # written with the records, not for the calls that found one


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_batch_decides_as_one_call_after_the_other(live: tuple[Database, int], data: st.DataObject) -> None:
    """Whatever a batch holds (repeats, unknown persons or documents, another school's members,
    departed persons, versions delivered or not, displayed by an intranet, with no SHA-256), each
    request gets what it would get alone, in order; every record relies on an earlier delivery of its
    version to its person; the chain verifies, and still does once their personal data are erased."""
    from govkit.errors import GovkitError

    db, _document_id = live
    pool = _batch_pool(db)
    picks = data.draw(st.lists(st.sampled_from(sorted(pool)), min_size=1, max_size=12))
    requests = _requests(pool, picks)
    with db.session() as session:
        outcomes = record_batch(session.connection(), requests, today=utc_today())
        seen: dict[tuple[int, int], int] = {}
        for name, request, outcome in zip(picks, requests, outcomes, strict=True):
            expected = pool[name].refusal
            if expected is None:
                assert isinstance(outcome, Receipt), (name, outcome)
                pair = (request.person_id, request.document_version_id)
                assert seen.setdefault(pair, outcome.record.id) == outcome.record.id  # repeats: the first record
            else:
                assert isinstance(outcome, GovkitError) and isinstance(outcome, expected), (name, outcome)
        assert len(seen) == len({r.record.id for r in outcomes if isinstance(r, Receipt)})
        ids = [i for (i,) in session.execute(sa.text("SELECT id FROM acknowledgement ORDER BY id"))]
        assert sorted(seen.values()) == ids  # id order is chain order, nothing else inserted
        # proof of display: each record's shown_at and shown_via are a delivery of its version to its
        # person, made before it (the first one; an intranet's, written with the record)
        for person, version, shown_at, shown_via, acknowledged_at in session.execute(
            sa.text("SELECT person_id, document_version_id, shown_at, shown_via, acknowledged_at FROM acknowledgement")
        ).all():
            first = session.execute(
                sa.text(
                    "SELECT channel, delivered_at FROM document_delivery WHERE person_id = :p"
                    " AND document_version_id = :v ORDER BY delivered_at LIMIT 1"
                ),
                {"p": person, "v": version},
            ).one()
            assert (shown_via, str(shown_at)[:19]) == (first[0], str(first[1])[:19])
            assert str(shown_at) <= str(acknowledged_at)
        within = Database(session.connection())
        assert chain.verify(within).ok
        privacy.erase_personal_data(db=within, record_ids=ids)
        assert chain.verify(within).ok
        session.rollback()


@dataclass(frozen=True)
class Pick:
    """A named request of the batches: who acknowledges what, how, and the refusal expected (None: a receipt)."""

    person_id: int
    document_version_id: int
    refusal: type | None
    sha256: str | None  # the SHA-256 of the version shown, as given
    display: Display | None = None  # an intranet displayed the version


def _batch_pool(db: Database) -> dict[str, Pick]:
    """Named requests; the students of the first four picks opened the version on their page."""
    from govkit.errors import Conflict, Forbidden, InvalidInput, NotFound

    with db.reading() as session:
        ids = dict(  # external ids are unique within a school only (E00001 is in every school)
            session.execute(
                sa.text(
                    "SELECT p.external_id, p.id FROM person p JOIN organisation o ON o.id = p.organisation_id "
                    "WHERE o.code = :s"
                ),
                {"s": SCHOOL},
            ).all()
        )
        departed = session.execute(
            sa.text(
                "SELECT p.id FROM person p JOIN organisation o ON o.id = p.organisation_id "
                "WHERE o.code = :s AND p.status <> 'active'"
            ),
            {"s": SCHOOL},
        ).first()
        other = session.execute(
            sa.text(
                "SELECT p.id FROM person p JOIN organisation o ON o.id = p.organisation_id "
                "WHERE o.code <> :s AND p.status = 'active' LIMIT 1"
            ),
            {"s": SCHOOL},
        ).scalar_one()
    document_id, sha, published_at = _published(db)
    students = [someone(db, SCHOOL, "student", only=False, skip=i) for i in range(9)]
    for external_id in [*students[:4], students[5]]:
        deliver(db, member(db, SCHOOL, external_id), document_id)
    pool = {f"student{i}": Pick(ids[students[i]], document_id, None, sha) for i in range(4)}
    pool["stranger"] = Pick(other, document_id, Forbidden, sha)
    pool["nobody"] = Pick(10**9, document_id, NotFound, sha)
    pool["no-document"] = Pick(pool["student0"].person_id, 10**9, NotFound, sha)
    if departed is not None:
        pool["departed"] = Pick(departed[0], document_id, InvalidInput, sha)
    pool["never-delivered"] = Pick(ids[students[4]], document_id, Conflict, sha)
    pool["no-sha256"] = Pick(ids[students[5]], document_id, InvalidInput, None)
    now = datetime.now(UTC)
    shown, future, early = (
        published_at + (now - published_at) / 2,
        now + timedelta(hours=1),
        published_at - timedelta(days=1),
    )
    pool["intranet"] = Pick(ids[students[6]], document_id, None, sha, Display("ENT test", shown))
    pool["intranet-future"] = Pick(ids[students[7]], document_id, InvalidInput, sha, Display("ENT", future))
    pool["intranet-too-early"] = Pick(ids[students[8]], document_id, InvalidInput, sha, Display("ENT", early))
    return pool


def _published(db: Database) -> tuple[int, str, datetime]:
    """The school's French internal regulation: its id, SHA-256 and publication time."""
    with db.reading() as session:
        document = session.exec(
            select(DocumentVersion)
            .join(Organisation, Organisation.id == DocumentVersion.organisation_id)  # type: ignore[arg-type]
            .where(Organisation.code == SCHOOL, DocumentVersion.kind == "internal", DocumentVersion.language == "fr")
        ).one()
    return stored_id(document), document.sha256, document.published_at


# --- recorded from the event loop (PostgreSQL, as `govkit serve` does) ----------------------------


def _requests(pool: dict[str, Pick], names: list[str]) -> list[Any]:
    return [
        Request(
            person_id=pool[name].person_id,
            document_version_id=pool[name].document_version_id,
            method="electronic",
            auth_method="test",
            recorded_by=name,
            language=None,
            client=ClientInfo(ip="192.0.2.1"),
            shown_sha256=pool[name].sha256,
            display=pool[name].display,
        )
        for name in names
    ]


@pytest.mark.parametrize("live", ["postgresql"], indirect=True)  # SQLite records in threads (tests above)
def test_the_event_loop_recorder_decides_each_request_as_alone(live: tuple[Database, int]) -> None:
    """The recorder built for PostgreSQL writes from the event loop: the same decisions as the
    threaded batch, repeats included, refusals for their requests only, the chain intact; it
    survives losing its connection."""
    from govkit.errors import GovkitError

    db, _document_id = live
    pool = _batch_pool(db)
    names = [*pool, "student0", "student1"]  # repeats in the same batch
    recorder = build_recorder(db)
    writer = recorder.writer
    assert isinstance(writer, LoopWriter)

    async def run() -> tuple[list[Any], list[Any], list[Any]]:
        try:
            first = await recorder.record(_requests(pool, names))
            again = await recorder.record(_requests(pool, ["student2", "student3"]))
            assert writer._connection is not None
            pid = writer._connection.info.backend_pid
            with db.bind.connect() as admin:  # type: ignore[union-attr]
                admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            after_loss = await recorder.record(_requests(pool, ["student0", "student1"]))
            return first, again, after_loss
        finally:
            await recorder.close()

    first, again, after_loss = anyio.run(run)
    seen: dict[str, int] = {}
    for name, outcome in zip(names, first, strict=True):
        expected = pool[name].refusal
        if expected is None:
            assert isinstance(outcome, Receipt), (name, outcome)
            assert seen.setdefault(name, outcome.record.id) == outcome.record.id
        else:
            assert isinstance(outcome, GovkitError) and isinstance(outcome, expected), (name, outcome)
    assert [o.fresh for o in first[-2:]] == [False, False]  # the repeats got the first record
    assert all(isinstance(o, Receipt) and not o.fresh for o in again)  # recorded already
    assert [o.record.id for o in after_loss] == [seen["student0"], seen["student1"]]  # reconnected
    recorded = len([p for p in pool.values() if p.refusal is None])  # the four students and the intranet's
    assert _count(db) == recorded
    report = chain.verify(db)
    assert report.ok and report.records == recorded


@pytest.mark.parametrize("live", ["postgresql"], indirect=True)
def test_members_acknowledging_over_http_are_recorded_from_the_loop(live: tuple[Database, int]) -> None:
    """The app as `govkit serve` builds it on PostgreSQL: 30 members at once, each twice; every
    acknowledgement recorded once, in fewer batches than calls, the chain intact."""
    from govkit.access.roles import Role
    from govkit.app import create_app
    from govkit.auth.service import create_token

    db, document_id = live
    settings = make_settings(str(db.bind.url.render_as_string(hide_password=False)))  # type: ignore[union-attr]
    tokens = [
        create_token(
            db=db,
            settings=settings,
            role=Role.MEMBER,
            school_code=SCHOOL,
            person_external_id=someone(db, SCHOOL, "student", only=False, skip=i),
        )[0]
        for i in range(30)
    ]
    for i in range(30):
        deliver(db, member(db, SCHOOL, someone(db, SCHOOL, "student", only=False, skip=i)), document_id)
    app = create_app(settings, db=db)
    sha = sha256_of(db, document_id)
    mutation = {
        "query": f'mutation {{ acknowledge(documentVersionId: "{document_id}", documentSha256: "{sha}")'
        " { id verificationCode } }"
    }

    async def run() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:

                async def twice(token: str) -> list[httpx.Response]:
                    headers = {"Authorization": f"Bearer {token}"}
                    return [await client.post("/graphql", json=mutation, headers=headers) for _ in range(2)]

                answers = await asyncio.gather(*[twice(t) for t in tokens])
        return [response for pair in answers for response in pair]

    responses = anyio.run(run)
    assert all(r.status_code == 200 and "errors" not in r.json() for r in responses), responses[0].text
    ids = [r.json()["data"]["acknowledge"]["id"] for r in responses]
    assert ids[0::2] == ids[1::2]  # each member's second call returns the first record
    assert len(set(ids)) == 30
    assert _count(db) == 30
    recorder = app.state.wiring.recorder
    assert isinstance(recorder.writer, LoopWriter)  # the one the factory builds on PostgreSQL
    assert recorder.records == 30
    assert 0 < recorder.batches < 60  # calls shared batches
    report = chain.verify(db)
    assert report.ok and report.records == 30
