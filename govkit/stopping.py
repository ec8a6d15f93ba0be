"""Clean stops: SIGTERM (systemd, container runtimes) and SIGINT (Ctrl-C) end a long-running
command in order, leaving no process behind.

SIGTERM's default action ends the process at once: no ``finally``, no ``atexit``, so the render
pool's workers, multiprocessing's fork server and its resource tracker (which ignore
SIGINT, and the tracker SIGTERM too) would outlive it. Under ``stops_cleanly``, either signal
raises ``Stopped`` in the main thread instead (uvicorn, while it serves, handles them itself,
finishes the requests under way, then raises the signal again, which lands here); the command
unwinds, the render pools are closed, and the process ends killed by that same signal, as
uvicorn and Python's own KeyboardInterrupt do: exit status -15 / -2 for the parent (``Popen``),
143 / 130 in a shell; systemd counts either as a clean stop. Signals arriving while it stops are
ignored: the stop is already under way, and a second Ctrl-C prints no traceback. Steps that must
not be cut in two (starting a worker process, holding a lock) run ``uninterrupted``: a signal
meanwhile raises ``Stopped`` at their end.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import NoReturn, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(BaseException):
    """A stop signal arrived. A BaseException, as KeyboardInterrupt is: ``except Exception`` lets it
    through, and it is not KeyboardInterrupt, which uvicorn and click would swallow."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Deferred:
    """The ``uninterrupted`` sections the main thread is in, and the stop signal they put off."""

    sections = 0
    signum: int | None = None


_deferred = _Deferred()


def _stop(signum: int, frame: FrameType | None) -> None:
    _ignore_signals()
    if _deferred.sections:
        _deferred.signum = signum
        return
    raise Stopped(signum)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A section ``Stopped`` does not interrupt: it is raised at its end. For steps that must not be
    left half done (starting a process, taking a lock); waiting for a result may be interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers run in the main thread only
        return
    _deferred.sections += 1
    try:
        yield
    finally:
        _deferred.sections -= 1
        if not _deferred.sections and _deferred.signum is not None:
            signum, _deferred.signum = _deferred.signum, None
            raise Stopped(signum)


def _ignore_signals() -> None:
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def stops_cleanly(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` (a command, a server's run) with SIGTERM and SIGINT raising ``Stopped``; on the
    way out, the render pools close, and after a signal the process ends killed by it."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if threading.current_thread() is not threading.main_thread():
            return function(*args, **kwargs)
        # A signal ignored from the start (``nohup``, ``cmd &`` in a script) stays ignored.
        previous = {s: signal.getsignal(s) for s in SIGNALS}
        for signum, handler in previous.items():
            if handler is not signal.SIG_IGN:
                signal.signal(signum, _stop)
        received: int | None = None
        try:
            return function(*args, **kwargs)
        except Stopped as stop:
            received = stop.signum
        except KeyboardInterrupt:  # raised by code that put Python's own SIGINT handler back
            received = signal.SIGINT
        finally:
            if received is not None:
                _ignore_signals()
                _stop_conversions()
            try:
                _close_pools()
            except Stopped as stop:  # a signal before the handlers were restored
                received = stop.signum
                _ignore_signals()
                _stop_conversions()
                _close_pools()
            if received is None:
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
        # Out of the except clause: the interrupted frames, and what they held, can go now.
        assert received is not None  # else the function returned or raised
        _end_by(received)

    return wrapper


def _close_pools() -> None:
    workers = sys.modules.get("govkit.documents.workers")  # not imported: no pool to close
    if workers is not None:
        workers.close_shared_pools()


def _stop_conversions() -> None:
    """Kill the LibreOffice runs of in-process jobs (their own process groups: no signal reaches them)."""
    conversions = sys.modules.get("govkit.documents.pdf_conversion")  # not imported: none under way
    if conversions is not None:
        conversions.stop_conversions()


def _end_by(signum: int) -> NoReturn:
    """End the process as killed by ``signum`` (its default action), once the output is out."""
    # What the interrupted frames held (the pool's queues) goes now: their finalisers tell the
    # resource tracker, which would otherwise warn of "leaked semaphore objects".
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # not reached: the default action of SIGTERM and SIGINT ends the process
