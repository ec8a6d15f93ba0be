"""The member's pages: the documents to read and acknowledge, receipts and their certificates, files."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from govkit.acknowledgements import deliveries, sealing
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.certificate import certificate_docx
from govkit.acknowledgements.member_reads import my_reads
from govkit.days import utc_today
from govkit.db import stored_id
from govkit.disconnects import run_service
from govkit.documents import public, renditions
from govkit.documents import service as documents
from govkit.documents.addresses import Addresses
from govkit.documents.kinds import catalogue
from govkit.documents.published import slug
from govkit.errors import GovkitError, InvalidInput, NotFound
from govkit.flows import member_downloads
from govkit.web.dependencies import RecorderDep
from govkit.web.document_html import sanitise
from govkit.web.i18n.errors import say
from govkit.web.pages import Page

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Acknowledged:
    """A version the member acknowledged, with its period in force and where its record came from."""

    receipt: acks.Receipt
    period: documents.Period | None
    carried_from: int | None  # the version an editorial change carried the acknowledgement forward from


def by_document(receipts: list[acks.Receipt], histories: list[documents.History]) -> list[list[Acknowledged]]:
    """The member's acknowledgements grouped by document (kind and language, in the catalogue's order),
    newest version first, each with its version's period in force."""
    periods = {p.document.id: p for h in histories for p in h.periods}
    numbers = {r.record.id: r.document.number for r in receipts}
    order = {key: i for i, key in enumerate(catalogue().kinds)}
    groups: dict[tuple[str, str], list[Acknowledged]] = {}
    for r in sorted(receipts, key=lambda r: r.document.number, reverse=True):
        origin = numbers.get(r.record.carried_from_id) if r.record.carried_from_id else None
        item = Acknowledged(r, periods.get(r.document.id), origin)
        groups.setdefault((r.document.kind, r.document.language), []).append(item)
    return [groups[key] for key in sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[1]))]


def lead_heading(body: Markup) -> tuple[str | None, Markup]:
    """The document's own title (its leading h1), to be the page's heading, and the rest of its HTML:
    the page does not say its title twice, and the document's articles (h2) come under it."""
    match = re.match(r"\s*<h1>(.*?)</h1>", body, re.DOTALL)
    if match is None:
        return None, body
    return Markup(match.group(1)).striptags(), Markup(body[match.end() :])  # noqa: S704 - sanitised HTML


@router.get("/me", response_class=HTMLResponse)
async def me(page: Page) -> Response:
    try:
        view = await page.call(acks.me, days=page.settings.campaign_days)
        histories = await page.call(documents.histories, school=view.organisation.code)
        reads = await page.call(my_reads)
    except GovkitError as exc:
        return page.error(exc)
    return page.render(
        "me.html", view=view, acknowledged=by_document(view.receipts, histories), today=utc_today(), reads=reads
    )


@router.get("/me/documents/{document_id}", response_class=HTMLResponse)
async def read(page: Page, document_id: int) -> Response:
    try:
        view = await page.call(acks.me, days=page.settings.campaign_days)
        pending = next((p for p in view.pending if p.document.id == document_id), None)
        in_force = await page.call(documents.published_documents, school=view.organisation.code)
        document = next((d for _o, d in in_force if d.id == document_id), None)
        if document is None:
            raise NotFound("This document is not in force at your school.", key="not_in_force_here")
        # the HTML of the very bytes the member acknowledges (the version just found, authorised)
        html = await run_service(
            renditions.html_fragment_of, db=page.db, sha256=document.sha256, language=document.language
        )
        # shown: the proof of display an acknowledgement relies on (one row, the first time)
        await page.call(deliveries.record_delivery, document_version_id=stored_id(document), channel="page")
    except GovkitError as exc:
        return page.error(exc)
    addresses = Addresses.of(page.settings)
    heading, body = lead_heading(sanitise(html))
    return page.render(
        "document.html",
        document=document,
        translation=pending.translation if pending else None,
        heading=heading,
        body=body,
        pdf_url=f"/ui/me/documents/{document.id}/pdf" if addresses.is_public(document.kind) else None,
        acknowledgeable=pending is not None,
        wording=pending.wording if pending else "",
    )


@router.get("/me/documents/{document_id}/pdf")
async def read_pdf(page: Page, document_id: int) -> Response:
    """The PDF/A of a version in force at the member's school, recorded as delivered to them."""
    try:
        view = await page.call(acks.me, days=page.settings.campaign_days)
        in_force = await page.call(documents.published_documents, school=view.organisation.code)
        document = next((d for _o, d in in_force if d.id == document_id), None)
        if document is None:
            raise NotFound("This document is not in force at your school.", key="not_in_force_here")
        pdf = await run_service(renditions.rendition, db=page.db, sha256=document.sha256, fmt="pdf")
        if pdf is None:  # converted later (once: by its key), as the public address does
            found = public.PublicVersion(view.organisation, document, {})
            await run_service(public.convert_later, db=page.db, jobs=page.wiring.jobs, found=found)
            not_ready = InvalidInput("The PDF of this document is being prepared.", key="pdf_not_ready")
            return page.render("error.html", status=503, error=say(not_ready, page.language))
        await page.call(deliveries.record_delivery, document_version_id=stored_id(document), channel="pdf")
    except GovkitError as exc:
        return page.error(exc)
    name = f"{slug(catalogue().kind(document.kind).title.get(document.language))}-v{document.number}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"},
    )


@router.post("/me/documents/{document_id}/acknowledge")
async def acknowledge(
    page: Page, recorder: RecorderDep, document_id: int, csrf: str = Form(""), sha256: str = Form("")
) -> Response:
    request = page.request
    try:
        page.check_csrf(csrf)
        client = acks.ClientInfo(
            ip=request.client.host if request.client else None, user_agent=request.headers.get("user-agent")
        )
        receipt = await acks.acknowledge(
            recorder=recorder,
            actor=page.actor,
            document_version_id=document_id,
            client=client,
            shown_sha256=sha256 or None,
        )
    except GovkitError as exc:
        return page.error(exc)
    return RedirectResponse(f"/ui/me/receipts/{receipt.record.verification_code}", status_code=303)


@router.get("/me/receipts/{code}", response_class=HTMLResponse)
async def receipt_page(page: Page, code: str) -> Response:
    try:
        receipt = await page.call(acks.receipt, code=code)
        record_id = int(receipt.record.id or 0)
        seal = (await page.call(sealing.seal_states, acknowledgement_ids=[record_id]))[record_id]
    except GovkitError as exc:
        return page.error(exc)
    return page.render("receipt.html", receipt=receipt, seal=seal)


@router.get("/receipts/{code}.docx")
async def certificate(page: Page, code: str) -> Response:
    try:
        receipt = await page.call(acks.receipt, code=code)
    except GovkitError as exc:
        return page.error(exc)
    content = certificate_docx(receipt.to_json(), f"{page.settings.public_url.rstrip('/')}/verify/{code}")
    return Response(
        content,
        media_type=DOCX,
        headers={
            "Content-Disposition": f'attachment; filename="attestation-{code}.docx"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/files/{sha256}")
async def file(page: Page, sha256: str) -> Response:
    try:
        found = await page.call(member_downloads.download, sha256=sha256)  # a member's: delivered
    except GovkitError as exc:
        return page.error(exc)
    return Response(
        found.data,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "private, no-store",
        },
    )
