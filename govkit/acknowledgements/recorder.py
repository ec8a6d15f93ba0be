"""The one way acknowledgements are recorded: a ``Recorder``, built once per process (``build_recorder``).

At the rentrée thousands of members acknowledge within minutes, and every record must be
appended to one hash chain, under one lock. Taking that lock once per acknowledgement would cap
the whole group at one transaction's round trips per record. Instead, the concurrent calls of an
event loop meet in the recorder (govkit.batching.Batcher): the first starts a batch with every
request waiting; requests arriving meanwhile wait for the next batch, which starts as soon as that
one ends. A batch is one transaction (set-based reads, one lock, one multi-row insert, the audit
events, one commit), written by the writer chosen for the database (govkit.acknowledgements.writers).
A call alone is a batch of one. Each request still gets its own outcome: one refused request never
fails the others, and an unexpected error retries the batch's requests one by one.

Services hand requests to the recorder the entry point got from the composition
(``service.acknowledge(recorder=...)``); nothing else writes acknowledgements but the carried-forward
records of a campaign (chain.append_many, in the publication's transaction).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import sqlalchemy as sa

from govkit.acknowledgements.receipts import Outcome, Receipt, Request
from govkit.acknowledgements.writers import LoopWriter, ThreadWriter, Writer
from govkit.batching import Batcher
from govkit.db import Database

#: The largest batch written in one transaction.
MAX_BATCH = 128


class Recorder:
    """Records acknowledgement requests in batches (see the module's doc), through ``writer``."""

    def __init__(self, writer: Writer, *, max_batch: int = MAX_BATCH) -> None:
        self.writer = writer
        self._batcher: Batcher[Request, Outcome] = Batcher(self._write, max_batch=max_batch)
        self.batches = 0  # written so far, for the benchmarks and tests
        self.records = 0

    async def record(self, requests: Sequence[Request]) -> list[Receipt | BaseException]:
        """One outcome per request, in order: its receipt, its refusal (a GovkitError), or the
        unexpected error of that request alone."""
        found = await asyncio.gather(*(self._batcher(request) for request in requests), return_exceptions=True)
        return list(found)

    async def record_one(self, request: Request) -> Receipt:
        """The receipt of ``request``; raises its refusal."""
        found = await self._batcher(request)
        assert isinstance(found, Receipt)
        return found

    async def close(self) -> None:
        await self.writer.close()

    async def _write(self, requests: list[Request]) -> list[Outcome | BaseException]:
        try:
            outcomes: list[Outcome | BaseException] = list(await self.writer.write(requests))
        except Exception as exc:
            if len(requests) == 1:
                return [exc]
            outcomes = []
            for request in requests:  # one request's unexpected failure must not fail the others
                outcomes += await self._write([request])
            return outcomes
        self.batches += 1
        self.records += sum(isinstance(o, Receipt) and o.fresh for o in outcomes)
        return outcomes


def build_recorder(db: Database) -> Recorder:
    """The recorder of a process, built once at start-up (govkit.composition): written from the
    event loop on PostgreSQL (``LoopWriter``), in a worker thread on SQLite and for a Database
    bound to one connection (``ThreadWriter``: the tests' transaction)."""
    if db.dialect == "postgresql" and isinstance(db.bind, sa.Engine):
        return Recorder(LoopWriter(db.bind))
    return Recorder(ThreadWriter(db))
