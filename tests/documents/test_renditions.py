"""The renditions' cache on both databases, with real LibreOffice: a batch converts what has no PDF
yet in one run (a second call converts nothing), a damaged .docx fails alone and by its name, a PDF
that is not PDF/A is not cached; publishing defers the job that converts the new version; the HTML
is made on demand and cached."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from sqlmodel import select

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.composition import TASK_MODULES
from govkit.db import Database
from govkit.documents import renditions
from govkit.documents.models import Blob
from govkit.documents.ooxml import DOCX_MEDIA_TYPE
from govkit.documents.pdf_conversion import SOFFICE, SofficeRunner
from govkit.documents.pdfa import check_pdfa
from govkit.errors import InvalidInput, NotFound
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.models import InProcessJob, JobFailure
from govkit.jobs.registry import import_task_modules
from tests.ack_helpers import current, republish
from tests.conftest import make_settings
from tests.docx_factory import entry, mutate

SCHOOL = "imt-atlantique"
RUNNER = SofficeRunner()


def _docx(db: Database, sha256: str) -> bytes:
    with db.reading() as session:
        blob = session.get(Blob, sha256)
    assert blob is not None
    return blob.data


def _store(db: Database, data: bytes, media_type: str = DOCX_MEDIA_TYPE) -> str:
    digest = hashlib.sha256(data).hexdigest()
    with db.transaction() as session:
        if session.get(Blob, digest) is None:
            session.add(Blob(sha256=digest, size=len(data), media_type=media_type, data=data))
    return digest


def _edited(db: Database, sha256: str, words: bytes) -> bytes:
    """The stored .docx ``sha256`` with ``words`` added to its first paragraph's text (new bytes)."""
    data = _docx(db, sha256)
    body = entry(data, "word/document.xml")
    edited = re.sub(rb"(<w:t(?: [^>]*)?>)", lambda m: m.group(1) + words + b" ", body, count=1)
    return mutate(data, replace={"word/document.xml": edited})


def test_a_batch_converts_what_is_pending_once_and_a_damaged_docx_fails_alone(db: Database) -> None:
    french, english = current(db, SCHOOL).sha256, current(db, SCHOOL, language="en").sha256
    damaged = _store(db, _docx(db, french)[:4000])  # a truncated package, stored as a .docx
    first = renditions.convert_pending(db, sha256s=[french, damaged, english], runner=RUNNER)
    assert (first.converted, first.cached, first.runs) == ([french, english], [], 1)
    assert list(first.failed) == [damaged]
    assert f"LibreOffice could not convert {damaged}" in first.failed[damaged]
    for sha256 in (french, english):
        pdf = renditions.rendition(db, sha256=sha256, fmt="pdf")
        assert pdf is not None and pdf.startswith(b"%PDF-")
        assert check_pdfa(pdf).passed
    assert renditions.rendition(db, sha256=damaged, fmt="pdf") is None

    again = renditions.convert_pending(db, sha256s=[french, english, french], runner=RUNNER)
    assert (again.converted, again.cached, again.failed, again.runs) == ([], [french, english], {}, 0)


def test_a_pdf_that_is_not_pdfa_is_not_cached(db: Database) -> None:
    sha256 = current(db, SCHOOL, kind="reflex_sheet.student_victim").sha256
    plain = SofficeRunner(export_filter="pdf:writer_pdf_Export")  # LibreOffice's plain PDF 1.x
    report = renditions.convert_pending(db, sha256s=[sha256], runner=plain)
    assert report.converted == [] and list(report.failed) == [sha256]
    assert "is not PDF/A-2b: the XMP metadata does not identify PDF/A-2b" in report.failed[sha256]
    assert "no GTS_PDFA1 output intent" in report.failed[sha256]
    assert renditions.rendition(db, sha256=sha256, fmt="pdf") is None


def test_unknown_documents_and_formats_are_refused(db: Database) -> None:
    with pytest.raises(LookupError, match="No stored document"):
        renditions.rendition(db, sha256="0" * 64, fmt="pdf")
    with pytest.raises(NotFound):
        renditions.html_of(db, sha256="0" * 64, language="fr")
    not_a_docx = _store(db, b"%PDF-1.4 not a document", "application/pdf")
    with pytest.raises(LookupError):
        renditions.rendition(db, sha256=not_a_docx, fmt="html")
    with pytest.raises(InvalidInput, match="use pdf or html"):
        renditions.rendition(db, sha256=current(db, SCHOOL).sha256, fmt="docx")  # type: ignore[arg-type]
    report = renditions.convert_pending(db, sha256s=["1" * 64, not_a_docx], runner=RUNNER)
    assert report.runs == 0 and set(report.failed) == {"1" * 64, not_a_docx}
    assert "is not a .docx (application/pdf)" in report.failed[not_a_docx]


