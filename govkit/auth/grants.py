"""Role grants as authentication reads them, kept between requests while nothing can change them.

Every request with a govkit token needs its role grant: at the rentrée, one query per request
for rows that change only when they are revoked. A ``GrantCache`` keeps the grants it read, and
forgets one the moment its revocation commits:

- ``revoke_grant`` notifies ``govkit_grants`` in its transaction (PostgreSQL delivers the
  notification when it commits), and each server process listens (``GrantListener``);
- the cache serves nothing unless its listener is listening: it starts empty, is emptied and
  bypassed whenever the listener loses its connection, and refills once it listens again;
- a grant read while a notification arrived is not kept (it may predate the revocation);
- every entry is read again after ``ttl`` seconds in any case.

A listener given ``fill`` (composition: ``auth.service.live_grants``) also fills the cache with every
live grant (up to ``fill_limit``) as soon as it listens, and again every ``ttl × 0.8`` seconds: a member's first request
at the rentrée finds its grant there instead of reading it (the notifications that arrived during
that read are handled before its rows are kept, so a revocation is never overwritten).

Without a listener (SQLite, tests that do not start one) every request reads its grant.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

log = logging.getLogger("govkit.auth")

CHANNEL = "govkit_grants"
EVERY_GRANT = "*"


@dataclass(frozen=True)
class _Entry:
    row: Any  # the grant's row as authentication reads it
    read_at: float


class GrantCache:
    """Grant rows by id, served only while a listener keeps them current (see the module's doc)."""

    def __init__(self, *, ttl: float, maxsize: int = 100_000) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._rows: dict[int, _Entry] = {}
        self._lock = threading.Lock()
        self._listening = False
        self._epoch = 0  # moves at every forgetting: a read that saw it move is not kept
        self.hits = 0
        self.misses = 0

    @property
    def fill_limit(self) -> int:
        """How many grants a fill keeps at most: half the cache, leaving room for those requests read
        (a cache that outgrows ``maxsize`` starts again empty)."""
        return self.maxsize // 2

    @property
    def listening(self) -> bool:
        return self._listening

    def epoch(self) -> int:
        """Note it before reading grants; give it to ``keep``."""
        return self._epoch

    def get(self, grant_id: int) -> Any | None:
        """The grant's row if it is known and current; None: read it."""
        entry = self._rows.get(grant_id)
        if entry is None or not self._listening or time.monotonic() - entry.read_at > self.ttl:
            self.misses += 1
            return None
        self.hits += 1
        return entry.row

    def keep(self, rows: Iterable[Any], epoch: int) -> None:
        """Keep grant rows read since ``epoch``, unless something was forgotten meanwhile."""
        now = time.monotonic()
        with self._lock:
            if not self._listening or self._epoch != epoch:
                return
            if len(self._rows) > self.maxsize:
                self._rows.clear()
            for row in rows:
                self._rows[row.id] = _Entry(row, now)

    def forget(self, grant_id: int | None = None) -> None:
        """Forget one grant (a revocation), or every grant (``None``)."""
        with self._lock:
            self._epoch += 1
            if grant_id is None:
                self._rows.clear()
            else:
                self._rows.pop(grant_id, None)

    def listen(self, listening: bool) -> None:
        """Whether notifications reach the cache from now on; either way, it starts again empty."""
        with self._lock:
            self._epoch += 1
            self._rows.clear()
            self._listening = listening


def notify_revoked(connection: Any, grant_id: int) -> None:
    """Tell every server process, when the caller's transaction commits, that a grant changed."""
    import sqlalchemy as sa

    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_notify(:channel, :grant)"), {"channel": CHANNEL, "grant": str(grant_id)})


class GrantListener:
    """A thread that listens to ``govkit_grants`` on its own connection and tells the cache."""

    def __init__(
        self,
        cache: GrantCache,
        conninfo: str,
        *,
        retry_seconds: float = 1.0,
        fill: Callable[[], Sequence[Any]] | None = None,
    ) -> None:
        self.cache = cache
        self.conninfo = conninfo
        self.retry_seconds = retry_seconds
        self.fill = fill  # every live grant's row (see the module's doc); None: the cache fills as requests come
        self.fills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="govkit-grant-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started (a CLI command builds the wiring without starting it)
            self._thread.join(timeout)
        self.cache.listen(False)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.cache.listen(True)
                    filled = self._fill(connection)
                    while not self._stop.is_set():
                        self._handle(connection.notifies(timeout=0.5))
                        if time.monotonic() - filled >= self.cache.ttl * 0.8:
                            filled = self._fill(connection)
            except psycopg.Error as exc:
                log.warning("grant notifications lost (%s): every request reads its grant until they resume", exc)
            finally:
                self.cache.listen(False)
            self._stop.wait(self.retry_seconds)

    def _handle(self, notices: Iterable[psycopg.Notify]) -> None:
        for notice in notices:
            payload = notice.payload.strip()
            self.cache.forget(None if payload in ("", EVERY_GRANT) else _grant_id(payload))

    def _fill(self, connection: psycopg.Connection[Any]) -> float:
        """Keep every live grant in the cache (when given ``fill``); the time it was read."""
        started = time.monotonic()
        if self.fill is None:
            return started
        epoch = self.cache.epoch()
        try:
            rows = self.fill()
        except Exception as exc:  # the database is away: requests read their grants meanwhile
            log.warning("could not fill the grant cache (%s); it fills as requests come", exc)
            return started
        self._handle(connection.notifies(timeout=0))  # revocations during the read first: keep then refuses
        self.cache.keep(rows, epoch)
        self.fills += 1
        return started


def _grant_id(payload: str) -> int | None:
    try:
        return int(payload)
    except ValueError:
        return None  # not ours to understand: forget everything
