"""The README's examples run as written against `govkit demo`, in a directory of their own.

Every ```sh block after a ``<!-- example -->`` marker is run command by command with bash, in
the order of the README, in a new directory where `govkit demo` serves the IMT demo data. A
value the README writes as ``<name>`` is taken from the answer before it, as a reader would:
``<sha256>`` is the last SHA-256 printed, ``<id>`` the last id, ``<code>`` the verification
code, ``<version id>`` / ``<variant id>`` the id of the version / first variant printed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.system.test_serving import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"<!-- example -->\n```sh\n(.+?)\n```", README, re.S)
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(\$\(.+\))$", re.S)
PLACEHOLDER = re.compile(r"<([a-z][a-z0-9 ]*)>")


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def find(value: Any, key: str, within: str | None = None) -> Any:
    """The first ``key`` in ``value`` (document order), or under a key starting with ``within``."""
    if isinstance(value, dict):
        for name, item in value.items():
            if within is not None and name.startswith(within):
                found = find(item, key)
                if found is not None:
                    return found
            elif within is None and name == key and not isinstance(item, dict | list):
                return item
            found = find(item, key, within)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = find(item, key, within)
            if found is not None:
                return found
    return None


def fill(command: str, answers: list[Any]) -> str:
    """``command`` with each ``<name>`` replaced by the value the latest answer gives."""
    keys = {"sha256": ("documentSha256", "sha256"), "code": ("verificationCode",)}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        *scope, last = name.split()
        for answer in reversed(answers):
            for key in keys.get(last, (last,)):
                found = find(answer, key, scope[0] if scope else None)
                if found is not None:
                    return str(found)
        raise AssertionError(f"no answer before {command!r} gives <{name}>")

    return PLACEHOLDER.sub(value, command)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """`govkit demo` serving in a new directory laid out as the clone is for the README's commands
    (`.venv/bin/govkit`, `govkit/documents/templates/`)."""
    where = tmp_path_factory.mktemp("readme")
    (where / ".venv" / "bin").mkdir(parents=True)
    (where / ".venv" / "bin" / "govkit").symlink_to(Path(sys.executable).parent / "govkit")
    (where / "govkit").symlink_to(ROOT / "govkit")  # the clone's package and template sources, which examples read
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVKIT_")}
    log = (where / "demo.log").open("w")  # a file, not a pipe nobody reads while it serves
    process = subprocess.Popen(
        [sys.executable, "-m", "govkit", "demo", "--port", str(port)],
        cwd=where,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        try:
            wait_healthy(process, port, seconds=180)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{(where / 'demo.log').read_text()[-2000:]}") from None
        yield where, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        log.close()


def test_the_readme_has_examples_and_every_curl_is_in_one() -> None:
    assert len(EXAMPLES) >= 4
    tested = sum(block.count("curl ") for block in EXAMPLES)
    assert tested == README.count("curl "), "a curl example outside <!-- example --> blocks is not run"


def test_the_readme_examples_run_as_written(demo: tuple[Path, int]) -> None:
    where, port = demo
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVKIT_")}
    answers: list[Any] = []
    for block in EXAMPLES:
        for written in commands(block):
            command = fill(written, answers).replace("localhost:8000", f"127.0.0.1:{port}")
            assignment = ASSIGNMENT.match(command)
            script = f'{command}; printf %s "${assignment.group(1)}"' if assignment else command
            run = subprocess.run(
                ["bash", "-c", f"set -euo pipefail\n{script}"],
                cwd=where,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert run.returncode == 0, f"{written}\nexit {run.returncode}\n{run.stderr[-2000:]}"
            if assignment:
                assert run.stdout.strip(), f"{written} printed nothing"
                env[assignment.group(1)] = run.stdout.strip()
                continue
            if run.stdout.lstrip().startswith("{"):
                answer = json.loads(run.stdout)
                assert not answer.get("errors"), f"{written}\n{answer['errors']}"
                assert answer.get("valid", True) is True, f"{written}\n{answer}"
                answers.append(answer)

    downloaded = list(where.glob("*.docx"))
    assert downloaded, "the download example saved no .docx"
    assert downloaded[0].read_bytes()[:2] == b"PK"
    assert (where / "build" / "templates" / "internal.fr.docx").exists()
    upload = next(a for a in answers if "uploadRootTemplateVersion" in a.get("data", {}))
    assert upload["data"]["uploadRootTemplateVersion"]["valid"] is True
    published = next(a for a in answers if "publishVariant" in a.get("data", {}))
    assert published["data"]["publishVariant"]["version"] >= 2
