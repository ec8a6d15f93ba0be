"""The README stays true: CI runs its test command, and the CLI it documents exists."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from govkit.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_reads_the_test_command_from_the_readme() -> None:
    block = re.search(r"<!-- test-command -->\n```sh\n(.+?)\n```\n<!-- /test-command -->", README, re.S)
    assert block, "README.md must give the test command between <!-- test-command --> markers"
    assert block.group(1).strip() == "scripts/test"
    ci = "\n".join(
        line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    assert "test-command" in ci
    assert "apt-get" not in ci and "npm" not in ci, ".ci/run must set up nothing the README's command does not"


def test_the_test_command_sets_up_what_the_tests_need_and_the_readme_lists_it() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert (ROOT / "scripts" / "test").stat().st_mode & 0o111, "scripts/test must be executable"
    for step in (
        "ruff check",
        "ruff format --check",
        ".venv/bin/mypy",
        "pytest",
        "npm ci --prefix tests/browser",
        "pip install",
    ):
        assert step in script, step
    installed = set(re.findall(r"missing\+=\(([^)]+)\)", script))
    installed = {name for group in installed for name in group.split()} | set(
        re.findall(r"apt_install ([a-z][\w-]*)", script)
    )
    section = README[README.index("`scripts/test` sets up") : README.index("The PostgreSQL tests use")]
    listed = set(re.findall(r"`([a-z][a-z0-9-]+)`", section.split("installed with")[0]))
    assert installed == listed, (installed, listed)


def test_documented_commands_exist() -> None:
    root = get_command(app)
    documented = set(re.findall(r"^\| `govkit ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", README, re.M))
    assert documented
    for name in documented:
        words = name.split()
        command = root
        for word in words:
            command = command.commands[word]  # type: ignore[attr-defined]


def test_every_command_is_documented() -> None:
    """The command line table names every command of the app (read from the app itself)."""

    def leaves(group: object, prefix: tuple[str, ...] = ()) -> list[str]:
        found = []
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            if hasattr(command, "commands"):
                found += leaves(command, (*prefix, name))
            else:
                found.append(" ".join((*prefix, name)))
        return found

    table = README[README.index("## Command line") : README.index("## Settings")]
    missing = [name for name in leaves(get_command(app)) if f"`govkit {name}" not in table]
    assert not missing, f"commands missing from the README's command line table: {missing}"
