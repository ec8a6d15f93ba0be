"""Sealing PDF receipts in the job engine vs pyHanko signing the same PDFs alone; and how far the
sealing lags behind a burst of acknowledgements.

    python bench/seal.py [--quick] [--receipts N] [--burst M]

A new PostgreSQL database with the IMT schools, their documents and campaigns, and N
acknowledgements (bench/scale.py: 1,000; 300 with --quick); the demo PKI (in the scratch
directory) as the sealing identity; no time-stamping authority (PAdES B-B: the signature is all
the sealing there is to compare). One real ``govkit worker --concurrency 1`` process, started
and idle beforehand, with its every-minute ``receipts.seal_pending`` cron.

Throughput, alternately (runs start right after a minute's tick, so that the cron's own run does
not overlap the measured one; both hold the same lock):

- govkit: every sealed receipt deleted and one ``receipts.seal_pending`` job deferred, in one
  transaction; the worker reads the acknowledgements, MAKES each receipt (fpdf2, PDF/A-2b),
  checks it (PDF/A check, pikepdf), SEALS it (pyHanko) and stores it, 200 per transaction.
  Time: from the commit to the last receipt stored.
- baseline: pyHanko's ``PdfSigner`` sealing the same receipts' PDFs, one after the other in this
  process, with the same signer object (govkit's: pyHanko's SimpleSigner keeping its loaded key)
  and the same signature parameters (the room reserved for the signature included: govkit
  reserves what pyHanko's estimate gave for its first seal), and nothing else. The PDFs are made BEFOREHAND and not
  timed: govkit's figure includes making them, the baseline's does not. pyHanko's stock
  SimpleSigner (which loads the key again for each signature) is timed too, for information.

Lag: the worker still running, a burst of M acknowledgements (200; 100 with --quick) recorded
through the service (``acknowledge``, 4 threads, the recorder batching them); then the seconds
from the last acknowledgement committed to the last of their receipts sealed, and its parts: the
wait for the cron's next tick, and the sealing after it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.common import SCRATCH, drop_postgres, fresh_database, row, start_worker_process
from bench.scale import generate
from govkit.access.roles import Principal, Role
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.recorder import build_recorder
from govkit.acknowledgements.sealing import SEAL_PENDING, receipts_of
from govkit.db import Database, create_db_engine, table_of, utcnow
from govkit.jobs.queue import PostgresQueue
from govkit.jobs.registry import import_task_modules
from govkit.models import Acknowledgement, SealedReceipt
from govkit.proof.demo_pki import create_demo_pki
from govkit.proof.identity import SealingIdentity
from govkit.proof.pades import REASON, SEAL_FIELD, reserved_size, seal_pdf
from govkit.proof.receipt_pdf import ReceiptContext, receipt_pdf
from govkit.proof.sealer import Sealer
from govkit.settings import Settings

TARGET = 0.5
PUBLIC_URL = "https://govkit.imt.example"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
LOCK = f"cron:{SEAL_PENDING}"  # the cron's own lock: the measured run and the cron's never overlap


def settings_for(url: str, pki_dir: Path) -> Settings:
    pki = create_demo_pki(pki_dir)
    return Settings(
        database_url=url,
        secret_key=SECRET,
        public_url=PUBLIC_URL,
        seal_certificate=pki.certificate,
        seal_key=pki.key,
        seal_trust_roots=[pki.ca_certificate],
    )


def start_worker(settings: Settings, db: Database, logs: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GOVKIT_DATABASE_URL": settings.database_url,
        "GOVKIT_SECRET_KEY": SECRET,
        "GOVKIT_PUBLIC_URL": PUBLIC_URL,
        "GOVKIT_SEAL_CERTIFICATE": str(settings.seal_certificate),
        "GOVKIT_SEAL_KEY": str(settings.seal_key),
        "GOVKIT_RENDER_WORKERS": "0",
        "GOVKIT_GRANT_CACHE_SECONDS": "0",
        "GOVKIT_JOB_POLL_SECONDS": "0.5",
    }
    return start_worker_process(db, env, logs / "seal-worker.log", concurrency=1)


def after_next_tick(margin: float = 1.5) -> None:
    """Sleep until ``margin`` seconds after the next minute's tick (the cron's)."""
    now = time.time()
    time.sleep(60 - now % 60 + margin)


def counts(db: Database) -> dict[str, int]:
    table = table_of(SealedReceipt)
    with db.reading() as session:
        return dict(session.execute(sa.select(table.c.status, sa.func.count()).group_by(table.c.status)).all())


def wait_sealed(db: Database, expected: int, timeout: float, logs: Path) -> datetime:
    """The time the ``expected``-th receipt was stored (its row's updated_at)."""
    deadline = time.monotonic() + timeout
    while True:
        found = counts(db)
        if sum(found.values()) >= expected:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"receipts {found} of {expected} after the deadline; see {logs}")
        time.sleep(0.2)
    if found.get("sealed", 0) != sum(found.values()):
        raise RuntimeError(f"receipts {found}: not all sealed; see {logs}")
    with db.reading() as session:
        return session.execute(sa.select(sa.func.max(table_of(SealedReceipt).c.updated_at))).scalar_one()


