"""The public routes of documents in force: no token, no cookie, for intranets, public web pages
and anybody (govkit.documents.addresses has the scheme; govkit.documents.public decides what is
public).

- ``GET /public/{school}/{kind}.{language}.{pdf|html|docx}``: the version in force today; cached
  for a few minutes, with ``Link: <permanent address>; rel="canonical"``;
- ``GET /public/documents/{sha256}.{pdf|html|docx}``: one published version for ever; immutable;
- ``GET /public/{school}`` (HTML page, ``?lang=fr|en``) and ``/public/{school}.json``: the
  school's public documents in force with their addresses.

A document's answer carries the version's SHA-256 as its ``ETag`` and answers ``If-None-Match``
with 304. A PDF not converted yet is 503 with ``Retry-After``, and its conversion is queued (one
job per document at a time: its key). The HTML is a whole page in the document's language (its
text from govkit.documents.renditions.html_fragment_of, made safe by govkit.web.document_html)
under a Content-Security-Policy that allows no script. Any address that names nothing — unknown
school, kind, language or format, a kind that is not public, a SHA-256 never published — is 404
saying what is wrong; nothing here is written to the audit log (public by design).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from govkit.days import utc_today
from govkit.disconnects import run_service
from govkit.documents import public, renditions
from govkit.documents.addresses import (
    MEDIA_TYPES,
    Addresses,
    Format,
    read_file_name,
    read_permanent_name,
)
from govkit.documents.kinds import LANGUAGES, catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import GovkitError
from govkit.http_errors import error_response
from govkit.web.dependencies import WiringDep
from govkit.web.document_html import sanitise
from govkit.web.i18n import translator
from govkit.web.i18n.public_documents import MONTHS
from govkit.web.pages import templates

router = APIRouter(tags=["public documents"])

READ = ["GET", "HEAD"]  # HEAD: link checkers, and clients asking for the size or the ETag
IN_FORCE_CACHE = "public, max-age=300"  # a new version takes over within five minutes
PERMANENT_CACHE = "public, max-age=31536000, immutable"
RETRY_AFTER_SECONDS = 30  # a batch of conversions takes about this long
#: The public pages run no script and load nothing but their style sheet and embedded images.
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
#: Public by design: any site may fetch or embed the documents (not the pages, which stay unframed).
OPEN = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
PDF_PENDING = (
    "The PDF of this document is being prepared: try again in {seconds} seconds. "
    "Its .docx and HTML are available now at the same address with .docx or .html."
)


def long_date(day: date, language: str) -> str:
    """``1er septembre 2025``, ``1 September 2025``."""
    first = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return f"{first} {MONTHS[language][day.month - 1]} {day.year}"


def _refused(request: Request, exc: GovkitError) -> Response:
    status = 404 if exc.code == "NOT_FOUND" else 400
    return error_response(request.scope, status, exc.message, exc.code, headers=[("Cache-Control", "no-store")])


def _matches(header: str | None, sha256: str) -> bool:
    """Whether ``If-None-Match`` names this version (``*``, or its tag among others, weak or strong)."""
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    return "*" in tags or sha256 in tags


@router.api_route("/public/documents/{name}", methods=READ)
async def permanent_document(request: Request, wiring: WiringDep, name: str) -> Response:
    addresses = Addresses.of(wiring.settings)
    try:
        sha256, fmt = read_permanent_name(name)
        found = await run_service(public.version, db=wiring.db, addresses=addresses, sha256=sha256)
    except GovkitError as exc:
        return _refused(request, exc)
    return await _serve(request, wiring, addresses, found, fmt, permanent=True)


@router.api_route("/public/{school}/{name}", methods=READ)
async def document_in_force(request: Request, wiring: WiringDep, school: str, name: str) -> Response:
    addresses = Addresses.of(wiring.settings)
    try:
        wanted = read_file_name(name)
        found = await run_service(
            public.in_force,
            db=wiring.db,
            addresses=addresses,
            school=school,
            kind=wanted.kind,
            language=wanted.language,
        )
    except GovkitError as exc:
        return _refused(request, exc)
    return await _serve(request, wiring, addresses, found, wanted.format, permanent=False)


async def _serve(
    request: Request,
    wiring: WiringDep,
    addresses: Addresses,
    found: public.PublicVersion,
    fmt: Format,
    *,
    permanent: bool,
) -> Response:
    document = found.document
    sha256 = document.sha256
    headers = {
        "ETag": f'"{sha256}"',
        "Cache-Control": PERMANENT_CACHE if permanent else IN_FORCE_CACHE,
        "X-Content-Type-Options": "nosniff",
        **OPEN,
    }
    if not permanent:
        headers["Link"] = f'<{addresses.permanent(sha256, fmt)}>; rel="canonical"'
    if _matches(request.headers.get("if-none-match"), sha256):
        return Response(status_code=304, headers=headers)
    try:
        if fmt == "docx":
            content = await run_service(public.docx, db=wiring.db, found=found)
        elif fmt == "pdf":
            pdf = await run_service(renditions.rendition, db=wiring.db, sha256=sha256, fmt="pdf")
            if pdf is None:
                await run_service(public.convert_later, db=wiring.db, jobs=wiring.jobs, found=found)
                return error_response(
                    request.scope,
                    503,
                    PDF_PENDING.format(seconds=RETRY_AFTER_SECONDS),
                    "UNAVAILABLE",
                    headers=[("Retry-After", str(RETRY_AFTER_SECONDS)), ("Cache-Control", "no-store")],
                )
            content = pdf
        else:
            fragment = await run_service(
                renditions.html_fragment_of, db=wiring.db, sha256=sha256, language=document.language
            )
            content = document_page(addresses, found, fragment).encode()
            headers["Content-Security-Policy"] = CSP
    except GovkitError as exc:
        return _refused(request, exc)
    disposition = "attachment" if fmt == "docx" else "inline"
    headers["Content-Disposition"] = f'{disposition}; filename="{found.file_name(fmt)}"'
    return Response(content, media_type=MEDIA_TYPES[fmt], headers=headers)


def document_page(addresses: Addresses, found: public.PublicVersion, fragment: str) -> str:
    """The whole HTML page of a version: its school, title, version, effective date, links to its
    PDF and .docx, to the document in the other language and to the school's index; then its text."""
    d, school = found.document, found.school.code
    others = [
        (language, addresses.in_force(school, d.kind, language, "html"))
        for language in sorted(found.in_force)
        if language != d.language
    ]
    current = found.in_force.get(d.language)
    body = sanitise(fragment)
    return templates.get_template("public_document.html").render(
        found=found,
        document=d,
        t=translator(d.language),
        long_date=lambda day: long_date(day, d.language),
        body=body,
        titled="<h1" in body,  # the document's own title is the page's h1; else the kind's title is
        canonical=addresses.permanent(d.sha256, "html"),
        languages=[
            (language, addresses.in_force(school, d.kind, language, "html")) for language in sorted(found.in_force)
        ],
        others=others,
        other_words=lambda language: translator(language)("public_this_language"),
        upcoming=d.effective_from > utc_today(),
        in_force_html=addresses.in_force(school, d.kind, d.language, "html") if current else addresses.index(school),
        pdf_url=addresses.permanent(d.sha256, "pdf"),
        docx_url=addresses.permanent(d.sha256, "docx"),
        index_url=addresses.index(school) + ("?lang=en" if d.language == "en" else ""),
    )


