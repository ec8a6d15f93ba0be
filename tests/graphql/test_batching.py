"""govkit.batching.Batcher: concurrent callers of one event loop share calls, each gets its own outcome."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.batching import Batcher


class Refused(Exception):
    """The outcome of an item that fails (returned by ``run``, raised in its caller only)."""


def one_by_one(item: int) -> int | Refused:
    """What a batch gives for one item: negative items are refused, others doubled."""
    return Refused(f"item {item} refused") if item < 0 else item * 2


class Recorder:
    """A ``run`` that records the batches it was given, optionally held until released."""

    def __init__(self, *, hold: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def __call__(self, items: list[int]) -> Sequence[int | BaseException]:
        self.batches.append(list(items))
        self.entered.set()
        assert self.release.wait(10), "the test never released the batch"
        return [one_by_one(item) for item in items]


async def _entered(recorder: Recorder) -> None:
    """Wait (without blocking the loop) until ``run`` has started in its worker thread."""
    for _ in range(1000):
        if recorder.entered.is_set():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("run never started")


def test_concurrent_callers_share_one_call_and_each_gets_its_own_result() -> None:
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder)

    async def main() -> list[int]:
        return await asyncio.gather(*(batcher(i) for i in range(50)))

    results = asyncio.run(main())
    assert results == [i * 2 for i in range(50)]
    assert batcher.calls == 1 < 50
    assert recorder.batches == [list(range(50))]


def test_callers_arriving_during_a_call_wait_for_the_next_one_together() -> None:
    recorder = Recorder(hold=True)
    batcher: Batcher[int, int] = Batcher(recorder)

    async def main() -> list[int]:
        first = asyncio.ensure_future(batcher(100))
        await _entered(recorder)
        later = [asyncio.ensure_future(batcher(i)) for i in range(10)]
        await asyncio.sleep(0.01)
        assert not any(task.done() for task in [first, *later])
        recorder.release.set()
        return await asyncio.gather(first, *later)

    assert asyncio.run(main()) == [200, *[i * 2 for i in range(10)]]
    assert recorder.batches == [[100], list(range(10))]
    assert batcher.calls == 2


def test_batches_are_at_most_max_batch_items() -> None:
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder, max_batch=8)

    async def main() -> list[int]:
        return await asyncio.gather(*(batcher(i) for i in range(20)))

    assert asyncio.run(main()) == [i * 2 for i in range(20)]
    assert [len(b) for b in recorder.batches] == [8, 8, 4]
    assert [i for b in recorder.batches for i in b] == list(range(20))
    assert batcher.calls == 3


def test_an_item_whose_result_is_an_exception_raises_in_its_caller_only() -> None:
    batcher: Batcher[int, int] = Batcher(Recorder())

    async def main() -> list[int | BaseException]:
        return await asyncio.gather(batcher(1), batcher(-7), batcher(3), return_exceptions=True)

    first, refused, third = asyncio.run(main())
    assert (first, third) == (2, 6)
    assert isinstance(refused, Refused)
    assert str(refused) == "item -7 refused"
    assert batcher.calls == 1


def test_when_run_raises_every_caller_of_the_batch_hears_it_and_later_calls_work() -> None:
    broken = True

    def run(items: list[int]) -> list[int]:
        if broken:
            raise ConnectionError("database unreachable")
        return [i + 1 for i in items]

    batcher: Batcher[int, int] = Batcher(run)

    async def batch() -> list[int | BaseException]:
        return await asyncio.gather(*(batcher(i) for i in range(5)), return_exceptions=True)

    outcomes = asyncio.run(batch())
    assert all(isinstance(o, ConnectionError) and str(o) == "database unreachable" for o in outcomes), outcomes
    broken = False
    assert asyncio.run(batch()) == [1, 2, 3, 4, 5]
    assert batcher.calls == 2


def test_run_raising_on_the_same_loop_does_not_stop_the_next_batch() -> None:
    calls: list[list[int]] = []

    def run(items: list[int]) -> list[int]:
        calls.append(items)
        if len(calls) == 1:
            raise ValueError("first batch fails")
        return items

    batcher: Batcher[int, int] = Batcher(run)

    async def main() -> tuple[list[int | BaseException], list[int]]:
        failed = await asyncio.gather(batcher(1), batcher(2), return_exceptions=True)
        return failed, await asyncio.gather(batcher(3), batcher(4))

    failed, worked = asyncio.run(main())
    assert [type(o) for o in failed] == [ValueError, ValueError]
    assert worked == [3, 4]


def test_a_cancelled_caller_does_not_break_the_others() -> None:
    recorder = Recorder(hold=True)
    batcher: Batcher[int, int] = Batcher(recorder)

    async def main() -> tuple[list[int], list[int]]:
        running = [asyncio.ensure_future(batcher(i)) for i in range(3)]
        await _entered(recorder)
        waiting = [asyncio.ensure_future(batcher(i)) for i in range(10, 13)]
        await asyncio.sleep(0)
        running[1].cancel()  # its batch is under way
        waiting[0].cancel()  # still queued for the next batch
        await asyncio.sleep(0)
        recorder.release.set()
        outcomes = await asyncio.gather(*running, *waiting, return_exceptions=True)
        assert isinstance(outcomes[1], asyncio.CancelledError)
        assert isinstance(outcomes[3], asyncio.CancelledError)
        # the batcher still serves this loop afterwards
        again = await asyncio.gather(batcher(20), batcher(21))
        return [o for i, o in enumerate(outcomes) if i not in (1, 3)], again

    served, again = asyncio.run(main())
    assert served == [0, 4, 22, 24]
    assert again == [40, 42]


def test_run_returning_the_wrong_number_of_results_is_a_clear_error() -> None:
    def run(items: list[int]) -> list[int]:
        return items[:-1]

    batcher: Batcher[int, int] = Batcher(run)

    async def main() -> list[int | BaseException]:
        return await asyncio.gather(batcher(1), batcher(2), batcher(3), return_exceptions=True)

    outcomes = asyncio.run(main())
    for outcome in outcomes:
        assert isinstance(outcome, RuntimeError)
        assert "returned 2 results for 3 items" in str(outcome)


def test_one_batcher_serves_two_event_loops_one_after_the_other() -> None:
    batcher: Batcher[int, int] = Batcher(Recorder())

    async def main(offset: int) -> list[int]:
        return await asyncio.gather(*(batcher(offset + i) for i in range(4)))

    assert asyncio.run(main(0)) == [0, 2, 4, 6]
    assert asyncio.run(main(10)) == [20, 22, 24, 26]
    assert batcher.calls == 2


def test_one_batcher_serves_two_event_loops_at_once() -> None:
    """Two threads, each with its own loop: each loop's callers are batched apart and served."""
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder)
    results: dict[int, list[int]] = {}
    start = threading.Barrier(2)

    def thread(offset: int) -> None:
        async def main() -> list[int]:
            start.wait(5)
            return await asyncio.gather(*(batcher(offset + i) for i in range(20)))

        results[offset] = asyncio.run(main())

    threads = [threading.Thread(target=thread, args=(offset,)) for offset in (0, 1000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results[0] == [i * 2 for i in range(20)]
    assert results[1000] == [(1000 + i) * 2 for i in range(20)]
    # no batch mixes the callers of two loops
    for batch in recorder.batches:
        assert all(i < 1000 for i in batch) or all(i >= 1000 for i in batch), batch


@settings(max_examples=60, deadline=None)
@given(
    calls=st.lists(st.tuples(st.integers(-50, 50), st.integers(0, 3)), max_size=40),
    max_batch=st.integers(1, 10),
)
def test_every_caller_gets_what_a_call_of_its_own_would_give(calls: list[tuple[int, int]], max_batch: int) -> None:
    """Items (negative ones refused) sent after a few turns of the loop each, batched as they come."""
    recorder = Recorder()
    batcher: Batcher[int, int] = Batcher(recorder, max_batch=max_batch)

    async def call(item: int, turns: int) -> int:
        for _ in range(turns):
            await asyncio.sleep(0)
        return await batcher(item)

    async def main() -> list[int | BaseException]:
        return await asyncio.gather(*(call(item, turns) for item, turns in calls), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert len(outcomes) == len(calls)
    for (item, _), outcome in zip(calls, outcomes, strict=True):
        expected = one_by_one(item)
        if isinstance(expected, Refused):
            assert isinstance(outcome, Refused) and outcome.args == expected.args
        else:
            assert outcome == expected
    assert sorted(i for b in recorder.batches for i in b) == sorted(item for item, _ in calls)
    assert all(1 <= len(b) <= max_batch for b in recorder.batches)
    assert batcher.calls == len(recorder.batches) <= len(calls)


def test_a_coroutine_function_is_awaited_on_the_loop_in_batches() -> None:
    """``run`` as a coroutine function (the acknowledgement recorder on PostgreSQL): awaited on the
    event loop's own thread, no worker thread, batches as for a blocking ``run``."""
    threads: list[str] = []
    sizes: list[int] = []

    async def run(items: list[int]) -> list[int | BaseException]:
        threads.append(threading.current_thread().name)
        sizes.append(len(items))
        await asyncio.sleep(0.01)  # a round trip
        return [ValueError(f"no {i}") if i < 0 else i * 2 for i in items]

    batcher: Batcher[int, int] = Batcher(run)

    async def main() -> list[object]:
        async def one(i: int) -> object:
            try:
                return await batcher(i)
            except ValueError as exc:
                return str(exc)

        return await asyncio.gather(*[one(i) for i in [1, -2, 3]], *[one(i) for i in range(10, 14)])

    loop_thread = threading.current_thread().name
    assert asyncio.run(main()) == [2, "no -2", 6, 20, 22, 24, 26]
    assert set(threads) == {loop_thread}
    assert sum(sizes) == 7 and len(sizes) < 7
