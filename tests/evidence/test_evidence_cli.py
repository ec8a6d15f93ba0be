"""`govkit evidence` as a user runs it, on a database of its own per backend: the JSON file, the Word
document LibreOffice opens, the audit entry, one clear line for an unknown person."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from sqlmodel import select

from govkit import migrations
from govkit.access.audit import AuditEvent
from govkit.acknowledgements import chain
from govkit.days import utc_today
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.documents.pdfa import check_pdfa
from govkit.evidence.service import AUDIT_ACTION
from govkit.proof.pades import verify_pdf
from tests.ack_helpers import acknowledge, member, publish_minimal_internal, someone
from tests.conftest import BACKENDS, SECRET, fresh_database_url

SCHOOL = "imt-atlantique"


@pytest.fixture(params=BACKENDS)
def acknowledged(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Database, str, str]]:
    """A database where one student acknowledged the internal regulation: (url, db, person, code)."""
    url = fresh_database_url(request.param, "govkit_test_evidence_cli", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=4)
    document = publish_minimal_internal(db, SCHOOL)
    student = someone(db, SCHOOL, "student", only=False)
    receipt = acknowledge(db=db, actor=member(db, SCHOOL, student), document_version_id=document.id)
    yield url, db, student, receipt.record.verification_code
    engine.dispose()


def govkit(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVKIT_DATABASE_URL": url, "GOVKIT_SECRET_KEY": SECRET, "GOVKIT_ENV": "dev"}
    return subprocess.run(
        [sys.executable, "-m", "govkit", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_govkit_evidence_json_and_docx(acknowledged: tuple[str, Database, str, str], tmp_path: Path) -> None:
    url, db, student, code = acknowledged
    today = utc_today().isoformat()
    given = ("evidence", "--school", SCHOOL, "--person", student, "--date", today)
    result = govkit(*given, url=url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "govkit.evidence/1"
    assert data["person"]["external_id"] == student and data["date"] == today
    kinds = {k["kind"]: k for k in data["kinds"]}
    internal = kinds["internal"]
    assert internal["standing"] == "acknowledged"
    assert internal["acknowledgement"]["verification_code"] == code
    assert internal["version"]["number"] == 1 and internal["version"]["effective_to"] is None
    assert kinds["study"]["standing"] == "no_version"
    link = internal["acknowledgement"]["chain"]
    assert link["verified"] and link["position"] == 1 and link["previous_hash"] == chain.GENESIS_HASH
    assert data["chain_head"]["hash"] == link["record_hash"]

    target = tmp_path / "dossier.docx"
    written = govkit(*given, "--format", "docx", "-o", str(target), "--lang", "en", url=url, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert target.read_bytes()[:2] == b"PK"

    # the sealed PDF/A: in dev, sealed with the demo PKI govkit made in its working directory
    sealed = tmp_path / "dossier.pdf"
    written = govkit(*given, "--format", "pdf", "-o", str(sealed), url=url, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    pdf = sealed.read_bytes()
    assert check_pdfa(pdf).passed, check_pdfa(pdf).reason
    report = verify_pdf(pdf, [tmp_path / ".govkit-pki" / "demo-ca.pem"])
    assert [c.name for c in report.checks if not c.ok] == ["data"]  # sealed and whole; no receipt data in it
    text = "".join("".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert code in text and "Scelléélectroniquementpar" in text

    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION)).all()
    assert len(events) == 3 and all(e.subject == "system" and e.correlation_id == "cli" for e in events)

    missing = govkit("evidence", "--school", SCHOOL, "--person", "NOBODY", "--date", today, url=url, cwd=tmp_path)
    assert missing.returncode == 1
    assert "No person with external id 'NOBODY'" in missing.stderr and "Traceback" not in missing.stderr
    wrong = govkit(*given[:-1], "2025-02-30", url=url, cwd=tmp_path)
    assert wrong.returncode == 1 and "is not a date" in wrong.stderr

    if url.startswith("sqlite"):  # the same document on both databases: converted once
        _libreoffice_opens(target, tmp_path, code)


def _libreoffice_opens(document: Path, tmp_path: Path, code: str) -> None:
    """LibreOffice converts the document to PDF, and reads its text back (statement, receipt code)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is required (Debian package libreoffice-writer-nogui; scripts/test installs it)"
    for target in ("pdf", "txt:Text (encoded):UTF8"):
        result = subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path / "out"),
                str(document),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    pdf = (tmp_path / "out" / "dossier.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 2
    text = (tmp_path / "out" / "dossier.txt").read_text(encoding="utf-8-sig")
    assert "had acknowledged version 1" in text
    assert code in text
