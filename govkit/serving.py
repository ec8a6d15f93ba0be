"""`govkit serve`: uvicorn processes on one port, each with its own socket (SO_REUSEPORT).

With one listening socket shared by several processes (uvicorn's ``--workers``), whichever
process wakes first accepts a whole burst of connections: in the rentrée benchmark all 16
keep-alive connections went to one process of two, and the other one idled. With a socket per
process and SO_REUSEPORT, the kernel spreads new connections across the processes. Where the
option does not exist, uvicorn's own workers serve.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from types import FrameType

from govkit.errors import GovkitError

APP = "govkit.app:serving_app"
#: A server process exiting this soon after its start counts as failing to start; after so many
#: in a row, `govkit serve` stops rather than restart them for ever.
QUICK_DEATH_SECONDS = 10.0
MAX_QUICK_DEATHS = 3
log = logging.getLogger("govkit")


def serve(*, host: str, port: int, workers: int = 1, log_level: str = "info", access_log: bool = False) -> None:
    """Serve the API until interrupted (SIGINT, SIGTERM); ``workers`` processes."""
    import uvicorn

    if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(
            APP, factory=True, host=host, port=port, workers=workers, log_level=log_level, access_log=access_log
        )
        return
    _check_free(host, port)
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start(index: int) -> multiprocessing.process.BaseProcess:
        process = context.Process(
            target=_worker, args=(host, port, log_level, access_log), name=f"govkit-serve-{index}", daemon=False
        )
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(i) for i in range(workers)]
    started = [time.monotonic()] * workers
    failures = 0  # server processes in a row that died soon after starting
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                failures = failures + 1 if time.monotonic() - started[index] < QUICK_DEATH_SECONDS else 1
                if failures > MAX_QUICK_DEATHS:
                    raise GovkitError(
                        f"server processes keep exiting right after starting (the last with code {process.exitcode}):"
                        " see the errors above"
                    )
                log.warning("server process %s exited with code %s: starting another", index, process.exitcode)
                time.sleep(0.5 * failures)  # back off while they keep failing
                processes[index], started[index] = start(index), time.monotonic()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests under way
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _check_free(host: str, port: int) -> None:
    """Raise OSError (address in use) unless nothing listens on the port, ours included."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(host: str, port: int, log_level: str, access_log: bool) -> None:
    """One server process: its own socket on the shared port, the app built from GOVKIT_*."""
    import uvicorn

    try:
        sock = _listening_socket(host, port)
        config = uvicorn.Config(APP, factory=True, log_level=log_level, access_log=access_log)
        uvicorn.Server(config).run(sockets=[sock])
    except Exception as exc:  # one line, as every govkit command fails; the parent decides what next
        if os.environ.get("GOVKIT_DEBUG"):
            raise
        print(f"server process {os.getpid()} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(3)
