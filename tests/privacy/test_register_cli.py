"""`govkit privacy register`: the register in Markdown or JSON, French or English, to stdout or a
file; a bad option is one line on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import govkit.models
from govkit.cli import app
from govkit.privacy.register import build
from govkit.settings import get_settings
from tests.privacy.test_register import json_columns, markdown_columns

ENV = {"GOVKIT_DATABASE_URL": "sqlite://"}  # the register reads no database


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each command reads the environment it is given (the process's settings are read once)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def expected() -> set[tuple[str, str, str]]:
    return build(govkit.models.metadata).columns()


@pytest.mark.parametrize(
    ("language", "title", "retention"), [("fr", "Registre", "5 ans"), ("en", "Register", "5 years")]
)
def test_markdown_in_each_language(language: str, title: str, retention: str) -> None:
    result = CliRunner().invoke(app, ["privacy", "register", "--language", language], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"# {title}")
    assert retention in result.stdout and "GOVKIT_RETENTION_DEPARTED_YEARS" in result.stdout
    assert markdown_columns(result.stdout) == expected()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_json_in_each_language(language: str) -> None:
    result = CliRunner().invoke(app, ["privacy", "register", "--format", "json", "--language", language], env=ENV)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["language"] == language
    assert json_columns(data) == expected()
    client = next(c for c in data["categories"] if c["id"] == "client")
    assert client["retention"]["default"] == 365
    assert "govkit.acknowledgements.privacy.erase_client_data" in client["erased_by"]


def test_written_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "register.md"
    result = CliRunner().invoke(app, ["privacy", "register", "-o", str(target), "--language", "en"], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert markdown_columns(target.read_text(encoding="utf-8")) == expected()


@pytest.mark.parametrize(
    ("args", "says"),
    [(("--format", "xml"), "--format is md or json"), (("--language", "de"), "--language is fr or en")],
)
def test_a_bad_option_is_one_line(args: tuple[str, ...], says: str) -> None:
    result = CliRunner().invoke(app, ["privacy", "register", *args], env=ENV)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], result.stderr


def test_the_retention_is_read_from_the_environment() -> None:
    env = {**ENV, "GOVKIT_RETENTION_DEPARTED_YEARS": "8"}
    result = CliRunner().invoke(app, ["privacy", "register", "--language", "en"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "then 8 years after their departure" in result.stdout
    assert "`GOVKIT_RETENTION_DEPARTED_YEARS` = 8 years, default 5" in result.stdout
