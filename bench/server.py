"""Serve govkit (`govkit serve`) or an ASGI app (uvicorn) in its own process, for the HTTP benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bench.common import ROOT

#: `govkit serve`, as ``serving``'s app.
GOVKIT = "govkit serve"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(
    app: str, *, env: dict[str, str] | None = None, workers: int = 1, factory: bool = False
) -> Iterator[tuple[str, int]]:
    """Run ``app`` on a free port until the block ends; yields (host, port). ``app`` is GOVKIT
    (`govkit serve`, as production runs it) or an ASGI app for ``uvicorn``."""
    port = free_port()
    where = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    if app == GOVKIT:
        command = [sys.executable, "-m", "govkit", "serve", *where]
    else:
        command = [sys.executable, "-m", "uvicorn", app, *where, "--no-access-log"]
        if factory:
            command.append("--factory")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with code {process.returncode} before serving")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not answer on port {port} within 60 s")
            time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
