"""Worker processes for untrusted template work, with a time and a memory limit.

The workers are forked by multiprocessing's fork server, not by the process that uses them, and
each holds its own end of the queue it reads jobs from: the death of the pool's process closes
nothing they wait on. So each worker also reads a lifeline, a pipe whose only write end the
pool's process holds, and exits when it closes: however that process ends (an orderly stop,
SIGKILL), its workers follow, then the fork server (which stops once no process holds its
"alive" pipe), then multiprocessing's resource tracker (once no process holds its pipe).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, TimeoutError, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from govkit.documents.render import RenderError
from govkit.stopping import uninterrupted

T = TypeVar("T")

#: Results the pool keeps (see ``WorkerPool.cached``): compiled root template versions, a few dozen kB each.
CACHE_SIZE = 64
#: How long ``WorkerPool.close`` lets a job under way finish before its worker is killed.
CLOSE_GRACE_SECONDS = 2.0


class RenderTimeout(RenderError):
    pass


def _start_worker(megabytes: int, lifeline: Connection) -> None:
    """A worker's start: it follows its pool's process, ignores Ctrl-C, and has a memory limit."""
    # Ctrl-C reaches the whole process group: the pool's process stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(lifeline,), name="lifeline", daemon=True).start()
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _exit_with(lifeline: Connection) -> None:
    """Wait until the pool's process closes the lifeline (or dies), then end this worker."""
    with contextlib.suppress(EOFError, OSError):
        while True:
            lifeline.recv_bytes()
    os._exit(0)


class WorkerPool:
    """A process pool that kills and replaces its workers when a job overruns."""

    def __init__(self, *, processes: int, timeout: float, memory_mb: int) -> None:
        self.processes = processes
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._executor: ProcessPoolExecutor | None = None
        self._lifeline: Connection | None = None  # the write end; the workers read the other
        self._lock = threading.Lock()
        self._results: OrderedDict[str, Any] = OrderedDict()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Not interrupted by a stop signal: the lock taken is always released, a worker started
        # is always one the executor knows of (and stops).
        with uninterrupted(), self._lock:
            yield

    def _pool(self) -> ProcessPoolExecutor:
        with self._locked():
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["govkit.documents.jobs"])
                reader, self._lifeline = context.Pipe(duplex=False)
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(self.memory_mb, reader),
                )
            return self._executor

    def _detach(self) -> tuple[ProcessPoolExecutor | None, Connection | None]:
        with self._locked():
            executor, self._executor = self._executor, None
            lifeline, self._lifeline = self._lifeline, None
        return executor, lifeline

    def _reset(self) -> None:
        with uninterrupted():
            executor, lifeline = self._detach()
            if executor is not None:
                _kill_workers(executor)
                executor.shutdown(wait=False, cancel_futures=True)
            if lifeline is not None:
                lifeline.close()

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run one job; RenderTimeout after the time limit, RenderError if a worker dies."""
        if self.processes == 0:
            return function(*args)
        with uninterrupted():  # submitting may start a worker
            future = self._pool().submit(function, *args)
        return self._result(future, self.timeout)

    def map(self, function: Callable[..., T], jobs: Iterable[tuple[Any, ...]]) -> Iterator[T]:
        """Run many jobs; results in completion order. The limit applies to the whole batch per job."""
        jobs = list(jobs)
        if self.processes == 0:
            for args in jobs:
                yield function(*args)
            return
        with uninterrupted():  # submitting may start workers
            pool = self._pool()
            futures = [pool.submit(function, *args) for args in jobs]
        try:
            for future in as_completed(futures, timeout=self.timeout * max(1, len(jobs) / self.processes)):
                yield self._result(future, self.timeout)
        except TimeoutError as exc:
            self._reset()
            raise RenderTimeout(f"rendering took longer than {self.timeout:.0f} s per document: stopped") from exc

    def _result(self, future: Future[T], timeout: float) -> T:
        try:
            return future.result(timeout=timeout)
        except TimeoutError as exc:
            self._reset()
            raise RenderTimeout(f"the template took longer than {timeout:.0f} s: stopped") from exc
        except MemoryError as exc:
            raise RenderError(f"the template needs more than {self.memory_mb} MB of memory: stopped") from exc
        except BrokenProcessPool as exc:
            self._reset()
            raise RenderError("the worker process stopped while handling the template (memory or time limit)") from exc

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """What ``compute`` (work done by this pool's workers) gave for ``key``, computed once.

        The most recently used ``CACHE_SIZE`` results are kept; two threads asking for a new key at
        the same time may both compute it.
        """
        with self._locked():
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        value = compute()
        with self._locked():
            self._results[key] = value
            while len(self._results) > CACHE_SIZE:
                self._results.popitem(last=False)
        return value

    def close(self, grace: float = CLOSE_GRACE_SECONDS) -> None:
        """Stop the workers and wait for them: idle ones at once, one under way after ``grace`` s.

        The pool can be used again afterwards (it starts new workers).
        """
        with uninterrupted():  # a stop signal meanwhile waits for it
            executor, lifeline = self._detach()
            if executor is not None:
                deadline = threading.Timer(grace, _kill_workers, (executor,))
                deadline.daemon = True
                deadline.start()
                try:
                    executor.shutdown(wait=True, cancel_futures=True)
                finally:
                    deadline.cancel()
            if lifeline is not None:
                lifeline.close()


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)


_POOLS: dict[tuple[int, float, int], WorkerPool] = {}


def shared_pool(*, processes: int, timeout: float, memory_mb: int) -> WorkerPool:
    key = (processes, timeout, memory_mb)
    if key not in _POOLS:
        _POOLS[key] = WorkerPool(processes=processes, timeout=timeout, memory_mb=memory_mb)
    return _POOLS[key]


def close_shared_pools() -> None:
    """Stop the workers of the process's shared pools (see ``WorkerPool.close``)."""
    for pool in list(_POOLS.values()):
        pool.close()
