"""What every benchmark shares: timing, result rows, fresh databases, query counting."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from govkit import migrations  # noqa: E402
from govkit.db import Database, create_db_engine  # noqa: E402

#: The PostgreSQL server the benchmarks create their databases on (trust auth, as in CI).
POSTGRES_URL = os.environ.get("GOVKIT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SCRATCH = Path(os.environ.get("GOVKIT_BENCH_TMP", tempfile.gettempdir())) / "govkit-bench"


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def row(
    name: str,
    *,
    unit: str,
    govkit: float,
    baseline: float,
    baseline_name: str,
    ratio: float,
    target: str,
    holds: bool,
    digits: int = 2,
    **extra: Any,
) -> dict[str, Any]:
    """One result: govkit's figure beside its baseline's, measured in the same run."""
    return {
        "name": name,
        "unit": unit,
        "govkit": round(govkit, digits),
        "baseline": round(baseline, digits),
        "baseline_name": baseline_name,
        "ratio": round(ratio, 2),
        "target": target,
        "holds": bool(holds),
        **extra,
    }


def fresh_postgres(name: str) -> str:
    """A new, empty PostgreSQL database ``govkit_bench_<name>`` (dropped first if it exists)."""
    database = f"govkit_bench_{name}"
    base = sa.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_db_engine(base.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return base.set(database=database).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    base = sa.make_url(url)
    admin = create_db_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
    admin.dispose()


def fresh_sqlite(name: str) -> str:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    path = SCRATCH / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_database(backend: str, name: str) -> str:
    """A new database of ``backend`` (sqlite or postgresql), migrated to the latest revision."""
    url = fresh_sqlite(name) if backend == "sqlite" else fresh_postgres(name)
    migrations.upgrade(url=url)
    return url


@contextmanager
def counting_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run on ``engine`` inside the block."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def start_worker_process(
    db: Database, env: dict[str, str], log_path: Path, *, concurrency: int
) -> subprocess.Popen[bytes]:
    """A real `govkit worker` with ``env``, its output in ``log_path``, once it has said it is alive
    (a row in procrastinate_workers); a clear error naming the log when it does not start in 60 s."""
    log = log_path.open("wb")
    command = [sys.executable, "-m", "govkit", "worker", "--concurrency", str(concurrency), "--log-level", "warning"]
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.reading() as session:
            if session.execute(sa.text("SELECT count(*) FROM procrastinate_workers")).scalar_one():
                return worker
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    worker.kill()
    raise RuntimeError(f"the worker did not start; see {log_path}")
