"""SIGTERM (systemd, container runtimes) and SIGINT (Ctrl-C) stop `govkit demo` and `govkit serve`
with every process they started: server processes, render pool workers, multiprocessing's fork
server and resource tracker. The command then ends killed by that signal (exit status -15 / -2,
143 / 130 in a shell), after an orderly stop; a second signal while it stops prints no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from govkit import migrations
from govkit.access.roles import Role
from govkit.auth.service import create_token
from govkit.db import Database, create_db_engine
from tests.conftest import make_settings
from tests.docx_factory import minimal_docx
from tests.system.test_serving import alive, environment, free_port, wait_healthy

#: How long the processes may take to go once the command is asked to stop (a few seconds, with
#: room for a loaded machine).
STOP_SECONDS = 15
UPLOAD = (
    'mutation($file: Upload!) { uploadRootTemplateVersion(kind: "internal", language: "fr", file: $file) { valid } }'
)


def uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


class Run:
    """A command in its own session, and what it leaves behind."""

    def __init__(self, command: list[str], tmp_path: Path, url: str, port: int | None) -> None:
        self.tmp_path = tmp_path
        self.port = port
        self.url = url
        self.began = uptime() - 1  # seconds since boot; /proc's start times are as precise as 10 ms
        self.process = subprocess.Popen(
            command,
            env=environment(url),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own session and process group, as under systemd
        )

    def processes(self) -> dict[int, str]:
        """Live processes of its group, and those started since it began that refer to this run
        (command line, working directory or environment): a fork server or resource tracker that
        left the group, or outlived the parent that started it, is found too."""
        found = {}
        ticks = os.sysconf("SC_CLK_TCK")
        # the port as it is written on a command line: a bare number would match any path that holds
        # its digits (another test's /tmp/pytest-of-root/pytest-119/... when run in parallel)
        marks = (str(self.tmp_path),) + ((f"--port {self.port}", f":{self.port}") if self.port is not None else ())
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or not alive(int(entry.name)):
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if int(fields[2]) == self.process.pid:  # its process group
                    found[int(entry.name)] = command
                    continue
                if int(fields[19]) / ticks < self.began:
                    continue
                cwd = os.readlink(entry / "cwd")
                env = (entry / "environ").read_bytes().decode(errors="replace")
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if any(mark in command for mark in marks) or cwd == str(self.tmp_path) or self.url in env:
                found[int(entry.name)] = command
        return found

    def render_pool_processes(self) -> list[str]:
        return [c for c in self.processes().values() if "multiprocessing.forkserver" in c]

    def stop(self, signum: int, *, group: bool = False, twice: bool = False) -> str:
        """Send ``signum`` (to the whole group: Ctrl-C in a terminal), maybe again while it stops;
        wait for the command and everything it started; return its standard error."""
        send = (lambda s: os.killpg(self.process.pid, s)) if group else self.process.send_signal
        send(signum)
        if twice:
            time.sleep(0.3)
            if self.process.poll() is None:
                send(signum)
        try:
            _, stderr = self.process.communicate(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"govkit did not stop within {STOP_SECONDS} s: {self.processes()}")
        deadline = time.monotonic() + 5
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not self.processes(), f"left behind: {self.processes()}\n{stderr}"
        return stderr

    @classmethod
    def govkit(cls, arguments: list[str], tmp_path: Path, url: str) -> Run:
        port = free_port()
        return cls([sys.executable, "-m", "govkit", *arguments, "--port", str(port)], tmp_path, url, port)

    def kill(self) -> None:
        """After a failed test: nothing of this run left running."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.communicate(timeout=30)


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        if run.process.poll() is None or run.processes():
            run.kill()


def clean(stderr: str) -> bool:
    return "Traceback" not in stderr and "Error" not in stderr and "leaked" not in stderr


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrations.upgrade(url=url)
    return url


def upload_through(run: Run, url: str, connections: int) -> None:
    """Template uploads, each validated by the render pool of the server process it reaches."""
    engine = create_db_engine(url)
    token, _ = create_token(db=Database(engine), settings=make_settings(url), role=Role.LEGAL)
    engine.dispose()
    operations = {"query": UPLOAD, "variables": {"file": None}}
    for number in range(connections):  # a connection each: `serve --workers` hands them in turn
        with httpx.Client(timeout=60) as client:
            response = client.post(
                f"http://127.0.0.1:{run.port}/graphql",
                headers={"Authorization": f"Bearer {token}"},
                files={
                    "operations": (None, json.dumps(operations), "application/json"),
                    "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
                    "0": ("t.docx", minimal_docx(body=f"Essai {number}"), "application/octet-stream"),  # new each
                },
            )
        assert response.status_code == 200 and "errors" not in response.json(), response.text


