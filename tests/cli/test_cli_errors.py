"""Every command fails in one line on stderr with exit status 1: usage errors (unknown options,
missing or invalid values, unknown commands), files that cannot be read or written, and the
unexpected (its traceback only with GOVKIT_DEBUG)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from govkit.cli import app
from govkit.cli.errors import describe_os_error, friendly
from tests.conftest import SECRET

BOX = set("╭╮╰╯│─┌┐└┘")


def command_paths(group: Any = None, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and group of the app, as the words that call it (read from the app itself)."""
    group = group if group is not None else get_command(app)
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from command_paths(command, (*prefix, name))


COMMANDS = list(command_paths())


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it."""
    environment = {
        **os.environ,
        "GOVKIT_DATABASE_URL": f"sqlite:///{cwd / 'unused.db'}",
        "GOVKIT_SECRET_KEY": SECRET,
        "GOVKIT_ENV": "dev",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "govkit.cli", *args],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line(stdout: str, stderr: str, code: int, *fragments: str) -> None:
    assert code == 1, (code, stderr)
    assert stdout == "", stdout
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr and "Errno" not in stderr and not BOX & set(stderr), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, stderr)


def test_the_commands_are_read_from_the_app() -> None:
    assert {("demo",), ("token", "create"), ("token", "list"), ("token", "revoke"), ("check",)} <= set(COMMANDS)
    assert ("token",) in COMMANDS  # groups too


def test_every_command_turns_its_failures_into_one_line() -> None:
    """Each command's function is wrapped by ``friendly`` (outermost, so nothing escapes it)."""
    root = get_command(app)
    for path in COMMANDS:
        command = root
        for word in path:
            command = command.commands[word]  # type: ignore[attr-defined]
        if not hasattr(command, "commands"):
            assert getattr(command.callback, "friendly", False), f"govkit {' '.join(path)} is not @friendly"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_refuses_an_unknown_option_in_one_line(path: tuple[str, ...], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*path, "--no-such-option"], env={"GOVKIT_DATABASE_URL": "sqlite://"})
    assert_one_line(result.stdout, result.stderr, result.exit_code, "No such option: --no-such-option", " ".join(path))


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("serve", "--bogus"), ("No such option: --bogus", "govkit serve --help")),
        (("serve", "--port", "eighty"), ("Invalid value for '--port'",)),
        (("serve", "--workers", "0"), ("Invalid value for '--workers'",)),
        (("check", "--school"), ("Option '--school' requires an argument",)),
        (("token", "create"), ("Missing option '--role'",)),
        (("import-persons",), ("Missing argument 'file'",)),
        (("token", "revoke"), ("Missing argument 'token'",)),
        (("nope",), ("No such command 'nope'",)),
        (("token", "nope"), ("No such command 'nope'",)),
    ],
)
def test_usage_errors_are_one_line_with_exit_status_1(
    args: tuple[str, ...], fragments: tuple[str, ...], tmp_path: Path
) -> None:
    result = run(*args, cwd=tmp_path)
    assert_one_line(result.stdout, result.stderr, result.returncode, *fragments)


def test_no_arguments_print_the_help(tmp_path: Path) -> None:
    for args in ((), ("token",)):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 0 and "Usage: govkit" in result.stdout and result.stderr == ""


def test_files_that_cannot_be_used_are_named_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    result = run("import-persons", str(missing), "--school", "imt-bs", cwd=tmp_path)
    assert_one_line(result.stdout, result.stderr, result.returncode, f"No such file or folder: {missing}")

    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run("schema", "export", "-o", str(folder), cwd=tmp_path)
    assert_one_line(result.stdout, result.stderr, result.returncode, f"{folder} is a folder, not a file")

    nowhere = tmp_path / "no" / "such" / "schema.graphql"
    result = run("schema", "export", "-o", str(nowhere), cwd=tmp_path)
    assert_one_line(result.stdout, result.stderr, result.returncode, f"No such file or folder: {nowhere}")

    result = run("templates", "upload", str(tmp_path / "gone.docx"), "--kind", "internal", "--lang", "fr", cwd=tmp_path)
    assert_one_line(
        result.stdout, result.stderr, result.returncode, f"No such file or folder: {tmp_path / 'gone.docx'}"
    )


def _raised(action: Any) -> OSError:
    try:
        action()
    except OSError as exc:
        return exc
    raise AssertionError("no OSError")


def test_operating_system_errors_become_sentences(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    cases = {
        lambda: open(tmp_path / "nothing"): f"No such file or folder: {tmp_path / 'nothing'}",  # noqa: SIM115
        lambda: open(tmp_path): f"{tmp_path} is a folder, not a file",  # noqa: SIM115
        lambda: os.mkdir(tmp_path / "file"): f"{tmp_path / 'file'} already exists",
        lambda: os.listdir(tmp_path / "file"): f"{tmp_path / 'file'}: part of this path is not a folder",
        lambda: os.rename(tmp_path / "absent", tmp_path / "b"): f"{tmp_path / 'absent'} → {tmp_path / 'b'}",
    }
    for action, sentence in cases.items():
        text = describe_os_error(_raised(action))
        assert sentence in text and "Errno" not in text
    assert describe_os_error(OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))) == "Address already in use"


def _failing_app() -> typer.Typer:
    """An app whose one command fails in a way govkit does not expect."""
    broken = typer.Typer()

    @broken.command()
    @friendly
    def explode() -> None:
        raise KeyError("surprise")

    return broken


def test_the_unexpected_is_one_line_unless_govkit_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVKIT_DEBUG", raising=False)
    result = CliRunner().invoke(_failing_app(), [])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: internal error (KeyError: 'surprise'); run with GOVKIT_DEBUG=1 for the details"
    ]
    monkeypatch.setenv("GOVKIT_DEBUG", "1")
    result = CliRunner().invoke(_failing_app(), [])
    assert isinstance(result.exception, KeyError)  # the traceback is the user's to read
