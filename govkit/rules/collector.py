"""The cyclic garbage collector, paused while a run builds its facts and findings.

A run over a thousand schools allocates a few hundred thousand small containers (rows,
facts, findings) that form no reference cycle and all live until the run ends. Each 700
allocations, the collector scans the young ones; every few dozen scans it scans the whole
heap, and in a process that holds much (a server, a benchmark holding its data) that took
a third of `govkit check`. Refcounting frees everything as before; only the search for
cycles waits until the block ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """The blocks running now, in every thread, and whether they disabled the collector."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.disabled = False  # by these blocks: the last one to end enables it again


_pauses = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable automatic collection inside the block (nested and concurrent blocks allowed).

    The collector runs again when the last block of any thread ends, unless it was disabled
    before the first one began: then it stays as it was found.
    """
    with _pauses.lock:
        if _pauses.holders == 0 and gc.isenabled():
            gc.disable()
            _pauses.disabled = True
        _pauses.holders += 1
    try:
        yield
    finally:
        with _pauses.lock:
            _pauses.holders -= 1
            if _pauses.holders == 0 and _pauses.disabled:
                _pauses.disabled = False
                gc.enable()
