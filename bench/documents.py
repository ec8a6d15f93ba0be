"""Documents: rendering school variants and reading their clauses, beside docxtpl and lxml."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import shutil
import sqlite3
import statistics
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from docxtpl import DocxTemplate  # type: ignore[import-untyped]  # docxtpl publishes no types
from lxml import etree
from sqlmodel import select

from bench.common import SCRATCH, fresh_database, row
from govkit.access.roles import SYSTEM
from govkit.db import Database, create_db_engine
from govkit.demo.dataset import read_dataset
from govkit.demo.documents import publish_root_template
from govkit.demo.loader import load_demo
from govkit.documents import jobs, service
from govkit.documents.build import build_docx
from govkit.documents.context import DocumentInfo, build_context
from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import LANGUAGES, TEMPLATES_DIR, catalogue
from govkit.documents.models import Blob, Variant
from govkit.documents.render import compile_template, render
from govkit.documents.source import read_source, source_files
from govkit.documents.workers import WorkerPool
from govkit.organisations.vocabulary import OrganisationType
from govkit.settings import Settings


def contexts(kind: str, language: str) -> list[dict]:
    dataset, _ = read_dataset()
    spec = catalogue().kind(kind)
    return [
        build_context(
            code=o.code,
            profile=o.profile,
            campuses=sorted(((c.code, c.name) for c in o.campuses), key=lambda c: c[1]),  # as the service orders them
            document=DocumentInfo(kind, language, spec.title.get(language), 1),
        )
        for o in dataset.organisations
        if o.type is OrganisationType.SCHOOL
    ]


def interleaved_medians(functions: list[Callable[[], object]], repeat: int) -> list[float]:
    """The median time of each function, timed in turn: a machine busy with other work slows them alike."""
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, times in zip(functions, samples, strict=True):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def plain_docxtpl(template: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bench_render(repeat: int) -> list[dict]:
    template = build_docx(read_source(TEMPLATES_DIR / "fr" / "internal.md"), catalogue())
    schools = contexts("internal", "fr")
    compiled = compile_template(template)

    def govkit_all() -> None:
        for context in schools:
            render(compiled, context)

    def docxtpl_all() -> None:
        for context in schools:
            plain_docxtpl(template, context)

    ours, raw = (seconds / len(schools) for seconds in interleaved_medians([govkit_all, docxtpl_all], repeat))
    fresh = render(compile_template(template), schools[0])
    assert render(compiled, schools[0]) == fresh, "a reused compiled template must give the same bytes"
    return [
        {
            "name": "render a school variant (internal regulation, fr)",
            "unit": "ms/document",
            "govkit": round(ours * 1000, 2),
            "baseline": round(raw * 1000, 2),
            "baseline_name": "plain docxtpl",
            "ratio": round(raw / ours, 2),
            "target": ">= 2.0 (throughput vs docxtpl)",
            "holds": raw / ours >= 2.0,
        }
    ]


def bench_read(repeat: int) -> list[dict]:
    template = build_docx(read_source(TEMPLATES_DIR / "fr" / "internal.md"), catalogue())
    variant = render(compile_template(template), contexts("internal", "fr")[0])
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}

    def raw_lxml() -> list[str]:
        with zipfile.ZipFile(io.BytesIO(variant)) as archive:
            root = etree.fromstring(archive.read("word/document.xml"))
        return [t[len("govkit:clause:") :] for t in root.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=ns)]

    assert raw_lxml() == clause_keys(variant)
    ours, raw = interleaved_medians([lambda: clause_keys(variant), raw_lxml], repeat * 5)
    return [
        {
            "name": "read the clauses back from a variant",
            "unit": "ms/document",
            "govkit": round(ours * 1000, 3),
            "baseline": round(raw * 1000, 3),
            "baseline_name": "zipfile + lxml",
            "ratio": round(ours / raw, 2),
            "target": "<= 1.5 (time vs zipfile + lxml)",
            "holds": ours / raw <= 1.5,
        }
    ]


T = TypeVar("T")

# --- every demo variant, through the real govkit path --------------------------------------------

#: As on a 2-core machine (and the default of GOVKIT_RENDER_WORKERS).
PROCESSES = 2


def _pool() -> WorkerPool:
    settings = Settings()
    return WorkerPool(processes=PROCESSES, timeout=settings.render_timeout_seconds, memory_mb=settings.render_memory_mb)


def _warm(pool: WorkerPool) -> None:
    """Start every worker process (imports done, no template compiled yet): start-up is not timed."""
    list(pool.map(jobs.warm_up, [()] * PROCESSES))


def _cpu_seconds(pool: WorkerPool) -> float:
    """CPU time used so far by this process (every thread) and by the pool's workers (Linux /proc)."""
    total = time.process_time()
    executor = getattr(pool, "_executor", None)
    for process in list(getattr(executor, "_processes", {}).values()):
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def demo_database() -> Path:
    """What `govkit demo` does before rendering: the IMT demo data and every root template, published.

    Built once; each timed run starts from a copy of this file, where no variant is stored yet.
    """
    url = fresh_database("sqlite", "documents_demo")
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db)
    pool = _pool()
    try:
        for path in source_files():
            publish_root_template(db=db, pool=pool, max_bytes=Settings().upload_max_bytes, path=path)
    finally:
        pool.close()
    engine.dispose()
    path = _sqlite_path(url)
    with sqlite3.connect(path) as conn:  # everything in the main file, so that a copy is complete
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _copy(source: Path, name: str) -> Database:
    target = SCRATCH / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return Database(create_db_engine(f"sqlite:///{target}"))


