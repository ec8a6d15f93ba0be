"""PDF/A renditions: every demo variant converted by govkit's batch (ONE LibreOffice run, checked
with pikepdf and stored), beside one `soffice --convert-to pdf` process per document, in the same
run; then converting the unchanged variants again, which must convert nothing.

The baseline is what a script would do: for each .docx, `soffice --headless --convert-to pdf`
(plain PDF, no check, nothing stored), all sharing one LibreOffice profile created beforehand
(its creation is not timed). govkit's figure includes what the baseline does not do: a fresh
profile for its run, PDF/A-2b export, the PDF/A check of each file and storing them in SQLite.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col, select

from bench.common import fresh_database, row
from govkit.composition import render_pool
from govkit.db import Database, create_db_engine
from govkit.demo.documents import publish_all
from govkit.demo.loader import load_demo
from govkit.documents.models import Blob, DocumentVersion
from govkit.documents.pdf_conversion import SofficeRunner
from govkit.documents.renditions import ConversionReport, convert_pending
from govkit.settings import Settings


def demo_documents() -> tuple[Database, list[str]]:
    """A SQLite database with the IMT demo data, every variant published; their SHA-256s."""
    url = fresh_database("sqlite", "pdf_demo")
    db = Database(create_db_engine(url))
    load_demo(db=db)
    settings = Settings(database_url=url, renditions_on_publish=False)
    pool = render_pool(settings)
    try:
        report = publish_all(db=db, pool=pool, max_bytes=settings.upload_max_bytes)
    finally:
        pool.close()
    assert not report.failures, report.failures
    with db.reading() as session:
        sha256s = list(
            dict.fromkeys(session.exec(select(DocumentVersion.sha256).order_by(col(DocumentVersion.id))).all())
        )
    return db, sha256s


def forget_pdfs(db: Database) -> None:
    """Empty the renditions' cache (their blobs stay: blobs are immutable), for another timed run."""
    with db.transaction() as session:
        session.execute(sa.text("DELETE FROM document_rendition"))


def one_process_per_document(db: Database, sha256s: list[str], soffice: str = "soffice") -> float:
    """The baseline: one `soffice --convert-to pdf` per document; its time in seconds."""
    with db.reading() as session:
        blobs = {b.sha256: b.data for b in session.exec(select(Blob).where(col(Blob.sha256).in_(sha256s))).all()}
    with tempfile.TemporaryDirectory(prefix="govkit-bench-soffice-") as tmp:
        root = Path(tmp)
        profile = f"-env:UserInstallation={(root / 'profile').as_uri()}"
        env = {**os.environ, "HOME": str(root)}
        paths = []
        for sha256 in sha256s:
            path = root / f"{sha256}.docx"
            path.write_bytes(blobs[sha256])
            paths.append(path)
        out = root / "out"
        # the shared profile is created once, untimed (a script run twice would find it there)
        subprocess.run([soffice, profile, "--headless", "--terminate_after_init"], env=env, check=False, timeout=120)
        started = time.perf_counter()
        for path in paths:
            subprocess.run(
                [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)],
                env=env,
                check=True,
                capture_output=True,
                timeout=120,
            )
        seconds = time.perf_counter() - started
        made = len(list(out.glob("*.pdf")))
    assert made == len(sha256s), f"the baseline made {made} PDFs of {len(sha256s)}"
    return seconds


def batch(db: Database, sha256s: list[str], runner: SofficeRunner) -> tuple[float, ConversionReport]:
    started = time.perf_counter()
    report = convert_pending(db, sha256s=sha256s, runner=runner)
    seconds = time.perf_counter() - started
    assert not report.failed, report.failed
    assert len(report.converted) == len(sha256s), report.summary()
    assert report.runs == 1, report.summary()
    return seconds, report


def run(quick: bool) -> list[dict]:
    db, sha256s = demo_documents()
    if quick:
        sha256s = sha256s[:12]  # the first 12 published, both ways
    runner = SofficeRunner()
    runner.version()  # asked once per process, outside the timings
    repeat = 1 if quick else 3
    samples = []
    report = ConversionReport()
    for _ in range(repeat):
        forget_pdfs(db)
        seconds, report = batch(db, sha256s, runner)
        samples.append(seconds)
    govkit_seconds = statistics.median(samples)
    baseline_seconds = one_process_per_document(db, sha256s)

    started = time.perf_counter()
    again = convert_pending(db, sha256s=sha256s, runner=runner)
    again_seconds = time.perf_counter() - started
    assert again.converted == [], again.summary()  # re-converting unchanged variants: 0 conversions
    assert again.runs == 0, again.summary()
    assert len(again.cached) == len(sha256s), again.summary()

    count = len(sha256s)
    ratio = baseline_seconds / govkit_seconds
    return [
        row(
            f"PDF/A of every demo variant ({count}), one LibreOffice run",
            unit="s",
            govkit=govkit_seconds,
            baseline=baseline_seconds,
            baseline_name=f"one soffice --convert-to pdf process per document ({count} processes)",
            ratio=ratio,
            target=">= 4.0 (speed vs one process per document)",
            holds=ratio >= 4.0,
            note=(
                "convert_pending: one soffice run (fresh profile, PDF/A-2b export), each PDF checked with "
                "pikepdf and stored in SQLite; median of the samples. Baseline: plain PDF, no check, nothing "
                "stored, one profile created beforehand (untimed), run once"
            ),
            samples=[round(s, 2) for s in samples],
            ms_per_document=round(1000 * govkit_seconds / count, 1),
            baseline_ms_per_document=round(1000 * baseline_seconds / count, 1),
            converted=len(report.converted),
            failed=len(report.failed),
        ),
        row(
            f"re-convert unchanged variants ({count})",
            unit="s",
            govkit=again_seconds,
            baseline=govkit_seconds,
            baseline_name="the first conversion",
            ratio=again_seconds / govkit_seconds,
            target="0 conversions",
            holds=not again.converted and again.runs == 0,
            digits=3,
            converted=len(again.converted),
            cached=len(again.cached),
        ),
    ]


if __name__ == "__main__":
    for result in run(quick=False):
        print(result)