def engine_throughput(db: Database, count: int, logs: Path) -> float:
    after_next_tick()
    with db.transaction() as session:
        session.execute(sa.delete(table_of(SealedReceipt)))
        PostgresQueue().defer(session, SEAL_PENDING, key=LOCK)
    committed = datetime.now(UTC)
    last = wait_sealed(db, count, 120 + count, logs)
    return count / (last - committed).total_seconds()


def unsealed_pdfs(db: Database, sealer: Sealer, ids: list[int]) -> list[tuple[bytes, int, tuple[int, int, int, int]]]:
    """The receipts as govkit lays them out before sealing (same words, same seal box): the
    baseline's input, made beforehand."""
    identity = sealer.identity
    assert identity is not None
    name = str(identity.certificate.subject.native.get("common_name"))
    made = []
    with db.reading() as session:
        for start in range(0, len(ids), 500):
            for receipt in receipts_of(session, ids[start : start + 500]):
                data = receipt.to_json()
                context = ReceiptContext(
                    verify_url=sealer.verify_url(receipt.record.verification_code),
                    chain_count=len(ids),
                    sealer=name,
                    tsa=None,
                    demo=True,
                    made_at=utcnow(),
                )
                layout = receipt_pdf(data, context, sealer.fonts)
                made.append((layout.pdf, layout.seal_page, layout.seal_box))
    return made


