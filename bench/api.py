"""HTTP: a small GraphQL query beside a plain FastAPI route, and acknowledgements at the rentrée's pace.

Both servers run in their own process under uvicorn (as `govkit serve` does); the load comes
from this process through N keep-alive connections (bench/loadclient.py).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence

import psycopg
import sqlalchemy as sa

from bench import loadclient as lc
from bench.common import drop_postgres, row
from bench.rentree import Member, Rentree, prepare
from bench.server import GOVKIT, serving
from govkit.acknowledgements import chain
from govkit.db import Database, create_db_engine

CONCURRENCY = 16
ACKNOWLEDGE = """mutation Acknowledge($id: ID!) {
  acknowledge(documentVersionId: $id) { verificationCode recordHash }
}"""
SMALL_QUERY = "{ documentKinds { key titleFr } }"


def _rate(
    app: str, step: lc.Step, seconds: float, *, env: dict[str, str] | None = None, factory: bool = False
) -> float:
    with serving(app, env=env, factory=factory) as (host, port):
        lc.drive(host, port, lc.repeat(step), concurrency=CONCURRENCY, seconds=1.0)  # warm up
        report = lc.drive(host, port, lc.repeat(step), concurrency=CONCURRENCY, seconds=seconds)
    if report.errors():
        raise AssertionError(f"{app}: {len(report.errors())} failed requests, e.g. {report.errors()[0]}")
    return report.throughput


def bench_small_query(rentree: Rentree, seconds: float) -> dict:
    host = "127.0.0.1"
    plain = ("plain", lc.request_bytes("GET", "/plain", host=host), lambda r: r.status == 200)
    query = ("graphql", lc.graphql_request(SMALL_QUERY, host=host), lc.ok_json)
    baseline = _rate("bench.plainapp:app", plain, seconds)
    ours = _rate(GOVKIT, query, seconds, env=rentree.server_env())
    return row(
        "a small GraphQL query over HTTP (16 clients)",
        unit="req/s",
        govkit=ours,
        baseline=baseline,
        baseline_name="plain FastAPI route",
        ratio=ours / baseline,
        target=">= 0.25 (throughput vs the plain route)",
        holds=ours / baseline >= 0.25,
        digits=0,
    )


def _psycopg_inserts(url: str, seconds: float) -> float:
    """The raw driver: one acknowledgement-like row per transaction, 16 threads."""
    from concurrent.futures import ThreadPoolExecutor

    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_insert")
        conn.execute(
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, person_id int, document_version_id int, "
            "wording text, record_hash text UNIQUE, acknowledged_at timestamptz DEFAULT now(), "
            "UNIQUE (person_id, document_version_id))"
        )
    deadline = time.perf_counter() + seconds

    def worker(index: int) -> int:
        done = 0
        with psycopg.connect(dsn) as conn:
            while time.perf_counter() < deadline:
                with conn.transaction():
                    conn.execute(
                        "INSERT INTO bench_insert (person_id, document_version_id, wording, record_hash) "
                        "VALUES (%s, %s, %s, %s)",
                        (index, done, "Je reconnais avoir pris connaissance du règlement.", f"{index}-{done}"),
                    )
                done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        total = sum(pool.map(worker, range(CONCURRENCY)))
    return total / (time.perf_counter() - started)


def acknowledgement_scripts(members: Sequence[Member], *, host: str) -> Iterator[Sequence[lc.Step]]:
    """Each member in turn acknowledges each of their documents, on one connection."""
    for member in members:
        yield [
            (
                "acknowledge",
                lc.graphql_request(ACKNOWLEDGE, host=host, variables={"id": str(document)}, token=member.token),
                lambda r: r.status == 200 and b'"verificationCode"' in r.body and b'"errors"' not in r.body,
            )
            for document in member.documents
        ]


def stored_exactly_once(rentree: Rentree, sent: int) -> tuple[bool, str]:
    """Every acknowledgement sent is stored once, and the chain verifies."""
    engine = create_db_engine(rentree.url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT count(*) FROM acknowledgement WHERE method = 'electronic'")).scalar()
            pairs = conn.execute(
                sa.text("SELECT count(DISTINCT (person_id, document_version_id)) FROM acknowledgement")
            ).scalar()
            total = conn.execute(sa.text("SELECT count(*) FROM acknowledgement")).scalar()
        report = chain.verify(Database(engine))
    finally:
        engine.dispose()
    ok = stored == sent and pairs == total and report.ok
    return ok, f"sent {sent}, stored {stored}, distinct pairs {pairs}/{total}, chain {'ok' if report.ok else report}"


def bench_acknowledge(rentree: Rentree, *, workers: int) -> dict:
    """The members in random order; the first tenth warm the server up (not timed), the others are timed.
    Every member acknowledges for the first time, warm-up or not: nothing is cached for the timed ones."""
    members = list(rentree.members)
    random.Random(7).shuffle(members)
    warm, timed = members[: len(members) // 10], members[len(members) // 10 :]
    with serving(GOVKIT, env=rentree.server_env(), workers=workers) as (host, port):
        warmup = lc.drive(host, port, acknowledgement_scripts(warm, host=host), concurrency=CONCURRENCY)
        report = lc.drive(host, port, acknowledgement_scripts(timed, host=host), concurrency=CONCURRENCY)
    errors = warmup.errors() + report.errors()
    ok, detail = stored_exactly_once(rentree, warmup.count + report.count - len(errors))
    baseline = _psycopg_inserts(rentree.url, 5.0)
    ours = report.throughput
    summary = report.summary()
    return row(
        "acknowledge over HTTP on PostgreSQL (16 clients)",
        unit="ack/s",
        govkit=ours,
        baseline=baseline,
        baseline_name="psycopg alone, one insert per transaction",
        ratio=ours / baseline,
        target=">= 1,000 ack/s, each stored once, chain intact",
        holds=ours >= 1000 and not errors and ok,
        digits=0,
        detail=f"{report.count} timed requests (after {warmup.count} to warm up), {len(errors)} errors, "
        f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, {workers} server process(es); {detail}",
    )


def run(quick: bool) -> list[dict]:
    rentree = prepare("postgresql", "http", persons_per_school=300 if quick else 1000)
    try:
        results = [bench_small_query(rentree, 4.0 if quick else 10.0)]
        results.append(bench_acknowledge(rentree, workers=2))
    finally:
        drop_postgres(rentree.url)
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
