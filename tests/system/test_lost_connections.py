"""A lost database connection is survived: PostgreSQL restarted, failed over, or an administrator
ended its connections (pg_terminate_backend) while requests ran, and no client hears of it.

Connections are lost for real: terminated by PostgreSQL while idle in a pool, or while a statement
waits (a table locked by the test holds it until the termination has happened).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import psycopg
import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.access.roles import Principal, Role
from govkit.acknowledgements import chain
from govkit.acknowledgements.receipts import ClientInfo, Receipt, Request
from govkit.acknowledgements.recorder import Recorder, build_recorder
from govkit.acknowledgements.writers import LoopWriter, ThreadWriter
from govkit.auth.service import authenticate_many, create_token
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.disconnects import is_disconnect, retry_on_disconnect
from govkit.documents.kinds import catalogue
from tests.ack_helpers import deliver, member, publish_minimal_internal
from tests.conftest import BACKENDS, fresh_database_url, make_settings
from tests.system.test_serving import environment, free_port, wait_healthy

pytestmark = pytest.mark.postgresql

SCHOOL = "telecom-paris"
T = TypeVar("T")


@dataclass(frozen=True)
class Published:
    url: str
    document_id: int  # the internal regulation in force at SCHOOL
    members: list[tuple[int, str]]  # (person id, external id) of persons who may acknowledge it
    sha256: str  # the document's, which each of them opened on their page

    @property
    def conninfo(self) -> str:
        return sa.make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)

    @property
    def name(self) -> str:
        return sa.make_url(self.url).database  # type: ignore[return-value]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A database of its own (these tests end its connections), with the demo data and a document in force."""
    if "postgresql" not in BACKENDS:
        pytest.fail("PostgreSQL is needed to lose its connections (GOVKIT_TEST_DATABASES excludes it)")
    url = fresh_database_url("postgresql", "govkit_test_lost_connections", tmp_path_factory.mktemp("lost"))
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=120)
    document = publish_minimal_internal(db, SCHOOL)
    concerned = [p.value for p in catalogue().kind("internal").populations]
    with engine.connect() as connection:
        members = connection.execute(
            sa.text(
                "SELECT DISTINCT p.id, p.external_id FROM person p"
                " JOIN organisation o ON o.id = p.organisation_id"
                " JOIN person_population pp ON pp.person_id = p.id"
                " WHERE o.code = :school AND p.status = 'active' AND pp.population = ANY(:concerned)"
                " ORDER BY p.id"
            ),
            {"school": SCHOOL, "concerned": concerned},
        ).all()
    for _, external_id in members:
        deliver(db, member(db, SCHOOL, external_id), document.id)
    engine.dispose()
    return Published(url, document.id, [(m.id, m.external_id) for m in members], document.sha256)  # type: ignore[arg-type]


# --- losing connections for real ------------------------------------------------------------------


def terminate(conninfo: str, pids: list[int] | None = None) -> int:
    """End the connections ``pids`` to the database, or all of them but this one; how many ended."""
    with psycopg.connect(conninfo, autocommit=True) as admin:
        (ended,) = admin.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND (%(pids)s::int[] IS NULL OR pid = ANY(%(pids)s::int[]))",
            {"pids": pids},
        ).fetchone()  # type: ignore[misc]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # until they are gone (their sockets closed)
            (left,) = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND pid = ANY(%(pids)s::int[])",
                {"pids": pids or []},
            ).fetchone()  # type: ignore[misc]
            if not left:
                break
            time.sleep(0.01)
    return ended


def waiting_on_a_lock(conninfo: str, seconds: float = 10.0) -> list[int]:
    """The connections to the database waiting on a lock, once there is one."""
    with psycopg.connect(conninfo, autocommit=True) as admin:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchall()
            if rows:
                return [pid for (pid,) in rows]
            time.sleep(0.01)
    raise AssertionError(f"nothing waited on the lock within {seconds} s")


