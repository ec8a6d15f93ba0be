"""`govkit token list` and `govkit token revoke`, and a revoked token answering 401 end to end:
to a serving app (its lifespan listening for revocations on PostgreSQL), whether the token was
revoked by the command line or by legal staff's mutation."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx
import jwt
import pytest
from rich.console import Console
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.app import create_app
from govkit.auth.token_admin import TokenInfo
from govkit.cli.tokens import token_table
from govkit.db import Database, create_db_engine
from tests.auth.test_token_admin import refusal
from tests.cli.test_cli import JWT, govkit
from tests.conftest import BACKENDS, fresh_database_url, make_settings

QUERY = {"query": "{ organisations { code } }"}


def _migrated(backend: str, name: str, where: Path) -> str:
    found = fresh_database_url(backend, name, where)
    upgraded = govkit("db", "upgrade", url=found, cwd=where)
    assert upgraded.returncode == 0, upgraded.stderr
    return found


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new migrated database: the test sees its own tokens alone."""
    return _migrated(request.param, "govkit_test_cli_tokens", tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database the module's other tests share."""
    return _migrated(request.param, "govkit_test_cli_tokens_shared", tmp_path_factory.mktemp("tokens"))


def _create(url: str, cwd: Path, *args: str) -> tuple[str, int]:
    """A token made by `govkit token create`, and its id (the role grant it stands for)."""
    made = govkit("token", "create", *args, url=url, cwd=cwd)
    assert made.returncode == 0, made.stderr
    value = made.stdout.strip()
    assert JWT.match(value)
    return value, jwt.decode(value, options={"verify_signature": False})["gid"]


def _one_line_error(result: object, fragment: str) -> None:
    assert result.returncode == 1  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert fragment in stderr and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def test_token_list_and_revoke(url: str, tmp_path: Path) -> None:
    legal, legal_id = _create(url, tmp_path, "--role", "legal", "--name", "Service juridique")
    auditor, auditor_id = _create(url, tmp_path, "--role", "auditor", "--ttl", "2h")

    listed = govkit("token", "list", url=url, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert legal not in listed.stdout + listed.stderr and auditor not in listed.stdout + listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines() if line.split() and line.split()[0].isdigit()}
    assert set(rows) == {str(legal_id), str(auditor_id)}
    assert "Service juridique" in rows[str(legal_id)] and "legal" in rows[str(legal_id)]
    assert "auditor" in rows[str(auditor_id)]
    assert "2 token(s) in force" in listed.stderr

    only = govkit("token", "list", "--role", "auditor", url=url, cwd=tmp_path)
    assert "Service juridique" not in only.stdout and "auditor" in only.stdout

    revoked = govkit("token", "revoke", str(auditor_id), url=url, cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert f"revoked token {auditor_id}" in revoked.stderr and "401" in revoked.stderr
    again = govkit("token", "revoke", str(auditor_id), url=url, cwd=tmp_path)
    assert again.returncode == 0 and "already revoked" in again.stderr and "nothing changed" in again.stderr

    in_force = govkit("token", "list", url=url, cwd=tmp_path)
    assert "auditor" not in in_force.stdout and "1 token(s) in force" in in_force.stderr
    every = govkit("token", "list", "--all", url=url, cwd=tmp_path)
    assert "auditor" in every.stdout and "2 token(s)" in every.stderr

    by_name = govkit("token", "revoke", "Service juridique", url=url, cwd=tmp_path)
    assert by_name.returncode == 0 and f"revoked token {legal_id}" in by_name.stderr
    assert "no tokens in force" in govkit("token", "list", url=url, cwd=tmp_path).stderr

    engine = create_db_engine(url)
    try:
        with Database(engine).reading() as session:
            events = session.exec(
                select(AuditEvent).where(AuditEvent.action == "cli.token.revoke").order_by(col(AuditEvent.id))
            ).all()
            assert [(e.target["token"], e.detail) for e in events] == [
                (auditor_id, "revoked"),
                (auditor_id, "already revoked"),
                (legal_id, "revoked"),
            ]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("token", "revoke", "999999"), "No token with id 999999"),
        (("token", "revoke", "nobody at all"), "No token named 'nobody at all'"),
        (("token", "list", "--role", "rector"), "Unknown role 'rector'"),
        (("token", "list", "--school", "nowhere"), "No organisation with code 'nowhere'"),
    ],
)
def test_token_errors_are_one_line(shared_url: str, tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    _one_line_error(govkit(*args, url=shared_url, cwd=tmp_path), fragment)


def _serving(url: str, scenario: Callable[[httpx.AsyncClient], Awaitable[None]]) -> None:
    """Run ``scenario`` against the app as `govkit serve` builds it, its lifespan started."""
    engine = create_db_engine(url)
    app = create_app(make_settings(url), db=Database(engine))

    async def run() -> None:
        async with app.router.lifespan_context(app):
            grants = app.state.wiring.grants
            if engine.dialect.name == "postgresql":
                for _ in range(300):
                    if grants.listening:
                        break
                    await anyio.sleep(0.01)
                assert grants.listening
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:
                await scenario(client)

    try:
        anyio.run(run)
    finally:
        engine.dispose()


async def _refused_within(client: httpx.AsyncClient, token: str, seconds: float = 3.0) -> httpx.Response:
    """The first 401 answer to ``token`` (a notified revocation reaches the cache within ms)."""
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(int(seconds / 0.01)):
        response = await client.post("/graphql", json=QUERY, headers=headers)
        if response.status_code == 401:
            return response
        await anyio.sleep(0.01)
    raise AssertionError(f"the revoked token was still accepted after {seconds} s")


def test_a_revoked_token_answers_401_end_to_end(shared_url: str, tmp_path: Path) -> None:
    url = shared_url
    legal, _ = _create(url, tmp_path, "--role", "legal")
    by_cli, by_cli_id = _create(url, tmp_path, "--role", "auditor", "--name", "revoked by the CLI")
    by_mutation, by_mutation_id = _create(url, tmp_path, "--role", "auditor", "--name", "revoked by GraphQL")

    async def scenario(client: httpx.AsyncClient) -> None:
        for value in (by_cli, by_mutation, by_cli, by_mutation):  # twice: the second from the grant cache
            response = await client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {value}"})
            assert response.status_code == 200, response.text

        revoked = await anyio.to_thread.run_sync(
            lambda: govkit("token", "revoke", str(by_cli_id), url=url, cwd=tmp_path)
        )
        assert revoked.returncode == 0, revoked.stderr
        refused = await _refused_within(client, by_cli)
        assert "revoked" in refusal(refused)
        assert refused.headers["www-authenticate"].startswith("Bearer")

        mutation = {
            "query": "mutation($id: ID!) { revokeToken(id: $id) { alreadyRevoked } }",
            "variables": {"id": str(by_mutation_id)},
        }
        answer = await client.post("/graphql", json=mutation, headers={"Authorization": f"Bearer {legal}"})
        assert answer.json() == {"data": {"revokeToken": {"alreadyRevoked": False}}}
        refused = await _refused_within(client, by_mutation)
        assert "revoked" in refusal(refused)

        # the legal token was never revoked: it still works
        kept = await client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {legal}"})
        assert kept.status_code == 200

    _serving(url, scenario)


def test_the_token_table_fits_80_columns_without_cutting_identifiers() -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    tokens = [
        TokenInfo(
            1,
            "Direction des affaires juridiques et de la conformité du groupe",
            "govkit:a",
            "legal",
            None,
            None,
            now,
            "cli",
            now + timedelta(days=30),
            None,
        ),
        TokenInfo(
            12345,
            "Marie-Hélène Dupont-Aignan",
            "govkit:b",
            "member",
            "mines-saint-etienne",
            "E00001",
            now,
            "cli",
            now - timedelta(days=1),
            None,
        ),
        TokenInfo(
            7,
            "school_admin telecom-sudparis",
            "govkit:c",
            "school_admin",
            "telecom-sudparis",
            None,
            now,
            "cli",
            now + timedelta(days=30),
            now,
        ),
    ]
    console = Console(width=80, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(token_table(tokens, now))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    words = {word for line in text.splitlines() for word in line.split()}
    assert {"12345", "mines-saint-etienne", "telecom-sudparis", "school_admin", "E00001", "expired"} <= words
    assert "…" not in text