def pyhanko_throughput(
    pdfs: list[tuple[bytes, int, tuple[int, int, int, int]]], identity: SealingIdentity, signer: object
) -> float:
    """pyHanko alone: PdfSigner with the same parameters as govkit.proof.pades, one PDF after another."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=REASON,
        name=identity.subject,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    style = StaticStampStyle(border_width=1, background=None, background_opacity=1.0)
    first, page, box = pdfs[0]
    seal_pdf(first, identity, page=page, box=box)  # govkit's room for the signature, as its seals reserve
    reserved = reserved_size(identity, timestamped=False)
    started = time.perf_counter()
    for pdf, page, box in pdfs:
        spec = fields.SigFieldSpec(SEAL_FIELD, on_page=page, box=box)
        pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=spec)  # type: ignore[arg-type]
        pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=reserved)
    return len(pdfs) / (time.perf_counter() - started)


def stock_signer(settings: Settings) -> object:
    from pyhanko.sign.signers import SimpleSigner

    return SimpleSigner.load(str(settings.seal_key), str(settings.seal_certificate))


def burst_pairs(db: Database, count: int) -> list[tuple[Principal, int, str]]:
    """``count`` (member, document version, SHA-256) not acknowledged yet, of the open campaigns."""
    query = sa.text(
        "SELECT p.id, p.organisation_id, o.code, p.external_id, d.id, d.sha256 FROM campaign c "
        "JOIN document_version d ON d.id = c.document_version_id "
        "JOIN organisation o ON o.id = c.organisation_id "
        "JOIN campaign_population cp ON cp.campaign_id = c.id "
        "JOIN person_population pp ON pp.population = cp.population AND pp.valid_to IS NULL "
        "JOIN person p ON p.id = pp.person_id AND p.organisation_id = c.organisation_id AND p.status = 'active' "
        "WHERE c.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM acknowledgement a "
        "  WHERE a.person_id = p.id AND a.document_version_id = d.id) "
        "GROUP BY p.id, p.organisation_id, o.code, p.external_id, d.id, d.sha256 ORDER BY p.id, d.id LIMIT :n"
    )
    with db.reading() as session:
        rows = session.execute(query, {"n": count}).all()
    return [
        (
            Principal(
                role=Role.MEMBER,
                subject=f"bench:{code}:{external}",
                organisation_id=org,
                organisation_code=code,
                person_id=person,
                auth_method="govkit_token",
            ),
            version,
            sha,
        )
        for person, org, code, external, version, sha in rows
    ]


def burst_lag(db: Database, count: int, logs: Path) -> dict[str, float]:
    """Record a burst of acknowledgements; seconds from the last one to its receipt sealed."""
    pairs = burst_pairs(db, count)
    before = sum(counts(db).values())
    lanes = [pairs[i::4] for i in range(4)]
    errors: list[BaseException] = []

    def lane(items: list[tuple[Principal, int, str]]) -> None:
        async def go() -> None:
            recorder = build_recorder(db)
            try:
                for actor, version, sha in items:
                    await acks.acknowledge(
                        recorder=recorder, actor=actor, document_version_id=version, shown_sha256=sha
                    )
            finally:
                await recorder.close()

        try:
            asyncio.run(go())
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=lane, args=(items,)) for items in lanes]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorded = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"the burst failed: {errors[0]}")
    with db.reading() as session:
        table = table_of(Acknowledgement)
        last_ack = session.execute(sa.select(sa.func.max(table.c.acknowledged_at))).scalar_one()
    done = wait_sealed(db, before + len(pairs), 180 + len(pairs), logs)
    next_tick = (last_ack.timestamp() // 60 + 1) * 60
    lag = (done - last_ack).total_seconds()
    wait = max(0.0, next_tick - last_ack.timestamp())
    return {
        "acknowledgements": len(pairs),
        "recording_s": round(recorded, 1),
        "lag_s": round(lag, 1),
        "wait_for_tick_s": round(wait, 1),
        "sealing_after_tick_s": round(lag - wait, 1),
    }


def measure(count: int, burst: int, repeats: int) -> dict:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    url = fresh_database("postgresql", "seal")
    generate(url, persons=max(2000, count * 2), acknowledgements=count)
    engine = create_db_engine(url)
    db = Database(engine)
    settings = settings_for(url, SCRATCH / "seal-pki")
    import_task_modules(["govkit.tasks"])
    sealer = Sealer(settings)
    identity = sealer.identity
    assert identity is not None
    worker = None
    figures: dict = {"govkit": [], "pyhanko": [], "stock": []}
    try:
        with db.reading() as session:
            ids = [int(i) for i in session.execute(sa.select(table_of(Acknowledgement).c.id).order_by("id")).scalars()]
        made_started = time.perf_counter()
        pdfs = unsealed_pdfs(db, sealer, ids)
        figures["making_per_s"] = len(pdfs) / (time.perf_counter() - made_started)
        worker = start_worker(settings, db, SCRATCH)
        for _ in range(repeats):
            figures["govkit"].append(engine_throughput(db, len(ids), SCRATCH))
            figures["pyhanko"].append(pyhanko_throughput(pdfs, identity, identity.signer))
        figures["stock"].append(pyhanko_throughput(pdfs[: min(len(pdfs), 200)], identity, stock_signer(settings)))
        figures["count"] = len(ids)
        figures["lag"] = burst_lag(db, burst, SCRATCH)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
        engine.dispose()
        drop_postgres(url)
    return figures


def run(quick: bool, receipts: int | None = None, burst: int | None = None) -> list[dict]:
    count = receipts or (300 if quick else 1000)
    measured = measure(count, burst or (100 if quick else 200), 1 if quick else 3)
    govkit, raw = statistics.median(measured["govkit"]), statistics.median(measured["pyhanko"])
    ratio = govkit / raw
    lag = measured["lag"]
    return [
        row(
            f"seal {measured['count']:,} PDF receipts: job engine (1 govkit worker: make PDF/A + check + seal + "
            "store) vs pyHanko PdfSigner alone on the same PDFs made beforehand (same signer and parameters)",
            unit="receipts/s",
            govkit=govkit,
            baseline=raw,
            baseline_name="pyHanko alone",
            ratio=ratio,
            target=f">= {TARGET} (throughput vs pyHanko alone)",
            holds=ratio >= TARGET,
            digits=1,
            runs_govkit=[round(v, 1) for v in measured["govkit"]],
            runs_baseline=[round(v, 1) for v in measured["pyhanko"]],
            pyhanko_stock_simplesigner_per_s=round(statistics.median(measured["stock"]), 1),
            making_pdfs_alone_per_s=round(measured["making_per_s"], 1),
            burst_lag=lag,
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 receipts, a burst of 100, one run")
    parser.add_argument("--receipts", type=int, default=None, help="this many receipts instead")
    parser.add_argument("--burst", type=int, default=None, help="a burst of this many acknowledgements instead")
    args = parser.parse_args()
    print(json.dumps(run(args.quick, args.receipts, args.burst), indent=2))
