"""Role grants kept between requests (GrantCache), forgotten when a revocation commits (GrantListener).

The listener tests run on a PostgreSQL database of their own (LISTEN/NOTIFY needs committed
transactions, which the shared test database, rolled back after each test, never sees).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import httpx
import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.access.roles import Principal, Role
from govkit.app import create_app
from govkit.auth import grants as grants_module
from govkit.auth.grants import CHANNEL, GrantCache, GrantListener, notify_revoked
from govkit.auth.service import (
    authenticate,
    authenticate_many,
    cached_principal,
    create_token,
    live_grants,
    revoke_grant,
)
from govkit.auth.tokens import InvalidToken
from govkit.composition import grant_listener
from govkit.db import Database, create_db_engine
from govkit.settings import Settings
from tests.conftest import BACKENDS, fresh_database_url, make_settings

LISTENER_THREAD = "govkit-grant-listener"


def row(grant_id: int, **values: Any) -> SimpleNamespace:
    return SimpleNamespace(id=grant_id, **values)


def listening_cache(ttl: float = 60.0) -> GrantCache:
    cache = GrantCache(ttl=ttl)
    cache.listen(True)
    return cache


# --- GrantCache alone ----------------------------------------------------------------------------


def test_the_cache_serves_nothing_while_not_listening() -> None:
    cache = GrantCache(ttl=60)
    assert not cache.listening
    cache.keep([row(1)], cache.epoch())
    assert cache.get(1) is None  # not kept at all
    cache.listen(True)
    cache.keep([row(1)], cache.epoch())
    assert cache.get(1) is not None
    cache.listen(False)  # the listener lost its connection
    assert cache.get(1) is None
    cache.listen(True)  # listening again: it starts empty, whatever it held before
    assert cache.get(1) is None


def test_kept_rows_are_served_by_id() -> None:
    cache = listening_cache()
    first, second = row(1, role="legal"), row(2, role="auditor")
    cache.keep([first, second], cache.epoch())
    assert cache.get(1) is first
    assert cache.get(2) is second
    assert cache.get(3) is None
    assert (cache.hits, cache.misses) == (2, 1)


def test_a_read_that_saw_a_forgetting_is_not_kept() -> None:
    cache = listening_cache()
    epoch = cache.epoch()
    cache.forget(7)  # a revocation arrived while the grants were read: the read may predate it
    cache.keep([row(7), row(8)], epoch)
    assert cache.get(7) is None
    assert cache.get(8) is None
    cache.keep([row(7), row(8)], cache.epoch())  # read again afterwards: kept
    assert cache.get(7) is not None and cache.get(8) is not None


def test_a_read_that_saw_the_listener_restart_is_not_kept() -> None:
    cache = listening_cache()
    epoch = cache.epoch()
    cache.listen(False)
    cache.listen(True)
    cache.keep([row(1)], epoch)
    assert cache.get(1) is None


def test_forget_one_grant_or_every_grant() -> None:
    cache = listening_cache()
    cache.keep([row(1), row(2), row(3)], cache.epoch())
    cache.forget(2)
    assert cache.get(2) is None
    assert cache.get(1) is not None and cache.get(3) is not None
    cache.forget(99)  # unknown: nothing else forgotten
    assert cache.get(1) is not None
    cache.forget()
    assert [cache.get(i) for i in (1, 2, 3)] == [None, None, None]


def test_entries_are_read_again_after_the_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(grants_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    cache = listening_cache(ttl=30)
    cache.keep([row(1)], cache.epoch())
    now[0] += 29.9
    assert cache.get(1) is not None
    cache.keep([row(2)], cache.epoch())  # kept later: its own clock
    now[0] += 0.2
    assert cache.get(1) is None
    assert cache.get(2) is not None
    now[0] += 30
    assert cache.get(2) is None


def test_a_full_cache_starts_again_rather_than_growing() -> None:
    cache = GrantCache(ttl=60, maxsize=3)
    cache.listen(True)
    cache.keep([row(i) for i in range(4)], cache.epoch())
    cache.keep([row(10)], cache.epoch())
    assert cache.get(10) is not None
    assert all(cache.get(i) is None for i in range(4))


def test_notify_revoked_does_nothing_on_sqlite(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as connection:
        notify_revoked(connection, 5)  # no pg_notify there: nothing is executed
    engine.dispose()


# --- which applications listen -------------------------------------------------------------------


def test_an_app_on_sqlite_starts_no_listener(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrations.upgrade(url=url)
    settings = make_settings(url)
    engine = create_db_engine(url)
    assert grant_listener(Database(engine), settings, GrantCache(ttl=60)) is None
    app = create_app(settings)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            assert LISTENER_THREAD not in {t.name for t in threading.enumerate()}
            assert not app.state.wiring.grants.listening

    anyio.run(run)
    engine.dispose()


def test_only_a_postgresql_engine_with_a_cache_gets_a_listener(pg_url: str) -> None:
    engine = create_db_engine(pg_url)
    cache = GrantCache(ttl=60)
    listener = grant_listener(Database(engine), make_settings(), cache)
    assert isinstance(listener, GrantListener)
    assert sa.make_url(listener.conninfo).drivername == "postgresql"  # psycopg's own conninfo
    assert listener.cache is cache
    assert listener.fill is not None  # it fills the cache with every live grant
    assert cache.fill_limit == cache.maxsize // 2  # leaving room for the grants requests read
    assert grant_listener(Database(engine), make_settings(grant_cache_seconds=0), cache) is None
    with engine.connect() as connection:  # tests bind to a connection: every request reads its grant
        assert grant_listener(Database(connection), make_settings(), cache) is None
    engine.dispose()


# --- a listener on a PostgreSQL database of its own ----------------------------------------------


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if "postgresql" not in BACKENDS:
        pytest.fail("PostgreSQL is needed for the listener tests (GOVKIT_TEST_DATABASES excludes it)")
    url = fresh_database_url("postgresql", "govkit_test_grants", tmp_path_factory.mktemp("grants"))
    migrations.upgrade(url=url)
    return url


@pytest.fixture
def two_processes(pg_url: str) -> Iterator[tuple[Database, Database]]:
    """Two engines on the database: the server process's, and another process's (which revokes)."""
    server, other = create_db_engine(pg_url), create_db_engine(pg_url)
    yield Database(server), Database(other)
    server.dispose()
    other.dispose()


def conninfo(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def wait_for(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def start_listener(pg_url: str, cache: GrantCache, **kwargs: Any) -> GrantListener:
    """A listener on the test database, once it listens."""
    started = GrantListener(cache, conninfo(pg_url), retry_seconds=0.1, **kwargs)
    started.start()
    assert wait_for(lambda: cache.listening), "the listener did not start listening"
    return started


@pytest.fixture
def listener(pg_url: str) -> Iterator[GrantListener]:
    started = start_listener(pg_url, GrantCache(ttl=60))
    yield started
    started.stop()


def test_a_revocation_committed_elsewhere_reaches_the_cache(
    listener: GrantListener, two_processes: tuple[Database, Database]
) -> None:
    server, other = two_processes
    settings = make_settings()
    cache = listener.cache
    token, grant = create_token(db=server, settings=settings, role=Role.AUDITOR)
    kept_token, kept_grant = create_token(db=server, settings=settings, role=Role.LEGAL)

    found = authenticate_many(db=server, settings=settings, tokens=[token, kept_token], grants=cache)
    assert [type(p) for p in found] == [Principal, Principal]
    assert cache.get(grant.id) is not None  # type: ignore[arg-type]
    known = cached_principal(settings=settings, grants=cache, token=token)
    assert known is not None and known.role is Role.AUDITOR and known.grant_id == grant.id

    revoke_grant(db=other, grant_id=grant.id)  # type: ignore[arg-type]
    assert wait_for(lambda: cache.get(grant.id) is None), "the revocation did not reach the cache within 3 s"  # type: ignore[arg-type]
    assert cache.get(kept_grant.id) is not None  # type: ignore[arg-type]  # only that grant is forgotten
    assert cached_principal(settings=settings, grants=cache, token=token) is None  # the database must be read

    (refused,) = authenticate_many(db=server, settings=settings, tokens=[token], grants=cache)
    assert isinstance(refused, InvalidToken) and "revoked" in str(refused)
    with pytest.raises(InvalidToken, match="revoked"):
        authenticate(db=server, settings=settings, token=token)
    # the revoked row read since is kept: the cache itself refuses the token now
    with pytest.raises(InvalidToken, match="revoked"):
        cached_principal(settings=settings, grants=cache, token=token)
    assert cached_principal(settings=settings, grants=cache, token=kept_token) is not None


def test_a_rolled_back_revocation_notifies_nobody(
    listener: GrantListener, two_processes: tuple[Database, Database]
) -> None:
    server, other = two_processes
    settings = make_settings()
    token, grant = create_token(db=server, settings=settings, role=Role.AUDITOR)
    authenticate_many(db=server, settings=settings, tokens=[token], grants=listener.cache)
    epoch = listener.cache.epoch()
    with other.bind.connect() as connection:  # type: ignore[union-attr]
        transaction = connection.begin()
        notify_revoked(connection, grant.id)  # type: ignore[arg-type]
        transaction.rollback()
    time.sleep(0.7)  # longer than the listener's wait between polls
    assert listener.cache.epoch() == epoch
    assert cached_principal(settings=settings, grants=listener.cache, token=token) is not None


def test_a_notification_the_cache_does_not_understand_forgets_every_grant(
    listener: GrantListener, two_processes: tuple[Database, Database]
) -> None:
    server, other = two_processes
    settings = make_settings()
    token, _ = create_token(db=server, settings=settings, role=Role.AUDITOR)
    authenticate_many(db=server, settings=settings, tokens=[token], grants=listener.cache)
    assert cached_principal(settings=settings, grants=listener.cache, token=token) is not None
    with other.bind.begin() as connection:  # type: ignore[union-attr]
        connection.execute(sa.text("SELECT pg_notify(:c, 'not-a-grant-id')"), {"c": CHANNEL})
    assert wait_for(lambda: cached_principal(settings=settings, grants=listener.cache, token=token) is None)


def test_a_lost_listener_connection_empties_the_cache_until_it_listens_again(
    listener: GrantListener, two_processes: tuple[Database, Database]
) -> None:
    server, other = two_processes
    settings = make_settings()
    cache = listener.cache
    token, grant = create_token(db=server, settings=settings, role=Role.AUDITOR)
    authenticate_many(db=server, settings=settings, tokens=[token], grants=cache)
    assert cache.get(grant.id) is not None  # type: ignore[arg-type]
    epoch = cache.epoch()
    with other.bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:  # type: ignore[union-attr]
        killed = connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query = :listen AND pid <> pg_backend_pid()"
            ),
            {"listen": f"LISTEN {CHANNEL}"},
        ).all()
    assert killed == [(True,)]
    assert wait_for(lambda: cache.epoch() >= epoch + 2 and cache.listening), "the listener did not come back"
    assert cache.get(grant.id) is None  # what it held before the loss is not trusted
    # and it works again: a revocation committed now still reaches it
    authenticate_many(db=server, settings=settings, tokens=[token], grants=cache)
    assert cache.get(grant.id) is not None  # type: ignore[arg-type]
    revoke_grant(db=other, grant_id=grant.id)  # type: ignore[arg-type]
    assert wait_for(lambda: cache.get(grant.id) is None)  # type: ignore[arg-type]


def test_stopping_the_listener_empties_the_cache(
    listener: GrantListener, two_processes: tuple[Database, Database]
) -> None:
    server, _ = two_processes
    settings = make_settings()
    token, grant = create_token(db=server, settings=settings, role=Role.AUDITOR)
    authenticate_many(db=server, settings=settings, tokens=[token], grants=listener.cache)
    assert cached_principal(settings=settings, grants=listener.cache, token=token) is not None
    listener.stop()
    assert not listener.cache.listening
    assert listener.cache.get(grant.id) is None  # type: ignore[arg-type]
    assert cached_principal(settings=settings, grants=listener.cache, token=token) is None
    assert not any(t.name == LISTENER_THREAD and t.is_alive() for t in threading.enumerate())
    # without the listener, every authentication reads its grant, and nothing is kept
    assert isinstance(
        authenticate_many(db=server, settings=settings, tokens=[token], grants=listener.cache)[0], Principal
    )
    assert listener.cache.get(grant.id) is None  # type: ignore[arg-type]


def test_a_serving_app_refuses_a_token_once_another_process_revokes_it(
    pg_url: str, two_processes: tuple[Database, Database]
) -> None:
    """The app as `govkit serve` builds it: its lifespan starts the listener, requests use the cache."""
    server, other = two_processes
    settings: Settings = make_settings(pg_url)
    token, grant = create_token(db=server, settings=settings, role=Role.AUDITOR)
    app = create_app(settings, db=server)
    query = {"query": "{ organisations { code } }"}
    headers = {"Authorization": f"Bearer {token}"}

    async def run() -> None:
        async with app.router.lifespan_context(app):
            grants = app.state.wiring.grants
            for _ in range(300):
                if grants.listening:
                    break
                await anyio.sleep(0.01)
            assert grants.listening
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:
                assert (await client.post("/graphql", json=query, headers=headers)).status_code == 200
                assert grants.get(grant.id) is not None  # kept by the first request
                hits = grants.hits
                assert (await client.post("/graphql", json=query, headers=headers)).status_code == 200
                assert grants.hits > hits  # the second request was served from the cache

                await anyio.to_thread.run_sync(lambda: revoke_grant(db=other, grant_id=grant.id))  # type: ignore[arg-type]
                refused = None
                for _ in range(300):
                    response = await client.post("/graphql", json=query, headers=headers)
                    if response.status_code == 401:
                        refused = response
                        break
                    await anyio.sleep(0.01)
                assert refused is not None, "the revoked token was still accepted after 3 s"
                assert "revoked" in refused.json()["errors"][0]["message"]
                assert refused.headers["www-authenticate"].startswith("Bearer")
        assert not app.state.wiring.grants.listening  # the lifespan's end stopped the listener

    anyio.run(run)


# --- a listener that fills the cache with every live grant ---------------------------------------


class KeepWatcher(GrantCache):
    """A cache that notes, after each keep, whether it then held ``watched``."""

    watched: int | None = None

    def __init__(self, *, ttl: float) -> None:
        super().__init__(ttl=ttl)
        self.held_after_keep: list[bool] = []

    def keep(self, rows: Any, epoch: int) -> None:
        super().keep(rows, epoch)
        if self.watched is not None:
            self.held_after_keep.append(self.get(self.watched) is not None)


def filling_listener(pg_url: str, db: Database, cache: GrantCache, **kwargs: Any) -> GrantListener:
    fill = kwargs.pop("fill", None) or (lambda: live_grants(db=db, limit=cache.fill_limit))
    started = start_listener(pg_url, cache, fill=fill, **kwargs)
    assert wait_for(lambda: started.fills >= 1), "the listener did not fill the cache"
    return started


def test_a_filling_listener_holds_every_live_grant_before_any_request(
    pg_url: str, two_processes: tuple[Database, Database]
) -> None:
    server, other = two_processes
    settings = make_settings()
    live_token, live = create_token(db=other, settings=settings, role=Role.AUDITOR)
    revoked_token, revoked = create_token(db=other, settings=settings, role=Role.LEGAL)
    revoke_grant(db=other, grant_id=revoked.id)  # type: ignore[arg-type]
    _, expired = create_token(db=other, settings=settings, role=Role.LEGAL)
    with other.bind.begin() as connection:  # type: ignore[union-attr]
        connection.execute(
            sa.text("UPDATE role_grant SET expires_at = now() - interval '1 day' WHERE id = :id"), {"id": expired.id}
        )
    cache = GrantCache(ttl=60)
    listener = filling_listener(pg_url, server, cache)
    try:
        misses = cache.misses
        known = cached_principal(settings=settings, grants=cache, token=live_token)
        assert known is not None and known.grant_id == live.id and cache.misses == misses
        assert cache.get(revoked.id) is None and cache.get(expired.id) is None  # type: ignore[arg-type]
        # what the fill left out is read as before, and refused as before
        (refused,) = authenticate_many(db=server, settings=settings, tokens=[revoked_token], grants=cache)
        assert isinstance(refused, InvalidToken) and "revoked" in str(refused)
    finally:
        listener.stop()


def test_a_revocation_committed_during_a_fill_is_never_served(
    pg_url: str, two_processes: tuple[Database, Database]
) -> None:
    """The fill read the grant live, then another process revoked it before the rows were kept:
    the notification is handled first, so the stale row is never kept, not even for an instant."""
    server, other = two_processes
    settings = make_settings()
    token, grant = create_token(db=other, settings=settings, role=Role.AUDITOR)
    cache = KeepWatcher(ttl=60)
    cache.watched = grant.id

    def fill_then_revoke() -> list[Any]:
        rows = live_grants(db=server, limit=cache.fill_limit)
        assert any(r.id == grant.id for r in rows)  # read while live
        revoke_grant(db=other, grant_id=grant.id)  # type: ignore[arg-type]
        time.sleep(0.3)  # the notification reaches the listener's connection
        return rows

    listener = filling_listener(pg_url, server, cache, fill=fill_then_revoke)
    try:
        assert cache.held_after_keep == [False]
        assert cached_principal(settings=settings, grants=cache, token=token) is None
        with pytest.raises(InvalidToken, match="revoked"):
            authenticate(db=server, settings=settings, token=token)
    finally:
        listener.stop()


def test_the_listener_fills_again_before_entries_age_out(pg_url: str, two_processes: tuple[Database, Database]) -> None:
    server, other = two_processes
    settings = make_settings()
    cache = GrantCache(ttl=0.5)
    listener = filling_listener(pg_url, server, cache)
    try:
        token, grant = create_token(db=other, settings=settings, role=Role.AUDITOR)  # after the first fill
        assert wait_for(lambda: cache.get(grant.id) is not None)  # type: ignore[arg-type]  # the next fill has it
        time.sleep(1.2)  # more than twice the ttl: entries would have aged out without the fills
        assert cached_principal(settings=settings, grants=cache, token=token) is not None
        assert listener.fills >= 3
    finally:
        listener.stop()


def test_a_failing_fill_leaves_the_cache_filling_as_requests_come(
    pg_url: str, two_processes: tuple[Database, Database]
) -> None:
    server, _ = two_processes
    settings = make_settings()
    token, grant = create_token(db=server, settings=settings, role=Role.AUDITOR)

    def broken() -> list[Any]:
        raise sa.exc.OperationalError("SELECT", {}, Exception("the database went away"))

    cache = GrantCache(ttl=60)
    listener = start_listener(pg_url, cache, fill=broken)
    try:
        time.sleep(0.2)
        assert listener.fills == 0 and cache.get(grant.id) is None  # type: ignore[arg-type]
        authenticate_many(db=server, settings=settings, tokens=[token], grants=cache)
        assert cached_principal(settings=settings, grants=cache, token=token) is not None
    finally:
        listener.stop()
