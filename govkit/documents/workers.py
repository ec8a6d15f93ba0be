"""Worker processes for untrusted template work, with a time and a memory limit."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, TimeoutError, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from govkit.documents.render import RenderError

T = TypeVar("T")

#: Results the pool keeps (see ``WorkerPool.cached``): compiled root template versions, a few dozen kB each.
CACHE_SIZE = 64


class RenderTimeout(RenderError):
    pass


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class WorkerPool:
    """A process pool that kills and replaces its workers when a job overruns."""

    def __init__(self, *, processes: int, timeout: float, memory_mb: int) -> None:
        self.processes = processes
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._results: OrderedDict[str, Any] = OrderedDict()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["govkit.documents.jobs"])
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=context,
                    initializer=_limit_memory,
                    initargs=(self.memory_mb,),
                )
            return self._executor

    def _reset(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            for process in list(getattr(executor, "_processes", {}).values()):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, 9)
            executor.shutdown(wait=False, cancel_futures=True)

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run one job; RenderTimeout after the time limit, RenderError if a worker dies."""
        if self.processes == 0:
            return function(*args)
        future = self._pool().submit(function, *args)
        return self._result(future, self.timeout)

    def map(self, function: Callable[..., T], jobs: Iterable[tuple[Any, ...]]) -> Iterator[T]:
        """Run many jobs; results in completion order. The limit applies to the whole batch per job."""
        jobs = list(jobs)
        if self.processes == 0:
            for args in jobs:
                yield function(*args)
            return
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
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._results[key] = value
            while len(self._results) > CACHE_SIZE:
                self._results.popitem(last=False)
        return value

    def close(self) -> None:
        self._reset()


_POOLS: dict[tuple[int, float, int], WorkerPool] = {}


def shared_pool(*, processes: int, timeout: float, memory_mb: int) -> WorkerPool:
    key = (processes, timeout, memory_mb)
    if key not in _POOLS:
        _POOLS[key] = WorkerPool(processes=processes, timeout=timeout, memory_mb=memory_mb)
    return _POOLS[key]
