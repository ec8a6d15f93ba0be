"""The command line, run as a user runs it: one clear line on error, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit.db import create_db_engine
from tests.conftest import BACKENDS, SECRET, fresh_database_url

JWT = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")


def govkit(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVKIT_DATABASE_URL": url, "GOVKIT_SECRET_KEY": SECRET, "GOVKIT_ENV": "dev"}
    return subprocess.run(
        [sys.executable, "-m", "govkit.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _counts(url: str) -> dict[str, int]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            tables = [
                "organisation",
                "campus",
                "profile_revision",
                "commitment",
                "person",
                "person_population",
            ]
            return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_cli", tmp_path)


def test_demo_is_idempotent_and_tokens_work(url: str, tmp_path: Path) -> None:
    first = govkit("demo", "--no-serve", url=url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "10 organisations" in first.stderr
    counts = _counts(url)
    assert counts["organisation"] == 10 and counts["person"] == 8 * 300
    assert "144 published" in first.stderr
    second = govkit("demo", "--no-serve", url=url, cwd=tmp_path)
    assert second.returncode == 0 and "nothing changed" in second.stderr
    assert _counts(url) == counts

    created = govkit(
        "token",
        "create",
        "--role",
        "school_admin",
        "--school",
        "imt-bs",
        "--ttl",
        "2h",
        url=url,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1 and JWT.match(lines[0])

    member = govkit(
        "token",
        "create",
        "--role",
        "member",
        "--school",
        "imt-bs",
        "--person",
        "E00001",
        url=url,
        cwd=tmp_path,
    )
    assert member.returncode == 0 and JWT.match(member.stdout.strip())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("token", "create", "--role", "rector"), "Unknown role 'rector'"),
        (("token", "create", "--role", "intranet"), "needs a school"),
        (
            ("token", "create", "--role", "intranet", "--school", "nowhere"),
            "No organisation with code 'nowhere'",
        ),
        (("token", "create", "--role", "legal", "--ttl", "forever"), "Invalid duration"),
    ],
)
def test_errors_are_one_line(url: str, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    assert govkit("db", "upgrade", url=url, cwd=tmp_path).returncode == 0
    result = govkit(*args, url=url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = govkit("db", "upgrade", url="postgresql://nobody@127.0.0.1:1/none", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use the database")
    assert "Traceback" not in result.stderr


def test_schema_export_and_check(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    assert govkit("schema", "export", "-o", str(out), url=url, cwd=tmp_path).returncode == 0
    assert "type Query" in out.read_text(encoding="utf-8")
    assert govkit("schema", "export", "-o", str(out), "--check", url=url, cwd=tmp_path).returncode == 0
    out.write_text("type Query { stale: Int }\n", encoding="utf-8")
    stale = govkit("schema", "export", "-o", str(out), "--check", url=url, cwd=tmp_path)
    assert stale.returncode == 1 and "differs" in stale.stderr


def test_prod_without_secret_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "GOVKIT_ENV": "prod", "GOVKIT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env.pop("GOVKIT_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "govkit.cli", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "GOVKIT_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
