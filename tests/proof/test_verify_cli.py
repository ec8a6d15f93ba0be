"""`govkit verify FILE.pdf` run as a user runs it, on a database of its own (both backends): a
sealed receipt verifies line by line; one changed byte, a file that is not a PDF, a receipt of
another database each end with status 1 and a clear reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from govkit import migrations
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.acknowledgements.sealing import seal_pending
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.proof.demo_pki import DemoPki
from govkit.proof.sealer import Sealer
from tests.ack_helpers import acknowledge, member, publish_minimal_internal
from tests.conftest import BACKENDS, SECRET, fresh_database_url, make_settings
from tests.proof_pki import LocalTsa

SCHOOL = "imt-atlantique"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=BACKENDS)
def sealed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_pki: DemoPki, tsa: LocalTsa
) -> tuple[str, Path, str]:
    """A database of its own with one sealed receipt: its URL, the receipt's PDF file, its code."""
    tmp = tmp_path_factory.mktemp("verify")
    url = fresh_database_url(request.param, "govkit_test_verify", tmp)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=3)
    document = publish_minimal_internal(db, SCHOOL)
    receipt = acknowledge(
        db=db, actor=member(db, SCHOOL, "E00001"), document_version_id=document.id, shown_sha256=document.sha256
    )
    settings = make_settings(
        url, seal_certificate=demo_pki.certificate, seal_key=demo_pki.key, tsa_url=tsa.url, public_url="https://g.test"
    )
    assert seal_pending(db=db, sealer=Sealer(settings)).sealed
    with db.reading() as session:
        row = session.exec(select(SealedReceipt)).one()
    assert row.pdf is not None
    pdf = tmp / "receipt.pdf"
    pdf.write_bytes(row.pdf)
    engine.dispose()
    return url, pdf, receipt.record.verification_code


def verify(*args: str, url: str, demo_pki: DemoPki, tsa: LocalTsa) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOVKIT_DATABASE_URL": url,
        "GOVKIT_SECRET_KEY": SECRET,
        "GOVKIT_SEAL_TRUST_ROOTS": str(demo_pki.ca_certificate),
        "GOVKIT_TSA_TRUST_ROOTS": str(tsa.root_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "govkit", "verify", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_sealed_receipt_verifies_and_one_changed_byte_fails(
    sealed: tuple[str, Path, str], demo_pki: DemoPki, tsa: LocalTsa, tmp_path: Path
) -> None:
    url, pdf, code = sealed
    done = verify(str(pdf), url=url, demo_pki=demo_pki, tsa=tsa)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in ("seal", "integrity", "timestamp", "data", "record", "hash", "chain"):
        assert any(line.startswith(f"ok   {name}:") for line in lines), (name, done.stdout)
    assert "govkit test TSA" in done.stdout and code in done.stderr
    assert "Traceback" not in done.stderr

    changed = bytearray(pdf.read_bytes())
    changed[len(changed) // 2] ^= 0x01
    broken = tmp_path / "changed.pdf"
    broken.write_bytes(bytes(changed))
    done = verify(str(broken), url=url, demo_pki=demo_pki, tsa=tsa)
    assert done.returncode == 1
    assert "FAIL" in done.stdout and done.stderr.startswith("error:") and len(done.stderr.splitlines()) == 1

    offline = verify(str(pdf), "--no-chain", url=url, demo_pki=demo_pki, tsa=tsa)
    assert offline.returncode == 0 and "chain: not checked" in offline.stdout


def test_what_is_not_a_receipt_is_one_clear_line(
    sealed: tuple[str, Path, str], demo_pki: DemoPki, tsa: LocalTsa, tmp_path: Path
) -> None:
    url, _pdf, _code = sealed
    text = tmp_path / "note.pdf"
    text.write_text("hello")
    for args, message in [
        ((str(text),), "is not a PDF"),
        ((str(tmp_path / "missing.pdf"),), "missing.pdf"),
    ]:
        done = verify(*args, url=url, demo_pki=demo_pki, tsa=tsa)
        assert done.returncode != 0
        assert message in done.stderr and "Traceback" not in done.stderr, done.stderr
