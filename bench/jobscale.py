"""Renders through the job engine, one school per job, with 1 and then 2 `govkit worker` processes.

    python bench/jobscale.py [--quick] [--schools N]

1,000 generated schools (bench/schools.py; 200 with --quick) on a new PostgreSQL database; a new
root template version of the internal regulation (built from templates/reglements/fr), uploaded
and published; then, three times, for 1 and then 2 workers: one ``documents.render_variant`` job
deferred per school (in one transaction, as ``renderVariants(background: true)`` does), the workers
started as real processes (``govkit worker --concurrency 1``, each rendering in its own sandboxed
render process: GOVKIT_RENDER_WORKERS=1), and the time until the last job succeeded. Before each
run the variants rendered (and their files) are deleted, so that every run renders every school.
The figures are the medians of the three runs of each.

The throughput is read from procrastinate's events (each job's "succeeded" time), after the
first 5 % of the jobs: the workers' start (Python, the render process, the template's
compilation) is not what scales. Target: 2 workers ≥ 1.7 × the throughput of 1 (2 cores).
Each row also gives the machine's busy cores during each run (every process, from /proc/stat):
on a shared machine, what other work took from the two workers shows there.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.common import ROOT, SCRATCH, drop_postgres, fresh_database, row
from bench.schools import generate
from govkit.access.roles import SYSTEM
from govkit.composition import render_pool
from govkit.db import Database, create_db_engine
from govkit.documents import service as documents
from govkit.documents.build import build_docx
from govkit.documents.kinds import TEMPLATES_DIR, catalogue
from govkit.documents.source import read_source
from govkit.documents.variants import RENDER_VARIANT
from govkit.jobs.queue import PostgresQueue
from govkit.jobs.registry import import_task_modules
from govkit.settings import Settings

TARGET = 1.7
#: The share of each run's jobs left out of its throughput: the workers starting up.
WARM_UP = 0.05
WORKER_ENV = {
    "GOVKIT_RENDER_WORKERS": "1",
    "GOVKIT_JOB_POLL_SECONDS": "0.5",
    "GOVKIT_GRANT_CACHE_SECONDS": "0",
    "GOVKIT_ENV": "dev",
    "GOVKIT_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop",
}


def publish_root_version(db: Database, settings: Settings) -> int:
    """A new published version of the French internal regulation's root template: its id."""
    source = read_source(TEMPLATES_DIR / "fr" / "internal.md")
    data = build_docx(source, catalogue())  # the demo's template, as legal staff would upload it
    upload = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=render_pool(settings),
        kind="internal",
        language="fr",
        filename="trame-internal-fr.docx",
        data=data,
        max_bytes=settings.upload_max_bytes,
        note="bench/jobscale.py",
    )
    assert upload.version is not None, upload.report
    assert upload.version.id is not None
    if upload.version.published_at is None:
        documents.publish_root_template_version(
            db=db, actor=SYSTEM, version_id=upload.version.id, change_kind="substantive", changelog="bench"
        )
    return upload.version.id


def forget_renders(db: Database, version_id: int) -> None:
    """Delete the variants of ``version_id`` and their files: the next run renders every school again
    (past the trigger that keeps variants immutable: this session's triggers are off)."""
    with db.transaction() as session:
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        shas = session.execute(
            sa.text("DELETE FROM variant WHERE root_template_version_id = :v RETURNING sha256"), {"v": version_id}
        ).scalars()
        session.execute(sa.text("DELETE FROM blob WHERE sha256 = ANY(:s)"), {"s": list(shas)})


def defer_renders(db: Database) -> list[int]:
    """One render job per school, deferred in one transaction: their ids."""
    with db.transaction() as session:
        first = session.execute(sa.text("SELECT coalesce(max(id), 0) FROM procrastinate_jobs")).scalar_one()
    documents.queue_renders(db=db, actor=SYSTEM, jobs=PostgresQueue(), kind="internal", language="fr")
    with db.reading() as session:
        query = "SELECT id FROM procrastinate_jobs WHERE id > :f AND task_name = :t ORDER BY id"
        return list(session.execute(sa.text(query), {"f": first, "t": RENDER_VARIANT}).scalars())


def counts(db: Database, ids: list[int]) -> dict[str, int]:
    with db.reading() as session:
        query = "SELECT status, count(*) FROM procrastinate_jobs WHERE id = ANY(:ids) GROUP BY status"
        return {str(s): int(n) for s, n in session.execute(sa.text(query), {"ids": ids})}