@pytest.fixture
def queue(db: Database) -> Iterator[InProcessQueue]:
    import_task_modules(TASK_MODULES)
    jobs = InProcessQueue(db, make_settings(job_retry_base_seconds=0.05), extras={SOFFICE: RUNNER})
    yield jobs
    jobs.close()


def _jobs(db: Database) -> list[InProcessJob]:
    with db.reading() as session:
        query = select(InProcessJob).where(InProcessJob.task_name == renditions.CONVERT_RENDITIONS)
        return list(session.exec(query).all())


def test_publishing_defers_the_conversion_of_the_new_version(db: Database, queue: InProcessQueue) -> None:
    before = current(db, SCHOOL, kind="study", language="en")  # English: no campaign, no other job
    policy = CampaignPolicy(jobs=queue, renditions=True)
    data = _edited(db, before.sha256, b"(version corrig\xc3\xa9e)")
    published = republish(db, SCHOOL, kind="study", change_kind="editorial", language="en", policy=policy, data=data)
    queue.drain(timeout=180)
    (job,) = _jobs(db)
    assert (job.key, job.args, job.status, job.attempts) == (
        f"renditions:{published.sha256}",
        {"sha256s": [published.sha256]},
        "succeeded",
        1,
    )
    pdf = renditions.rendition(db, sha256=published.sha256, fmt="pdf")
    assert pdf is not None and check_pdfa(pdf).passed

    quiet = CampaignPolicy(jobs=queue)  # renditions off (GOVKIT_RENDITIONS_ON_PUBLISH=false)
    again = _edited(db, before.sha256, b"bis")
    republish(db, SCHOOL, kind="study", change_kind="editorial", language="en", policy=quiet, data=again)
    queue.drain(timeout=30)
    assert len(_jobs(db)) == 1


def test_the_job_fails_at_once_naming_the_document_it_could_not_convert(db: Database, queue: InProcessQueue) -> None:
    damaged = _docx(db, current(db, SCHOOL, language="en").sha256)[:5000]
    policy = CampaignPolicy(jobs=queue, renditions=True)
    published = republish(db, SCHOOL, change_kind="editorial", language="en", data=damaged, policy=policy)
    queue.drain(timeout=120)
    (job,) = _jobs(db)
    assert (job.status, job.attempts) == ("failed", 1)  # FinalFailure: retrying cannot help
    with db.reading() as session:
        (reason,) = session.exec(select(JobFailure.reason).where(JobFailure.job_id == job.id)).all()
    assert "1 of 1 documents not converted" in reason
    assert f"LibreOffice could not convert {published.sha256}" in reason


def test_the_html_is_made_on_demand_cached_and_names_its_clauses(db: Database) -> None:
    document = current(db, SCHOOL)
    assert renditions.rendition(db, sha256=document.sha256, fmt="html") is None
    page = renditions.html_of(db, sha256=document.sha256, language="fr")
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<title>Règlement intérieur — IMT Atlantique</title>" in page
    assert page.count("<h1>") == 1 and "<h2 " in page and "<h3>" in page and "<ul><li>" in page
    assert "<script" not in page and " style=" not in page
    for key in document.clauses:  # each clause's first paragraph carries its key
        assert re.search(rf'<(h[1-6]|p|li) id="clause-{re.escape(key)}">', page), key
    cached = renditions.rendition(db, sha256=document.sha256, fmt="html")
    assert cached is not None and cached.decode() == page
    assert renditions.html_of(db, sha256=document.sha256) == page  # the document's own language
    article = renditions.html_fragment_of(db, sha256=document.sha256)
    assert article.startswith('<article class="govkit-document" lang="fr">') and article.endswith("</article>")
    with pytest.raises(InvalidInput, match="is in 'fr', not 'en'"):
        renditions.html_of(db, sha256=document.sha256, language="en")
