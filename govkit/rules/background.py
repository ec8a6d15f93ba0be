"""Statements run one after the other by a worker thread, while the caller computes.

The database inserts a slice of findings on the other core (the driver waits for it without
the GIL) while this thread evaluates the next slice: `govkit check` takes the longer of the
two, not their sum. The caller must not use the connection until the block ends.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class InBackground:
    """``with InBackground() as background: future = background.run(function, *args)``.

    Functions run in the order given, one at a time. Leaving the block waits for every one;
    then the first failure, if any, is raised (unless the block itself raised).
    """

    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govkit-sql")
        self._futures: list[Future[Any]] = []

    def run(self, function: Callable[..., T], *args: Any) -> Future[T]:
        future = self._worker.submit(function, *args)
        self._futures.append(future)
        return future

    def __enter__(self) -> InBackground:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._worker.shutdown(wait=True)  # from here on, the connection is the caller's again
        if error is None:
            for future in self._futures:
                future.result()
