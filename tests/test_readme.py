"""The README stays true: CI runs its test command, and the CLI it documents exists."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from govkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_reads_the_test_command_from_the_readme() -> None:
    block = re.search(r"<!-- test-command -->\n```sh\n(.+?)\n```\n<!-- /test-command -->", README, re.S)
    assert block, "README.md must give the test command between <!-- test-command --> markers"
    assert "pytest" in block.group(1)
    assert "test-command" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_documented_commands_exist() -> None:
    root = get_command(app)
    documented = set(re.findall(r"^\| `govkit ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", README, re.M))
    assert documented
    for name in documented:
        words = name.split()
        command = root
        for word in words:
            command = command.commands[word]  # type: ignore[attr-defined]