@contextmanager
def locked(conninfo: str, table: str) -> Iterator[None]:
    """``table`` locked by another connection: statements that read it wait until the block ends."""
    with psycopg.connect(conninfo) as holder:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def lost_while_running(published: Published, table: str, call: Callable[[], T]) -> T:
    """``call()`` in a thread, its connection ended while its statement waits on ``table``."""
    with ThreadPoolExecutor(1) as threads:
        with locked(published.conninfo, table):
            running = threads.submit(call)
            waiting = waiting_on_a_lock(published.conninfo)
            assert terminate(published.conninfo, waiting) == len(waiting)
        return running.result(timeout=20)


def request(person_id: int, published: Published) -> Request:
    return Request(
        person_id=person_id,
        document_version_id=published.document_id,
        method="electronic",
        auth_method="test",
        recorded_by="test",
        language=None,
        client=ClientInfo(ip="192.0.2.1"),
        shown_sha256=published.sha256,
    )


def recorded(published: Published, person_ids: list[int]) -> list[tuple[int, int]]:
    """(person id, record count) of the acknowledgements of ``person_ids``."""
    with psycopg.connect(published.conninfo) as connection:
        return connection.execute(
            "SELECT person_id, count(*) FROM acknowledgement WHERE person_id = ANY(%s) GROUP BY person_id"
            " ORDER BY person_id",
            (person_ids,),
        ).fetchall()


def chain_verifies(published: Published) -> None:
    engine = create_db_engine(published.url)
    try:
        report = chain.verify(Database(engine))
    finally:
        engine.dispose()
    assert report.ok, report


# --- reads ----------------------------------------------------------------------------------------


def test_a_pooled_connection_the_server_ended_is_replaced_at_checkout(published: Published) -> None:
    engine = create_db_engine(published.url)
    db = Database(engine)
    try:
        for lend in (db.single_read, db.statements, db.reading, db.transaction):
            with db.single_read() as connection:
                before = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            assert terminate(published.conninfo, [before]) == 1  # while it sits in the pool
            with lend() as used:
                after = used.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()  # no error
            assert after != before, lend
    finally:
        engine.dispose()


