"""`govkit serve --workers N`: N processes on one port, connections spread over them, a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from govkit import migrations
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "GOVKIT_DATABASE_URL": url, "GOVKIT_SECRET_KEY": SECRET, "GOVKIT_ENV": "dev"}


def descendants(pid: int) -> set[int]:
    """The processes started by ``pid``, and theirs (read from /proc)."""
    children: dict[int, set[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, set()).add(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrations.upgrade(url=url)
    return url


def serve(url: str, port: int, workers: int, cwd: Path) -> subprocess.Popen[str]:
    command = ["serve", "--workers", str(workers), "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(
        [sys.executable, "-m", "govkit", *command],
        env=environment(url),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the test can always clean up after it
    )


@pytest.fixture
def server(database: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    process = serve(database, port, 2, tmp_path)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # only when the test failed before stopping it
        process.communicate(timeout=30)


def wait_healthy(process: subprocess.Popen[str], port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"govkit serve exited early: {process.communicate()}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"govkit serve did not answer /healthz within {seconds} s")


def test_connections_spread_over_the_processes_which_stop_on_sigterm(
    server: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = server
    wait_healthy(process, port)
    workers = {pid for pid in descendants(process.pid) if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()}
    assert len(workers) == 2, workers

    prefixes = []
    for _ in range(32):
        with httpx.Client(timeout=10) as client:  # a new TCP connection each time
            response = client.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        prefixes.append(response.headers["x-request-id"][:8])
    # each process has its own random prefix: with 32 connections over 2 processes, both answer
    assert len(set(prefixes)) == 2, prefixes

    everything = descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("govkit serve did not stop within 30 s of SIGTERM")
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in everything) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in everything if alive(pid)], "server processes outlived their parent"
    _, stderr = process.communicate(timeout=10)
    assert "Traceback" not in stderr, stderr


def ended(process: subprocess.Popen[str], seconds: float) -> str:
    """``process``'s standard error once it ends by itself within ``seconds``; its whole group is
    killed if it does not (the caller's assertions then say what went wrong)."""
    try:
        return process.communicate(timeout=seconds)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=30)


def broken_server(command: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    """``command`` on a database each server process refuses (accepted by the settings)."""
    return subprocess.Popen(
        command,
        env=environment("mysql://nobody@127.0.0.1/none"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("workers", [2, 1])
def test_a_port_in_use_is_a_clear_error(database: str, tmp_path: Path, workers: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serve(database, port, workers, tmp_path)
        stderr = ended(process, 60)
    assert process.returncode != 0
    assert "address already in use" in stderr.lower(), stderr
    assert "Traceback" not in stderr, stderr


def test_processes_that_keep_dying_at_start_stop_the_server(tmp_path: Path) -> None:
    """A server process that cannot start (here: a database it cannot use) is restarted with a
    back-off, and after a few quick deaths in a row `govkit serve` gives up with clear lines, not for ever."""
    port = free_port()
    command = [sys.executable, "-m", "govkit", "serve", "--workers", "2", "--port", str(port), "--log-level", "error"]
    started = time.monotonic()
    process = broken_server(command, tmp_path)
    stderr = ended(process, 120)
    assert process.returncode == 1
    assert "keep exiting right after starting" in stderr, stderr
    assert "unsupported database 'mysql'" in stderr and "Traceback" not in stderr, stderr
    assert time.monotonic() - started < 90
    assert not descendants(process.pid)


SLOW_START = """
import govkit.serving as serving
serving.QUICK_DEATH_SECONDS = 0.0  # as on a machine so loaded that every start takes longer than the limit
serving.serve(host="127.0.0.1", port={port}, workers=2, log_level="error")
"""


def test_a_start_failure_counts_however_long_the_start_took(tmp_path: Path) -> None:
    """A server process that dies before it said it was serving failed to start, even when its
    start took longer than QUICK_DEATH_SECONDS (a loaded machine): the server still gives up."""
    process = broken_server([sys.executable, "-c", SLOW_START.format(port=free_port())], tmp_path)
    stderr = ended(process, 120)
    assert process.returncode != 0 and "keep exiting right after starting" in stderr, stderr
    assert not descendants(process.pid)


def test_an_unknown_log_level_is_a_clear_error(database: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "govkit", "serve", "--log-level", "loud", "--port", str(free_port())],
        env=environment(database),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Unknown log level 'loud'" in result.stderr and "Traceback" not in result.stderr, result.stderr
