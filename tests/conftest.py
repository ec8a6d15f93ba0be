"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is found at GOVKIT_TEST_POSTGRES_URL (default: the local server on
127.0.0.1:5432, user postgres). When it cannot be reached the tests fail; they
never skip. GOVKIT_TEST_DATABASES=sqlite runs SQLite only, for a laptop
without PostgreSQL; CI never sets it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from govkit import migrations
from govkit.access.roles import Role
from govkit.app import create_app
from govkit.auth.service import create_token
from govkit.composition import render_pool
from govkit.db import Database, create_db_engine
from govkit.demo.documents import publish_all
from govkit.demo.loader import load_demo
from govkit.jobs.inprocess import InProcessQueue
from govkit.settings import Settings
from tests.oidc_issuer import issuer  # noqa: F401 - a fixture shared by the OIDC and browser tests
from tests.proof_pki import demo_pki, tsa  # noqa: F401 - the demo PKI and a real local TSA (govkit.proof)

PG_URL = os.environ.get("GOVKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/govkit_test")
BACKENDS = [b.strip() for b in os.environ.get("GOVKIT_TEST_DATABASES", "sqlite,postgresql").split(",")]
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
PERSONS_PER_SCHOOL = 40
# Publishing converts nothing to PDF/A in the tests (20 to 40 s per demo load, in every `govkit demo`
# a test runs): only the tests of the renditions (tests/documents/test_renditions*.py) turn it on.
os.environ.setdefault("GOVKIT_RENDITIONS_ON_PUBLISH", "false")


@sa.event.listens_for(Engine, "connect")
def _reverse_unordered_selects(connection: Any, _record: Any) -> None:
    """Every SQLite database the tests open returns the rows of a SELECT without ORDER BY in
    reverse: code or a test that took the order rows happen to come in for a promise (PostgreSQL
    makes none either) then fails on SQLite every time, not on PostgreSQL once in a while."""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("PRAGMA reverse_unordered_selects = ON")


#: Each test run has its own databases, so that two runs on one machine never share one.
RUN_SUFFIX = f"_{os.getpid()}"
CREATED: set[str] = set()


def pg_database_url(name: str) -> str:
    """A URL for database ``name`` (of this run) on the test PostgreSQL server, created if missing."""
    name = name + RUN_SUFFIX
    CREATED.add(name)
    base = sa.make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_db_engine(base.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required at {base.render_as_string(hide_password=True)} and could not be "
            f"reached ({str(exc.orig).strip().splitlines()[0]}). Start it, point "
            "GOVKIT_TEST_POSTGRES_URL at a server, or run SQLite only with GOVKIT_TEST_DATABASES=sqlite.",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def fresh_database_url(backend: str, name: str, tmp: Path) -> str:
    """An empty database of ``backend``: a new SQLite file, or a wiped PostgreSQL database."""
    if backend == "sqlite":
        path = tmp / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = pg_database_url(name)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_settings(url: str = "sqlite://", **overrides: Any) -> Settings:
    overrides.setdefault("renditions_on_publish", False)  # see GOVKIT_RENDITIONS_ON_PUBLISH above
    return Settings(database_url=url, secret_key=SECRET, **overrides)


def drop_run_databases() -> None:
    if not CREATED:
        return
    base = sa.make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_db_engine(base.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in CREATED:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except sa.exc.SQLAlchemyError:
        pass
    finally:
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_databases_at_the_end() -> Iterator[None]:
    yield
    drop_run_databases()


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    """One migrated database per backend, loaded with the IMT demo data."""
    tmp = tmp_path_factory.mktemp("db")
    made: dict[str, Engine] = {}
    for backend in BACKENDS:
        url = fresh_database_url(backend, "govkit_test", tmp)
        migrations.upgrade(url=url)
        engine = create_db_engine(url)
        load_demo(db=Database(engine), persons_per_school=PERSONS_PER_SCHOOL)
        settings = make_settings()
        report = publish_all(db=Database(engine), pool=render_pool(settings), max_bytes=settings.upload_max_bytes)
        assert not report.failures, report.failures
        made[backend] = engine
    yield made
    for engine in made.values():
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db(engines: dict[str, Engine], backend: str) -> Iterator[Database]:
    """The demo database in a transaction rolled back after the test."""
    connection = engines[backend].connect()
    transaction = connection.begin()
    database = Database(connection)
    try:
        yield database
    finally:
        # a resolver's worker thread may still be finishing (e.g. a sibling of a failed field): wait for it
        with database.exclusive():
            transaction.rollback()
            connection.close()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


#: Every Api made, in order: those a test made are closed when it ends (``_close_apis``).
MADE_APIS: list[Api] = []


@pytest.fixture(autouse=True)
def _close_apis() -> Iterator[None]:
    """Close the Apis made during a test (its own and its function-scoped fixtures'); those of
    wider fixtures were made before it started and stay open for the next tests."""
    known = len(MADE_APIS)
    yield
    for made in MADE_APIS[known:]:
        made.close()
    del MADE_APIS[known:]


@dataclass
class Api:
    """Calls the ASGI app through httpx, as an intranet would over HTTP."""

    db: Database
    settings: Settings
    app: Any = field(init=False)

    def __post_init__(self) -> None:
        self.app = create_app(self.settings, db=self.db)
        MADE_APIS.append(self)

    def close(self) -> None:
        """Stop the in-process job runner of the app's wiring (no lifespan runs through
        ASGITransport): a runner left behind would poll a database its test has closed."""
        jobs = self.app.state.wiring.jobs
        if isinstance(jobs, InProcessQueue):
            jobs.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:
                return await client.request(method, url, **kwargs)

        return anyio.run(go)

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.request(
            "POST", "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    def data(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> Any:
        """The data of a query that must succeed."""
        response = self.graphql(query, variables, token=token)
        body = response.json()
        assert response.status_code == 200, body
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture
def api(db: Database, settings: Settings) -> Api:
    return Api(db, settings)


TokenFactory = Callable[..., str]


@pytest.fixture
def token(db: Database, settings: Settings) -> TokenFactory:
    """token(role, school=None, person=None) → a bearer token recorded in the test database."""

    def make(role: str | Role, school: str | None = None, person: str | None = None) -> str:
        value, _ = create_token(
            db=db, settings=settings, role=Role(role), school_code=school, person_external_id=person
        )
        return value

    return make
