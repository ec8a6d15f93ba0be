"""The clause editor's pages: a clause's text in the clause markup (bold, italics, bullets, headings,
paragraphs, docxtpl tags as they are), saved as a new draft version of the root template; and the
review of an upload with tracked changes, clause by clause, accepted into a draft or refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access import audit
from govkit.access.roles import Principal, Role
from govkit.disconnects import run_service
from govkit.documents import clause_edits, reviews
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError, NotFound
from govkit.web.dependencies import PoolDep
from govkit.web.pages import Page, PageRequest

router = APIRouter()


async def record(page: PageRequest, action: str, target: dict[str, Any]) -> None:
    """A change made through a page, in the audit log (as GraphQL's mutations are)."""
    request = page.request

    def write(*, db: Any, actor: Principal) -> None:
        audit.record(
            db,
            actor=actor,
            action=action,
            outcome="ok",
            correlation_id=getattr(request.state, "correlation_id", "-"),
            target=audit.summarise(target),
            client_ip=request.client.host if request.client else None,
        )

    await run_service(write, db=page.db, actor=page.actor)


def _clause_page(
    page: PageRequest,
    kind: str,
    lang_code: str,
    key: str,
    text: str,
    version: Any,
    report: Any = None,
    status: int = 200,
) -> Response:
    return page.render(
        "clause.html",
        status=status,
        spec=catalogue().kind(kind),
        language=lang_code,
        key=key,
        text=text,
        version=version,
        clause_title=lambda k: catalogue().clause_title(k, page.language),
        report=report,
    )


@router.get("/templates/{kind}/{lang_code}/clauses/{key}", response_class=HTMLResponse)
async def clause_form(page: Page, kind: str, lang_code: str, key: str) -> Response:
    try:
        found = await page.call(clause_edits.get_clause_source, kind=kind, language=lang_code, key=key)
    except GovkitError as exc:
        return page.error(exc)
    return _clause_page(page, kind, lang_code, key, found.text, found.version)


@router.post("/templates/{kind}/{lang_code}/clauses/{key}", response_class=HTMLResponse)
async def clause_save(
    page: Page,
    pool: PoolDep,
    kind: str,
    lang_code: str,
    key: str,
    csrf: str = Form(""),
    text: str = Form(""),
    base: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        outcome = await page.call(
            clause_edits.edit_clause,
            pool=pool,
            kind=kind,
            language=lang_code,
            key=key,
            text=text,
            max_bytes=page.settings.upload_max_bytes,
            base_version_id=base or None,
        )
        if outcome.version is None:
            found = await page.call(clause_edits.get_clause_source, kind=kind, language=lang_code, key=key)
            return _clause_page(page, kind, lang_code, key, text, found.version, outcome.report, status=422)
        await record(
            page, "editClause", {"kind": kind, "language": lang_code, "key": key, "version": outcome.version.number}
        )
    except GovkitError as exc:
        return page.error(exc)
    return RedirectResponse(f"/ui/templates/{kind}/{lang_code}?saved={outcome.version.number}", status_code=303)


# --- uploads with tracked changes ---------------------------------------------------------------


def _review_page(page: PageRequest, found: reviews.Review, status: int = 200, report: Any = None) -> Response:
    template = found.template
    return page.render(
        "tracked_review.html",
        status=status,
        spec=catalogue().kind(template.kind),
        language=template.language,
        found=found,
        review=found.review,
        clauses=found.clauses,
        report=report,
        clause_title=lambda k: catalogue().clause_title(k, page.language) if k else None,
        can_edit=page.actor.role is Role.LEGAL and found.review.status == "open",
    )


async def _found(page: PageRequest, kind: str, lang_code: str, review_id: str) -> reviews.Review:
    found = await page.call(reviews.get_review, review_id=review_id)
    if (found.template.kind, found.template.language) != (kind, lang_code):
        raise NotFound(f"No tracked change review {review_id}.", key="no_review", params={"id": review_id})
    return found


def _review_url(found: reviews.Review) -> str:
    return f"/ui/templates/{found.template.kind}/{found.template.language}/reviews/{found.review.id}"


@router.get("/templates/{kind}/{lang_code}/reviews/{review_id}", response_class=HTMLResponse)
async def review_view(page: Page, kind: str, lang_code: str, review_id: str) -> Response:
    try:
        found = await _found(page, kind, lang_code, review_id)
    except GovkitError as exc:
        return page.error(exc)
    return _review_page(page, found)


@router.post("/templates/{kind}/{lang_code}/reviews/{review_id}/accept", response_class=HTMLResponse)
async def review_accept(
    page: Page,
    pool: PoolDep,
    kind: str,
    lang_code: str,
    review_id: str,
    csrf: str = Form(""),
    clauses: list[str] = Form([]),
) -> Response:
    """Accept the changes of the clauses ticked (all of them: every change), refuse the others."""
    try:
        page.check_csrf(csrf)
        current = await _found(page, kind, lang_code, review_id)
        every = {c.key or "" for c in current.clauses}
        found, outcome = await page.call(
            reviews.accept_review,
            pool=pool,
            review_id=review_id,
            max_bytes=page.settings.upload_max_bytes,
            clauses=None if set(clauses) == every else clauses,
        )
        if outcome.version is None:
            return _review_page(page, found, status=422, report=outcome.report)
        await record(page, "acceptTrackedChanges", {"reviewId": review_id, "version": outcome.version.number})
    except GovkitError as exc:
        return page.error(exc)
    template = found.template
    return RedirectResponse(
        f"/ui/templates/{template.kind}/{template.language}?saved={outcome.version.number}", status_code=303
    )


@router.post("/templates/{kind}/{lang_code}/reviews/{review_id}/refuse", response_class=HTMLResponse)
async def review_refuse(
    page: Page, kind: str, lang_code: str, review_id: str, csrf: str = Form(""), reason: str = Form("")
) -> Response:
    try:
        page.check_csrf(csrf)
        await _found(page, kind, lang_code, review_id)
        found = await page.call(reviews.refuse_review, review_id=review_id, reason=reason)
        await record(page, "refuseTrackedChanges", {"reviewId": review_id})
    except GovkitError as exc:
        return page.error(exc)
    return RedirectResponse(_review_url(found), status_code=303)