def throughput(db: Database, ids: list[int]) -> tuple[float, float]:
    """Jobs per second after the warm-up, and the seconds from the first start to the last success."""
    with db.reading() as session:
        ends = list(
            session.execute(
                sa.text(
                    "SELECT at FROM procrastinate_events WHERE job_id = ANY(:ids) AND type = 'succeeded' ORDER BY at"
                ),
                {"ids": ids},
            ).scalars()
        )
        start = session.execute(
            sa.text("SELECT min(at) FROM procrastinate_events WHERE job_id = ANY(:ids) AND type = 'started'"),
            {"ids": ids},
        ).scalar_one()
    skip = max(1, int(len(ends) * WARM_UP))
    span = (ends[-1] - ends[skip - 1]).total_seconds()
    return (len(ends) - skip) / span, (ends[-1] - start).total_seconds()


def busy_cores() -> tuple[float, float]:
    """The machine's busy and total CPU time so far, in seconds (from /proc/stat)."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


def run_workers(url: str, db: Database, workers: int, version_id: int, logs: Path) -> tuple[float, float, float]:
    """Render every school with ``workers`` worker processes: jobs per second, seconds in all, and
    the machine's cores busy meanwhile (every process: on a shared machine, others' work too)."""
    forget_renders(db, version_id)
    ids = defer_renders(db)
    env = {**os.environ, **WORKER_ENV, "GOVKIT_DATABASE_URL": url}
    processes = []
    for n in range(workers):
        log = (logs / f"jobscale-{workers}-{n}.log").open("wb")
        command = [sys.executable, "-m", "govkit", "worker", "--concurrency", "1", "--log-level", "warning"]
        processes.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
    busy, total = busy_cores()
    try:
        deadline = time.monotonic() + 60 + len(ids)  # far more than a second per render
        while (done := counts(db, ids)).get("succeeded", 0) + done.get("failed", 0) < len(ids):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"{workers} worker(s): jobs {done} after the deadline; see {logs}")
            time.sleep(0.2)
        busy_after, total_after = busy_cores()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
    if done.get("failed"):
        raise RuntimeError(f"{done['failed']} render jobs failed; see {logs}")
    cores = (busy_after - busy) / (total_after - total) * (os.cpu_count() or 1)
    return (*throughput(db, ids), cores)


def measure(schools: int, repeats: int) -> dict[str, list[float]]:
    """``repeats`` runs with 1 worker and as many with 2, alternated (a change of the machine's
    load meanwhile weighs on both): each run's throughput, seconds and busy cores."""
    url = fresh_database("postgresql", "jobscale")
    engine = create_db_engine(url)
    figures: dict[str, list[float]] = {}
    try:
        generate(url, schools)
        db, settings = Database(engine), Settings(database_url=url)
        import_task_modules(["govkit.tasks"])
        version_id = publish_root_version(db, settings)
        render_pool(settings).close()
        SCRATCH.mkdir(parents=True, exist_ok=True)
        for _ in range(repeats):
            for workers, name in ((1, "one"), (2, "two")):
                rate, seconds, cores = run_workers(url, db, workers, version_id, SCRATCH)
                for suffix, value in (("", rate), ("_seconds", seconds), ("_cores", cores)):
                    figures.setdefault(name + suffix, []).append(value)
    finally:
        engine.dispose()
        drop_postgres(url)
    return figures


def run(quick: bool, schools: int | None = None) -> list[dict]:
    n = schools or (200 if quick else 1000)
    figures = {name: statistics.median(values) for name, values in measure(n, 3).items()}
    ratio = figures["two"] / figures["one"]
    return [
        row(
            f"render jobs, {n} schools, 2 workers vs 1 (govkit worker processes; medians of 3)",
            unit="jobs/s",
            govkit=figures["two"],
            baseline=figures["one"],
            baseline_name="1 worker",
            ratio=ratio,
            target=f">= {TARGET} (2 cores)",
            holds=ratio >= TARGET,
            digits=1,
            seconds_one_worker=round(figures["one_seconds"], 1),
            seconds_two_workers=round(figures["two_seconds"], 1),
            cores_busy_one_worker=round(figures["one_cores"], 2),
            cores_busy_two_workers=round(figures["two_cores"], 2),
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 schools instead of 1,000")
    parser.add_argument("--schools", type=int, default=None, help="this many schools instead")
    args = parser.parse_args()
    results = run(args.quick, args.schools)
    print(json.dumps(results, indent=2))
    raise SystemExit(0 if all(r["holds"] for r in results) else 1)