def test_a_read_whose_connection_is_lost_while_it_runs_is_run_again(published: Published) -> None:
    engine = create_db_engine(published.url)
    db = Database(engine)
    runs: list[int] = []

    def read() -> list[str]:
        with db.reading() as session:
            runs.append(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
            return list(session.execute(sa.text("SELECT code FROM organisation ORDER BY code")).scalars())

    try:
        codes = lost_while_running(published, "organisation", lambda: retry_on_disconnect(read))
    finally:
        engine.dispose()
    assert SCHOOL in codes
    assert len(runs) == 2 and runs[0] != runs[1]  # once more, on a new connection


def test_work_that_may_have_committed_is_not_run_again(published: Published) -> None:
    """A lost connection after a commit: the error stands (running it again could do it twice)."""
    engine = create_db_engine(published.url)
    db = Database(engine)
    runs: list[int] = []

    def write_then_read() -> None:
        runs.append(1)
        with db.transaction() as session:
            session.execute(sa.text("SELECT 1"))
        with db.reading() as session:
            session.execute(sa.text("SELECT count(*) FROM organisation")).scalar_one()

    def attempt() -> BaseException | None:
        try:
            retry_on_disconnect(write_then_read)
        except Exception as exc:
            return exc
        return None

    try:
        error = lost_while_running(published, "organisation", attempt)
    finally:
        engine.dispose()
    assert error is not None and is_disconnect(error), error
    assert runs == [1]


def test_authentication_survives_losing_its_connection_during_the_grant_read(published: Published) -> None:
    engine = create_db_engine(published.url)
    db = Database(engine)
    settings = make_settings(published.url)
    try:
        token, grant = create_token(db=db, settings=settings, role=Role.AUDITOR)
        (found,) = lost_while_running(
            published, "role_grant", lambda: authenticate_many(db=db, settings=settings, tokens=[token])
        )
    finally:
        engine.dispose()
    assert isinstance(found, Principal) and found.grant_id == grant.id and found.role is Role.AUDITOR


# --- the recorders: one request alone on a lost connection ---------------------------------------


def test_the_event_loop_recorder_records_one_request_whose_connection_is_lost(published: Published) -> None:
    """A batch of one (what answered INTERNAL): its connection ended while the batch reads, then
    while it sits idle; each request gets its receipt, recorded once, and the chain verifies."""
    (first, _), (second, _) = published.members[0:2]
    engine = create_db_engine(published.url)
    recorder = build_recorder(Database(engine))
    writer = recorder.writer
    assert isinstance(writer, LoopWriter)

    async def record(person_id: int) -> Any:
        (outcome,) = await recorder.record([request(person_id, published)])
        return outcome

    async def scenario() -> tuple[Any, Any, Any]:
        try:
            with locked(published.conninfo, "acknowledgement"):
                running = asyncio.create_task(record(first))
                waiting = await anyio.to_thread.run_sync(waiting_on_a_lock, published.conninfo)
                assert await anyio.to_thread.run_sync(terminate, published.conninfo, waiting) == 1
            in_flight = await running
            assert writer._connection is not None
            idle = writer._connection.info.backend_pid
            assert await anyio.to_thread.run_sync(terminate, published.conninfo, [idle]) == 1
            when_idle = await record(second)
            assert writer._connection.info.backend_pid != idle
            return in_flight, when_idle, await record(first)
        finally:
            await recorder.close()

    try:
        in_flight, when_idle, again = anyio.run(scenario)
    finally:
        engine.dispose()
    assert isinstance(in_flight, Receipt), in_flight
    assert isinstance(when_idle, Receipt), when_idle
    assert isinstance(again, Receipt) and again.record.id == in_flight.record.id and not again.fresh  # found
    assert recorded(published, [first, second]) == [(first, 1), (second, 1)]
    chain_verifies(published)


def test_the_threaded_writer_records_one_request_whose_connection_is_lost(published: Published) -> None:
    """The writer of SQLite (and of the tests' connection-bound databases), on PostgreSQL."""
    (person_id, _) = published.members[2]
    engine = create_db_engine(published.url)
    recorder = Recorder(ThreadWriter(Database(engine)))
    try:
        outcome = lost_while_running(
            published,
            "acknowledgement",
            lambda: anyio.run(recorder.record, [request(person_id, published)]),
        )
    finally:
        engine.dispose()
    assert isinstance(outcome[0], Receipt), outcome
    assert recorder.batches == 1
    assert recorded(published, [person_id]) == [(person_id, 1)]
    chain_verifies(published)


# --- a server under load loses its connections ---------------------------------------------------

CLIENTS = 16
MEMBERS_PER_CLIENT = 3
ME = {"query": "{ me { person { externalId } pendingDocuments { wording } acknowledgements { id } } }"}


@pytest.fixture
def server(published: Published, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """`govkit serve` with two processes on the database; its log in a file."""
    port = free_port()
    log = tmp_path / "serve.log"
    command = ["serve", "--workers", "2", "--port", str(port), "--log-level", "warning"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "govkit", *command],
            env=environment(published.url),
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        wait_healthy(process, port)
        yield port, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@dataclass
class Load:
    responses: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)  # what, status, body
    receipts: dict[str, list[str]] = field(default_factory=dict)  # by member: the receipt ids returned
    ended: list[int] = field(default_factory=list)  # connections ended by each termination

    def problems(self) -> list[tuple[str, int, dict[str, Any]]]:
        return [(what, status, body) for what, status, body in self.responses if status != 200 or body.get("errors")]


def acknowledge(published: Published) -> dict[str, Any]:
    given = f'documentVersionId: "{published.document_id}", documentSha256: "{published.sha256}"'
    return {"query": f"mutation {{ acknowledge({given}) {{ id verificationCode }} }}"}


async def post(client: httpx.AsyncClient, load: Load, what: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
    try:
        found = response.json()
    except ValueError:
        found = {"text": response.text}
    load.responses.append((what, response.status_code, found))
    return found


async def under_load(port: int, published: Published, tokens: list[list[tuple[str, str]]]) -> Load:
    """16 clients: each member reads `me`, acknowledges, acknowledges again, reads `me`; then reads
    until the end. The server's connections are ended three times, as acknowledgements go."""
    load = Load()
    total = sum(len(member_tokens) for member_tokens in tokens)
    stop = asyncio.Event()

    async def client(members: list[tuple[str, str]]) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
            for external_id, token in members:
                await post(http, load, "me", token, ME)
                for _ in range(2):
                    found = await post(http, load, "acknowledge", token, acknowledge(published))
                    receipt = (found.get("data") or {}).get("acknowledge")
                    load.receipts.setdefault(external_id, []).append(receipt and receipt["id"])
                await post(http, load, "me", token, ME)
                await asyncio.sleep(0.02)
            while not stop.is_set():
                for _, token in members:
                    await post(http, load, "me", token, ME)

    async def terminations() -> None:
        try:
            for share in (0.25, 0.5, 0.75):
                while len(load.receipts) < share * total:
                    await asyncio.sleep(0.002)
                load.ended.append(await anyio.to_thread.run_sync(terminate, published.conninfo))
            await asyncio.sleep(0.5)  # reads go on after the last one
        finally:
            stop.set()

    await asyncio.gather(terminations(), *[client(members) for members in tokens])
    return load


def test_a_server_under_load_survives_losing_its_database_connections(
    published: Published, server: tuple[int, Path]
) -> None:
    """16 clients query and acknowledge while the server's connections are ended three times: no
    5xx, no GraphQL error, each acknowledgement recorded once, the chain intact. Before that, one
    acknowledgement alone whose connection is ended while it is being recorded gets its receipt."""
    port, log = server
    engine = create_db_engine(published.url)
    db, settings = Database(engine), make_settings(published.url)
    chosen = published.members[8 : 8 + 1 + CLIENTS * MEMBERS_PER_CLIENT]
    assert len(chosen) == 1 + CLIENTS * MEMBERS_PER_CLIENT, "not enough members at the school"
    tokens = [
        (
            external_id,
            create_token(
                db=db, settings=settings, role=Role.MEMBER, school_code=SCHOOL, person_external_id=external_id
            )[0],
        )
        for _, external_id in chosen
    ]
    engine.dispose()

    alone = Load()

    async def one_acknowledgement() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
            return await post(http, alone, "acknowledge", tokens[0][1], acknowledge(published))

    found = lost_while_running(published, "acknowledgement", lambda: anyio.run(one_acknowledgement))
    assert alone.problems() == [], alone.problems()
    assert found["data"]["acknowledge"]["id"]

    started = time.monotonic()
    clients = [tokens[1 + i * MEMBERS_PER_CLIENT : 1 + (i + 1) * MEMBERS_PER_CLIENT] for i in range(CLIENTS)]
    load = anyio.run(under_load, port, published, clients)
    assert time.monotonic() - started < 20

    assert len(load.ended) == 3 and all(load.ended), load.ended  # each termination ended connections
    assert not load.problems(), load.problems()[:5]
    assert len(load.responses) > 4 * CLIENTS * MEMBERS_PER_CLIENT
    assert not [s for _, s, _ in load.responses if s >= 500]
    for external_id, ids in load.receipts.items():
        assert len(ids) == 2 and ids[0] is not None and ids[0] == ids[1], (external_id, ids)  # the same record
    person_ids = [person_id for person_id, _ in chosen]
    assert recorded(published, person_ids) == [(person_id, 1) for person_id in sorted(person_ids)]
    chain_verifies(published)
    assert "unexpected error" not in log.read_text(), log.read_text()[-3000:]
