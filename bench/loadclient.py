"""A small, fast HTTP/1.1 load client: N keep-alive connections replaying prepared requests.

It runs in its own process (the benchmark's), never in the server's, and measures each
request's latency from its first byte sent to its last byte received.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

try:  # uvloop when installed (it comes with uvicorn[standard]): a cheaper client leaves more CPU to the server
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None  # type: ignore[assignment]


def request_bytes(
    method: str, path: str, *, host: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> bytes:
    """One raw HTTP/1.1 request, keep-alive."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def graphql_request(
    query: str, *, host: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> bytes:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    return request_bytes("POST", "/graphql", host=host, body=body, headers=headers)


@dataclass
class Response:
    status: int
    body: bytes


@dataclass
class Outcome:
    tag: str
    status: int
    latency: float
    ok: bool
    body: bytes = b""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.outcomes)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def percentile(self, q: float, tag: str | None = None) -> float:
        values = sorted(o.latency for o in self.outcomes if tag is None or o.tag == tag)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(q * len(values)))]

    def tags(self) -> list[str]:
        return sorted({o.tag for o in self.outcomes})

    def summary(self) -> dict[str, Any]:
        per_tag = {}
        for tag in self.tags():
            mine = [o for o in self.outcomes if o.tag == tag]
            per_tag[tag] = {
                "requests": len(mine),
                "errors": sum(not o.ok for o in mine),
                "p50_ms": round(self.percentile(0.5, tag) * 1000, 2),
                "p99_ms": round(self.percentile(0.99, tag) * 1000, 2),
            }
        return {
            "requests": self.count,
            "seconds": round(self.seconds, 2),
            "per_second": round(self.throughput, 1),
            "errors": len(self.errors()),
            "p50_ms": round(self.percentile(0.5) * 1000, 2),
            "p99_ms": round(self.percentile(0.99) * 1000, 2),
            "mean_ms": round(statistics.fmean(o.latency for o in self.outcomes) * 1000, 2) if self.outcomes else 0,
            "by_request": per_tag,
        }


async def _read_response(reader: asyncio.StreamReader) -> Response:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = None
    chunked = False
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        return Response(status, bytes(body))
    return Response(status, await reader.readexactly(length or 0))


#: A step: (tag, raw request, check(response) -> ok).
Step = tuple[str, bytes, Callable[[Response], bool]]


def ok_json(response: Response) -> bool:
    """A 200 answer without GraphQL errors."""
    return response.status == 200 and b'"errors"' not in response.body


async def _connection(
    host: str,
    port: int,
    scripts: Iterator[Sequence[Step]],
    report: Report,
    done: Callable[[], bool],
    keep: bool = False,
) -> None:
    """Replay scripts on one keep-alive connection until they run out or ``done()`` after a script."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for script in scripts:
            for tag, raw, check in script:
                start = time.perf_counter()
                writer.write(raw)
                response = await _read_response(reader)
                latency = time.perf_counter() - start
                report.outcomes.append(
                    Outcome(tag, response.status, latency, check(response), response.body if keep else b"")
                )
            if done():
                return
    finally:
        writer.close()


async def _drive(
    host: str, port: int, scripts: Iterator[Sequence[Step]], concurrency: int, seconds: float | None, keep: bool
) -> Report:
    report = Report()
    started = time.perf_counter()
    deadline = started + seconds if seconds else float("inf")

    def done() -> bool:
        return time.perf_counter() >= deadline

    await asyncio.gather(*[_connection(host, port, scripts, report, done, keep) for _ in range(concurrency)])
    report.seconds = time.perf_counter() - started
    return report


def drive(
    host: str,
    port: int,
    scripts: Iterator[Sequence[Step]],
    *,
    concurrency: int,
    seconds: float | None = None,
    keep_bodies: bool = False,
) -> Report:
    """Replay ``scripts`` (each a list of steps run in order on one connection) with ``concurrency``
    connections, until the scripts run out or ``seconds`` have passed."""
    runner = uvloop.run if uvloop is not None else asyncio.run
    return runner(_drive(host, port, scripts, concurrency, seconds, keep_bodies))


def repeat(step: Step) -> Iterator[Sequence[Step]]:
    while True:
        yield (step,)


async def _mixed(
    host: str,
    port: int,
    main: Iterator[Sequence[Step]],
    main_concurrency: int,
    background: Iterator[Sequence[Step]],
    background_concurrency: int,
) -> tuple[Report, Report]:
    """Run ``main`` to its end while ``background`` loops beside it; both reports cover the same span."""
    ours, theirs = Report(), Report()
    stop = asyncio.Event()
    started = time.perf_counter()
    behind = [
        asyncio.ensure_future(_connection(host, port, background, theirs, stop.is_set))
        for _ in range(background_concurrency)
    ]
    await asyncio.gather(*[_connection(host, port, main, ours, lambda: False) for _ in range(main_concurrency)])
    stop.set()
    await asyncio.gather(*behind)
    ours.seconds = theirs.seconds = time.perf_counter() - started
    return ours, theirs


def drive_mixed(
    host: str,
    port: int,
    main: Iterator[Sequence[Step]],
    *,
    concurrency: int,
    background: Iterator[Sequence[Step]],
    background_concurrency: int,
) -> tuple[Report, Report]:
    """Replay ``main`` to its end with ``concurrency`` connections while ``background`` scripts loop
    on ``background_concurrency`` others (e.g. members at the rentrée, intranets polling)."""
    runner = uvloop.run if uvloop is not None else asyncio.run
    return runner(_mixed(host, port, main, concurrency, background, background_concurrency))
