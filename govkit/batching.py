"""Concurrent requests of one event loop share the calls of a blocking function of a list.

A request that needs the database hops to a worker thread and waits for its round trips; at the
rentrée, hundreds do so at once, for the same statement with a different key (a role grant to
check, an acknowledgement to record). A ``Batcher`` turns them into one call: the first caller
starts a call with every item waiting; callers arriving while it runs wait for the next call,
which starts as soon as that one ends, with all of them. One thread hop and one set of round
trips serve a batch (or none, for a coroutine function). Each caller gets its own result or
its own exception.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

import anyio.to_thread

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13

T = TypeVar("T")
R = TypeVar("R")

#: ``run`` of a Batcher: blocking (called in a worker thread), or a coroutine function.
Blocking = Callable[[list[T]], Sequence[R | BaseException]]
Awaited = Callable[[list[T]], Awaitable[Sequence[R | BaseException]]]


def _is_coroutine_function(run: Blocking[T, R] | Awaited[T, R]) -> TypeIs[Awaited[T, R]]:
    return inspect.iscoroutinefunction(run)


@dataclass
class _Queue(Generic[T]):
    waiting: list[tuple[T, asyncio.Future]] = field(default_factory=list)
    task: asyncio.Task | None = None


class Batcher(Generic[T, R]):
    """``await batcher(item)`` → ``run([... item ...])``'s result for that item.

    ``run`` is blocking (it runs in a worker thread), or a coroutine function (awaited on the
    loop), and returns one result per item, in order: a value, or the exception to raise in that
    item's caller. Should ``run`` itself raise, every caller of that batch gets the exception.
    """

    def __init__(
        self,
        run: Blocking[T, R] | Awaited[T, R],
        *,
        max_batch: int = 128,
    ) -> None:
        self.run = run
        self.max_batch = max_batch
        self._call: Awaited[T, R]
        if _is_coroutine_function(run):
            self._call = run
        else:
            blocking = run

            async def in_thread(items: list[T]) -> Sequence[R | BaseException]:
                return await anyio.to_thread.run_sync(blocking, items)

            self._call = in_thread
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T]] = weakref.WeakKeyDictionary()
        self.calls = 0  # made so far (for the tests and benchmarks)

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future = loop.create_future()
        queue.waiting.append((item, future))
        if queue.task is None:
            # started on the loop's next turn, so that the callers of this turn join the first batch
            queue.task = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[T]) -> None:
        try:
            while queue.waiting:
                batch, queue.waiting = queue.waiting[: self.max_batch], queue.waiting[self.max_batch :]
                self.calls += 1
                try:
                    items = [item for item, _ in batch]
                    results = await self._call(items)
                    if len(results) != len(batch):
                        raise RuntimeError(f"{self.run!r} returned {len(results)} results for {len(batch)} items")
                except Exception as exc:  # the whole call failed: each of its callers hears why
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                except BaseException as exc:  # cancelled or interrupted: nobody waits in vain
                    for _, future in batch:
                        if not future.done():
                            future.cancel()
                    raise exc
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():  # its caller went away (e.g. the client disconnected)
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            queue.task = None
            for _, future in queue.waiting:  # only when the loop is stopping: fail the rest cleanly
                if not future.done():
                    future.cancel()
            queue.waiting = []
