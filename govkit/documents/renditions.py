"""Renditions of stored documents: PDF/A-2b (LibreOffice, in batches) and HTML (mammoth), cached by
the .docx's SHA-256 in ``document_rendition`` (their bytes in ``blob``, like every file).

    rendition(db, sha256=..., fmt="pdf")     # the cached PDF, or None when not converted yet
    html_of(db, sha256=..., language="fr")   # the HTML page, converted now and cached if not there
    convert_pending(db, sha256s=[...], runner=SofficeRunner.of(settings))   # a ConversionReport

PDF is slow (LibreOffice), so it is made by the job ``documents.convert_renditions``
(govkit.tasks.renditions) deferred when a variant is published, by ``govkit documents convert``,
and by ``govkit demo`` for every demo document: ``convert_pending`` converts in ONE LibreOffice
run the documents that have no PDF yet (a second call converts nothing), checks each PDF
(govkit.documents.pdfa) and stores only those that pass. HTML is fast, so it is made on demand.

Who may read a rendition is decided by the caller (the public routes, the member page); these
functions read and write the cache only. A SHA-256 that names no stored .docx raises
``UnknownDocument`` (a ``LookupError``, and NOT_FOUND for the user).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from govkit.db import Database, table_of, utcnow
from govkit.documents.html_rendition import CONVERTER as HTML_CONVERTER
from govkit.documents.html_rendition import HtmlConversionError, docx_to_html, fragment, mammoth_version
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.ooxml import DOCX_MEDIA_TYPE
from govkit.documents.pdf_conversion import SofficeRunner
from govkit.documents.pdfa import check_pdfa
from govkit.documents.rendition_models import DocumentRendition, RenditionFormat
from govkit.errors import InvalidInput, NotFound
from govkit.jobs.queue import JobQueue, Transaction
from govkit.organisations.service import organisation_by_code

__all__ = [
    "CONVERT_RENDITIONS",
    "ConversionReport",
    "UnknownDocument",
    "convert_pending",
    "defer_conversion",
    "defer_pending",
    "html_fragment_of",
    "html_of",
    "published_sha256s",
    "rendition",
]

#: The job converting a batch of stored documents to PDF/A (govkit.tasks.renditions).
CONVERT_RENDITIONS = "documents.convert_renditions"
PDF_MEDIA_TYPE = "application/pdf"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
LIBREOFFICE = "LibreOffice"
Format = Literal["pdf", "html"]


class UnknownDocument(NotFound, LookupError):
    """No stored .docx has this SHA-256."""


@dataclass
class ConversionReport:
    """What ``convert_pending`` did: the SHA-256s it converted, found cached, and could not convert
    (each with its reason); ``seconds`` spent, ``runs`` of LibreOffice started."""

    converted: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    #: Failures that may pass on a retry (LibreOffice stopped at its time limit).
    transient: set[str] = field(default_factory=set)
    seconds: float = 0.0
    runs: int = 0

    def summary(self) -> str:
        return (
            f"PDF/A renditions: {len(self.converted)} converted, {len(self.cached)} already there, "
            f"{len(self.failed)} failed ({self.runs} LibreOffice run(s), {self.seconds:.1f} s)"
        )


def rendition(db: Database, *, sha256: str, fmt: Format) -> bytes | None:
    """The cached ``fmt`` rendition of the stored .docx ``sha256``; None when not converted yet."""
    _format(fmt)
    with db.reading() as session:
        _docx(session, sha256, with_data=False)
        return _cached(session, sha256, fmt)


def html_of(db: Database, *, sha256: str, language: str | None = None) -> str:
    """The HTML page of the stored .docx ``sha256`` (``lang``: the document's language), converted
    now with mammoth and cached if it was not there yet. ``language`` is the document's language
    where govkit does not know it (a file that is no root template or variant); a language that
    contradicts the document's is refused."""
    with db.reading() as session:
        cached = _cached(session, sha256, "html")
        data = _docx(session, sha256, with_data=cached is None)
        known = _language_of(session, sha256)
    if known is not None and language is not None and known != language:
        raise InvalidInput(f"The document {sha256} is in {known!r}, not {language!r}.")
    if cached is not None:
        return cached.decode()
    lang = known or language
    if lang is None:
        raise InvalidInput(f"The language of document {sha256} is not known: give it.")
    try:
        page = docx_to_html(data, language=lang)
    except HtmlConversionError as exc:
        raise InvalidInput(f"The document {sha256} cannot be shown as HTML: {exc}", key="html_failed") from exc
    _store(db, sha256, "html", page.encode(), HTML_MEDIA_TYPE, HTML_CONVERTER, mammoth_version())
    return page


def html_fragment_of(db: Database, *, sha256: str, language: str | None = None) -> str:
    """The ``<article lang=...>`` of ``html_of``'s page, to put in another page."""
    return fragment(html_of(db, sha256=sha256, language=language))


def convert_pending(
    db: Database, *, sha256s: Iterable[str], runner: SofficeRunner, batch_size: int = 200
) -> ConversionReport:
    """Convert to PDF/A-2b the stored .docx of ``sha256s`` that have no PDF yet, ``batch_size`` per
    LibreOffice run; store those whose PDF passes the PDF/A check. Never raises for one document:
    each failure is in the report, with its reason."""
    started = time.monotonic()
    wanted = list(dict.fromkeys(sha256s))
    report = ConversionReport()
    with db.reading() as session:
        cached = set(
            session.exec(
                select(DocumentRendition.source_sha256).where(
                    col(DocumentRendition.source_sha256).in_(wanted), DocumentRendition.format == "pdf"
                )
            ).all()
        )
    report.cached = [s for s in wanted if s in cached]
    pending = [s for s in wanted if s not in cached]
    for start in range(0, len(pending), batch_size):
        _convert_batch(db, pending[start : start + batch_size], runner, report)
    report.seconds = time.monotonic() - started
    return report


def _convert_batch(db: Database, sha256s: Sequence[str], runner: SofficeRunner, report: ConversionReport) -> None:
    with db.reading() as session:
        rows = session.exec(select(Blob.sha256, Blob.media_type, Blob.data).where(col(Blob.sha256).in_(sha256s))).all()
    found = {sha256: (media_type, data) for sha256, media_type, data in rows}
    documents: dict[str, bytes] = {}
    for sha256 in sha256s:
        if sha256 not in found:
            report.failed[sha256] = f"no stored document has the SHA-256 {sha256}"
        elif found[sha256][0] != DOCX_MEDIA_TYPE:
            report.failed[sha256] = f"{sha256} is not a .docx ({found[sha256][0]})"
        else:
            documents[sha256] = found[sha256][1]
    batch = runner.convert(documents)
    report.runs += batch.runs
    report.failed.update(batch.failures)
    report.transient |= batch.timed_out
    passed: list[tuple[str, bytes, Any]] = []
    for sha256, pdf in batch.pdfs.items():
        check = check_pdfa(pdf)
        if check.passed:
            passed.append((sha256, pdf, check))
        else:
            report.failed[sha256] = f"the PDF of {sha256} is not PDF/A-2b: {check.reason}"
    if not passed:
        return
    converter_version = runner.version()
    with db.transaction() as session:
        _insert_ignoring(
            session,
            table_of(Blob),
            [
                {
                    "sha256": _digest(pdf),
                    "size": len(pdf),
                    "media_type": PDF_MEDIA_TYPE,
                    "data": pdf,
                    "created_at": utcnow(),
                }
                for _sha, pdf, _check in passed
            ],
            ["sha256"],
        )
        _insert_ignoring(
            session,
            table_of(DocumentRendition),
            [
                {
                    "source_sha256": sha256,
                    "format": "pdf",
                    "sha256": _digest(pdf),
                    "converter": LIBREOFFICE,
                    "converter_version": converter_version,
                    "created_at": utcnow(),
                    "pdfa_part": check.part,
                    "pdfa_conformance": check.conformance,
                    "output_intent": check.output_intent,
                    "fonts_embedded": check.fonts_embedded,
                    "fonts": list(check.fonts),
                }
                for sha256, pdf, check in passed
            ],
            ["source_sha256", "format"],
        )
    report.converted += [sha256 for sha256, _pdf, _check in passed]


def defer_conversion(
    session: Transaction, jobs: JobQueue, sha256s: Sequence[str], *, key: str | None = None
) -> int | None:
    """Queue the conversion of ``sha256s`` (one job, one LibreOffice run) in the caller's transaction;
    ``key`` defaults to ``renditions:<sha256>`` for one document (queued once)."""
    if key is None and len(sha256s) == 1:
        key = f"renditions:{sha256s[0]}"
    return jobs.defer(session, CONVERT_RENDITIONS, key=key, sha256s=list(sha256s))


def defer_pending(*, db: Database, jobs: JobQueue, key: str, school: str | None = None) -> int:
    """Queue ONE conversion job for every published document (of ``school``) without a PDF yet;
    how many it will convert (0: nothing to do, or a job with ``key`` is queued already)."""
    with db.transaction() as session:
        pending = _published(session, school=school, without_pdf=True)
        if not pending or defer_conversion(session, jobs, pending, key=key) is None:
            return 0
        return len(pending)


def published_sha256s(db: Database, *, school: str | None = None) -> list[str]:
    """The SHA-256 of every published document version (of one school, by its code), oldest first."""
    with db.reading() as session:
        return _published(session, school=school, without_pdf=False)


def _published(session: Session, *, school: str | None, without_pdf: bool) -> list[str]:
    query = select(DocumentVersion.sha256).order_by(col(DocumentVersion.id))
    if school is not None:
        query = query.where(DocumentVersion.organisation_id == organisation_by_code(session, school).id)
    if without_pdf:
        converted = select(DocumentRendition.source_sha256).where(DocumentRendition.format == "pdf")
        query = query.where(col(DocumentVersion.sha256).not_in(converted))
    return list(dict.fromkeys(session.exec(query).all()))


def _format(fmt: str) -> RenditionFormat:
    try:
        return RenditionFormat(fmt)
    except ValueError:
        raise InvalidInput(f"Unknown rendition format {fmt!r}: use pdf or html.") from None


def _docx(session: Session, sha256: str, *, with_data: bool) -> bytes:
    """The stored .docx ``sha256`` (its bytes if ``with_data``); UnknownDocument if there is none."""
    media_type = session.exec(select(Blob.media_type).where(Blob.sha256 == sha256)).first()
    if media_type != DOCX_MEDIA_TYPE:
        raise UnknownDocument(f"No stored document has the SHA-256 {sha256}.", key="no_document")
    if not with_data:
        return b""
    return bytes(session.exec(select(Blob.data).where(Blob.sha256 == sha256)).one())


def _cached(session: Session, sha256: str, fmt: str) -> bytes | None:
    query = (
        select(Blob.data)
        .join(DocumentRendition, col(DocumentRendition.sha256) == col(Blob.sha256))
        .where(DocumentRendition.source_sha256 == sha256, DocumentRendition.format == fmt)
    )
    data = session.exec(query).first()
    return None if data is None else bytes(data)


def _language_of(session: Session, sha256: str) -> str | None:
    """The language of a published version, a variant or a root template version with these bytes."""
    published = session.exec(select(DocumentVersion.language).where(DocumentVersion.sha256 == sha256)).first()
    if published is not None:
        return published
    template = (
        select(RootTemplate.language)
        .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == col(RootTemplate.id))
        .outerjoin(Variant, col(Variant.root_template_version_id) == col(RootTemplateVersion.id))
        .where(sa.or_(col(Variant.sha256) == sha256, col(RootTemplateVersion.sha256) == sha256))
    )
    return session.exec(template).first()


def _store(db: Database, source: str, fmt: str, data: bytes, media_type: str, converter: str, version: str) -> None:
    digest = _digest(data)
    with db.transaction() as session:
        _insert_ignoring(
            session,
            table_of(Blob),
            [{"sha256": digest, "size": len(data), "media_type": media_type, "data": data, "created_at": utcnow()}],
            ["sha256"],
        )
        _insert_ignoring(
            session,
            table_of(DocumentRendition),
            [
                {
                    "source_sha256": source,
                    "format": fmt,
                    "sha256": digest,
                    "converter": converter,
                    "converter_version": version,
                    "created_at": utcnow(),
                }
            ],
            ["source_sha256", "format"],
        )


def _insert_ignoring(session: Session, table: sa.Table, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Insert ``rows``, skipping those whose key is already there (another conversion stored it
    meanwhile: the same document gives the same rendition)."""
    if not rows:
        return
    dialect = session.connection().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    session.execute(insert.on_conflict_do_nothing(index_elements=keys), rows)  # one executemany


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