def _entry(addresses: Addresses, school: str, d: DocumentVersion) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "title": catalogue().kind(d.kind).title.get(d.language),
        "language": d.language,
        "version": d.number,
        "effective_from": d.effective_from.isoformat(),
        "sha256": d.sha256,
        **{f"{fmt}_url": addresses.in_force(school, d.kind, d.language, fmt) for fmt in ("html", "pdf", "docx")},
        "permanent_urls": {fmt: addresses.permanent(d.sha256, fmt) for fmt in ("html", "pdf", "docx")},
    }


@router.api_route("/public/{school}", methods=READ)
async def school_index(request: Request, wiring: WiringDep, school: str, lang: str = "fr") -> Response:
    """The school's public documents in force: an HTML page, or JSON at ``/public/{school}.json``."""
    addresses = Addresses.of(wiring.settings)
    code, as_json = (school.removesuffix(".json"), True) if school.endswith(".json") else (school, False)
    try:
        org, documents = await run_service(public.index, db=wiring.db, addresses=addresses, school=code)
    except GovkitError as exc:
        return _refused(request, exc)
    entries = [_entry(addresses, org.code, d) for d in documents]
    headers = {"Cache-Control": IN_FORCE_CACHE, "X-Content-Type-Options": "nosniff", **OPEN}
    if as_json:
        body = {"school": org.code, "name": org.name, "url": addresses.index(org.code), "documents": entries}
        return JSONResponse(body, headers=headers)
    language = lang if lang in LANGUAGES else "fr"
    other = "en" if language == "fr" else "fr"
    page = templates.get_template("public_index.html").render(
        lang=language,
        other=other,
        t=translator(language),
        other_words=translator(other),  # the link to the page in the other language
        long_date=lambda day: long_date(date.fromisoformat(day), language),
        school=org,
        entries=entries,
        languages={code: translator(language)(f"public_language_{code}") for code in LANGUAGES},
        json_url=addresses.index(org.code, json=True),
    )
    headers["Content-Security-Policy"] = CSP
    return Response(page, media_type=MEDIA_TYPES["html"], headers=headers)
