"""A real `govkit worker` process seals the receipts on PostgreSQL: the sealing job (as its cron
defers it) makes, seals and stores every pending receipt, time-stamped by the local TSA."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import govkit.tasks  # noqa: F401 - registers the sealing tasks
from govkit import migrations
from govkit.acknowledgements.sealing import SEAL_PENDING
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.jobs.queue import PostgresQueue
from govkit.proof.demo_pki import DemoPki
from govkit.proof.pades import verify_pdf
from tests.ack_helpers import acknowledge, member, publish_minimal_internal, someone
from tests.conftest import BACKENDS, fresh_database_url
from tests.proof_pki import LocalTsa
from tests.system.test_serving import environment

SCHOOL = "imt-atlantique"
ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_process_seals_every_pending_receipt(demo_pki: DemoPki, tsa: LocalTsa, tmp_path: Path) -> None:
    if "postgresql" not in BACKENDS:
        pytest.fail("`govkit worker` runs on PostgreSQL (GOVKIT_TEST_DATABASES excludes it)")
    url = fresh_database_url("postgresql", "govkit_test_seal_worker", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=12)
    document = publish_minimal_internal(db, SCHOOL)
    students = [someone(db, SCHOOL, "student", only=False, skip=n) for n in range(3)]
    codes = {
        acknowledge(
            db=db, actor=member(db, SCHOOL, s), document_version_id=document.id, shown_sha256=document.sha256
        ).record.verification_code
        for s in students
    }
    env = {
        **environment(url),
        "GOVKIT_JOB_POLL_SECONDS": "0.2",
        "GOVKIT_SEAL_CERTIFICATE": str(demo_pki.certificate),
        "GOVKIT_SEAL_KEY": str(demo_pki.key),
        "GOVKIT_TSA_URL": tsa.url,
        "GOVKIT_PUBLIC_URL": "https://govkit.example.fr",
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "govkit", "worker", "--concurrency", "1"],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        with db.transaction() as session:
            PostgresQueue().defer(session, SEAL_PENDING, key=f"cron:{SEAL_PENDING}")
        deadline = time.monotonic() + 90
        while True:
            with db.reading() as session:
                rows = session.execute(
                    sa.text(
                        "SELECT a.verification_code, s.status, s.pdf, s.tsa_name FROM sealed_receipt s "
                        "JOIN acknowledgement a ON a.id = s.acknowledgement_id"
                    )
                ).all()
            if len(rows) == len(codes):
                break
            if time.monotonic() > deadline or worker.poll() is not None:
                pytest.fail(f"receipts sealed: {len(rows)} of {len(codes)}\n{log.read_text()[-3000:]}", pytrace=False)
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        engine.dispose()
    assert {r.verification_code for r in rows} == codes
    assert {r.status for r in rows} == {"sealed"}
    for r in rows:
        report = verify_pdf(bytes(r.pdf), [demo_pki.ca_certificate], [tsa.root_path])
        assert report.ok, report.reason
        assert report.timestamp_time is not None and "govkit test TSA" in (r.tsa_name or "")
        assert report.data is not None and report.data["receipt"]["verification_code"] == r.verification_code
    assert worker.returncode == -signal.SIGTERM
