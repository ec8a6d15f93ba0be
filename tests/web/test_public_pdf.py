"""The public PDF of a document in force, end to end on both databases: asked for before it
exists, it is 503 with Retry-After and its conversion is queued; the job (real LibreOffice, one
run) converts it; the same address then serves a PDF/A-2b whose text holds every required
clause of its kind, at the in-force and at the permanent address. One conversion per backend."""

from __future__ import annotations

import hashlib
import io
import re

import pypdf
import sqlalchemy as sa

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import service as documents
from govkit.documents.inspect import body_paragraphs
from govkit.documents.kinds import catalogue
from govkit.documents.pdfa import check_pdfa
from govkit.documents.renditions import CONVERT_RENDITIONS
from tests.ack_helpers import current
from tests.conftest import Api, make_settings

SCHOOL = "imt-atlantique"
BASE = "https://govkit.example.fr"
CONVERSION_SECONDS = 240


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def test_the_public_pdf_is_made_on_demand_and_is_pdfa_with_the_required_clauses(db: Database) -> None:
    api = Api(db, make_settings(public_url=BASE, jobs_in_process=True))
    document = current(db, SCHOOL)
    address = f"/public/{SCHOOL}/internal.fr.pdf"

    pending = api.request("GET", address)  # anonymous
    assert pending.status_code == 503, pending.text
    assert pending.headers["retry-after"] == "30"
    assert pending.json()["code"] == "UNAVAILABLE"
    with db.reading() as session:
        queued = session.execute(
            sa.text("SELECT task_name, args FROM inprocess_job WHERE key = :key"),
            {"key": f"renditions:{document.sha256}"},
        ).all()
    assert [(name, args if isinstance(args, dict) else None) for name, args in queued][:1] in (
        [(CONVERT_RENDITIONS, {"sha256s": [document.sha256]})],
        [(CONVERT_RENDITIONS, None)],  # args as JSON text on SQLite
    )
    again = api.request("GET", address)  # asked again while it converts: still one job
    assert again.status_code in (200, 503)

    api.app.state.wiring.jobs.drain(timeout=CONVERSION_SECONDS)
    served = api.request("GET", address)
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["etag"] == f'"{document.sha256}"'
    assert served.headers["content-disposition"] == (
        f'inline; filename="reglement-interieur-{SCHOOL}-v{document.number}.fr.pdf"'
    )
    assert served.headers["link"] == f'<{BASE}/public/documents/{document.sha256}.pdf>; rel="canonical"'
    pdf = served.content
    assert pdf.startswith(b"%PDF-")
    check = check_pdfa(pdf)
    assert check.passed, check.reason
    assert (check.part, check.conformance) == (2, "B")
    text = _words(" ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    # every required clause is there: the heading (first paragraph) of each, as the .docx has it
    docx = documents.download(db=db, actor=SYSTEM, sha256=document.sha256).data
    headings: dict[str, str] = {}
    for key, _style, words in body_paragraphs(docx):
        if key is not None and words.strip():
            headings.setdefault(key, words)
    required = catalogue().kind("internal").required_clauses
    assert set(required) <= set(headings)
    missing = [key for key in required if _words(headings[key]) not in text]
    assert missing == [], (missing, [headings[k] for k in missing])
    assert "imt atlantique" in text

    permanent = api.request("GET", f"/public/documents/{document.sha256}.pdf")
    assert permanent.status_code == 200
    assert hashlib.sha256(permanent.content).digest() == hashlib.sha256(pdf).digest()
    assert permanent.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert api.request("GET", address, headers={"If-None-Match": f'"{document.sha256}"'}).status_code == 304
    with db.reading() as session:
        jobs = session.execute(
            sa.text("SELECT status FROM inprocess_job WHERE key = :key"), {"key": f"renditions:{document.sha256}"}
        ).all()
    # a second job, if the second request came while the first ran (not queued any more), found it done
    assert {status for (status,) in jobs} == {"succeeded"}
    assert len(jobs) <= 2
    with db.reading() as session:
        stored = session.execute(
            sa.text("SELECT count(*) FROM document_rendition WHERE source_sha256 = :s AND format = 'pdf'"),
            {"s": document.sha256},
        ).scalar_one()
    assert stored == 1