def render_everything(db: Database, pool: WorkerPool) -> list[service.RenderSummary]:
    """The real govkit path (as `govkit render --all` and `govkit demo`): every kind, both languages."""
    return [
        service.render_variants(db=db, actor=SYSTEM, pool=pool, kind=kind, language=language)
        for kind in catalogue().kinds
        for language in LANGUAGES
    ]


def timed(function: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def pairs() -> list[tuple[str, str, bytes, list[dict]]]:
    """The (root template, contexts) of every kind and language: 8 schools each."""
    found = []
    for path in source_files():
        source = read_source(path)
        found.append(
            (source.kind, source.language, build_docx(source, catalogue()), contexts(source.kind, source.language))
        )
    return found


def check_variants(db: Database, templates: list[tuple[str, str, bytes, list[dict]]], strict: bool) -> int:
    """Every stored variant has the bytes of a fresh render of its template and context (same inputs hash).

    ``strict`` compiles the template afresh for every variant; otherwise once per template, in this process
    (independently of what the workers compiled and reused).
    """
    with db.reading() as session:
        stored = {v.inputs_sha256: v.sha256 for v in session.exec(select(Variant)).all()}
        checked = 0
        for _kind, _language, template, schools in templates:
            digest = hashlib.sha256(template).hexdigest()
            compiled = None if strict else compile_template(template)
            for context in schools:
                inputs = service.variant_inputs_sha256(digest, context)
                assert inputs in stored, "every school's variant is stored, from this very context"
                blob = session.get(Blob, stored[inputs])
                assert blob is not None
                fresh = render(compiled if compiled is not None else compile_template(template), context)
                assert blob.data == fresh, "a stored variant must have the bytes of a fresh render"
                checked += 1
    assert checked == len(stored), "no other variant is stored"
    return checked


#: The least throughput of rendering every demo variant, in times plain docxtpl's on as many processes.
ALL_VARIANTS_RATIO = 2.0


def _plain_pool(jobs: list[tuple[bytes, dict]]) -> ProcessPoolExecutor:
    """The baseline's processes, started, docxtpl imported and every render run once before any timing."""
    pool = ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("fork"))
    _plain_render_all(pool, jobs)
    return pool


def _plain_render_all(pool: ProcessPoolExecutor, jobs: list[tuple[bytes, dict]]) -> list[bytes]:
    """What a competent engineer would write with docxtpl alone: each document rendered in the pool."""
    documents = list(pool.map(plain_docxtpl, *zip(*jobs, strict=True)))
    assert len(documents) == len(jobs)
    return documents


def bench_all_variants(quick: bool) -> list[dict]:
    repeat = 3 if quick else 5
    templates = pairs()
    count = sum(len(schools) for *_, schools in templates)
    source = demo_database()
    first: list[float] = []
    again: list[float] = []
    cpus: list[float] = []  # CPU seconds of the first full render, this process and the workers
    renders: list[int] = []  # when rendering everything again, unchanged
    reuses: list[int] = []
    plain: list[float] = []  # the baseline, timed in turns with govkit
    jobs = [(template, context) for _kind, _language, template, schools in templates for context in schools]
    baseline_pool = _plain_pool(jobs)
    for attempt in range(repeat):
        plain.append(timed(lambda: _plain_render_all(baseline_pool, jobs))[0])
        db = _copy(source, "documents_demo_run")
        pool = _pool()
        try:
            _warm(pool)
            cpu = _cpu_seconds(pool)
            seconds, summaries = timed(lambda: render_everything(db, pool))  # noqa: B023
            cpus.append(_cpu_seconds(pool) - cpu)
            assert not any(s.failures for s in summaries), [s.failures for s in summaries]
            assert sum(s.rendered for s in summaries) == count, "every variant is rendered once"
            first.append(seconds)
            seconds, summaries = timed(lambda: render_everything(db, pool))  # noqa: B023
            again.append(seconds)
            renders.append(sum(s.rendered for s in summaries))
            reuses.append(sum(s.reused for s in summaries))
            if attempt == 0:
                assert check_variants(db, templates, strict=not quick) == count
        finally:
            pool.close()
            db.bind.dispose()  # type: ignore[union-attr]
    baseline_pool.shutdown()
    raw = statistics.median(plain)
    ours = statistics.median(first)
    kinds = len(catalogue().kinds)
    rerender = statistics.median(again)
    return [
        row(
            f"all demo variants ({count // (2 * kinds)} schools × {kinds} kinds × fr/en)",
            unit="s",
            govkit=ours,
            baseline=raw,
            baseline_name=f"plain docxtpl, {count} renders, {PROCESSES} processes",
            ratio=raw / ours,
            target=f">= {ALL_VARIANTS_RATIO} (throughput vs plain docxtpl on as many processes)",
            holds=raw / ours >= ALL_VARIANTS_RATIO,
            note=f"render_variants for each kind and language, {PROCESSES} worker processes started and warmed "
            f"before timing (no template compiled), variants stored in SQLite; median of {repeat}, in turns with "
            f"the baseline (every render by docxtpl in a pool of {PROCESSES} processes, started before timing, "
            "the documents sent back, nothing stored); cpu_seconds: CPU time of this process and the workers "
            "during the render",
            samples=[round(s, 3) for s in first],
            baseline_samples=[round(s, 3) for s in plain],
            cpu_seconds=round(statistics.median(cpus), 2),
        ),
        row(
            "re-render unchanged inputs (every demo variant)",
            unit="s",
            govkit=rerender,
            baseline=ours,
            baseline_name="the first full render",
            ratio=rerender / ours,
            target="0 renders",
            holds=max(renders) == 0 and min(reuses) == count,
            digits=3,
            rendered=max(renders),
            reused=min(reuses),
        ),
    ]


def run(quick: bool) -> list[dict]:
    repeat = 3 if quick else 9
    return bench_render(repeat) + bench_read(repeat) + bench_all_variants(quick)