def test_demo_stops_on_sigterm_with_its_render_pool(tmp_path: Path, runs: list[Run]) -> None:
    """The demo, on a fresh database, has rendered its documents with the pool: SIGTERM to it alone
    (what a container runtime sends) stops it and the pool's processes."""
    run = Run.govkit(["demo"], tmp_path, f"sqlite:///{tmp_path / 'demo.db'}")
    runs.append(run)
    wait_healthy(run.process, run.port, seconds=180)
    assert run.render_pool_processes(), run.processes()  # a fork server and its workers

    stderr = run.stop(signal.SIGTERM)
    assert run.process.returncode == -signal.SIGTERM, stderr
    assert "Finished server process" in stderr and clean(stderr), stderr


def test_demo_stopped_while_it_renders(tmp_path: Path, runs: list[Run]) -> None:
    """SIGTERM before the server starts (Python's default action would end the process at once)."""
    run = Run.govkit(["demo"], tmp_path, f"sqlite:///{tmp_path / 'demo.db'}")
    runs.append(run)
    deadline = time.monotonic() + 120
    while not run.render_pool_processes():
        assert run.process.poll() is None and time.monotonic() < deadline, run.process.communicate()
        time.sleep(0.1)

    stderr = run.stop(signal.SIGTERM, twice=True)
    assert run.process.returncode == -signal.SIGTERM, stderr
    assert "serving on" not in stderr and clean(stderr), stderr


def test_serve_workers_stop_on_ctrl_c_twice(database: str, tmp_path: Path, runs: list[Run]) -> None:
    """Ctrl-C reaches every process of the group, a second one while they stop."""
    run = Run.govkit(["serve", "--workers", "2"], tmp_path, database)
    runs.append(run)
    wait_healthy(run.process, run.port)
    upload_through(run, database, connections=2)
    assert len(run.render_pool_processes()) >= 4, run.processes()  # two fork servers, a worker each

    stderr = run.stop(signal.SIGINT, group=True, twice=True)
    assert run.process.returncode == -signal.SIGINT, stderr
    assert clean(stderr), stderr


def test_serve_stops_on_sigterm_twice(database: str, tmp_path: Path, runs: list[Run]) -> None:
    run = Run.govkit(["serve"], tmp_path, database)
    runs.append(run)
    wait_healthy(run.process, run.port)
    upload_through(run, database, connections=1)
    assert run.render_pool_processes(), run.processes()

    stderr = run.stop(signal.SIGTERM, twice=True)
    assert run.process.returncode == -signal.SIGTERM, stderr
    assert clean(stderr), stderr


def test_serve_workers_stop_on_sigterm_to_the_parent_alone(database: str, tmp_path: Path, runs: list[Run]) -> None:
    """What a container runtime does: SIGTERM to the parent only, which stops its server processes,
    which stop their render pools."""
    run = Run.govkit(["serve", "--workers", "2"], tmp_path, database)
    runs.append(run)
    wait_healthy(run.process, run.port)
    upload_through(run, database, connections=2)
    assert len(run.render_pool_processes()) >= 4, run.processes()

    stderr = run.stop(signal.SIGTERM)
    assert run.process.returncode == -signal.SIGTERM, stderr
    assert clean(stderr), stderr


POOL_SCRIPT = """
import os, sys, time
from govkit.documents.workers import WorkerPool
pool = WorkerPool(processes=2, timeout=30, memory_mb=512)
assert pool.run(os.getpid) != os.getpid()  # in a worker
print("ready", flush=True)
time.sleep(600)
"""


def test_render_workers_follow_their_process_killed_outright(tmp_path: Path, runs: list[Run]) -> None:
    """SIGKILL allows no orderly stop: the workers see their lifeline close, the fork server and the
    resource tracker then have no one left and go too."""
    run = Run([sys.executable, "-c", POOL_SCRIPT], tmp_path, f"sqlite:///{tmp_path / 'none.db'}", port=None)
    runs.append(run)
    assert run.process.stdout is not None and run.process.stdout.readline() == "ready\n", run.process.communicate()
    assert run.render_pool_processes(), run.processes()

    stderr = run.stop(signal.SIGKILL)
    assert run.process.returncode == -signal.SIGKILL
    assert "Traceback" not in stderr, stderr
