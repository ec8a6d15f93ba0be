"""The local provisions pages: a school's administration proposes its own text at the provision places
of its documents and follows legal staff's decisions; legal staff approve or send back each proposal
(govkit.documents.provisions: authorised and audited by the service)."""

from __future__ import annotations

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access.roles import Role
from govkit.documents import provisions
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError
from govkit.web.i18n import translator
from govkit.web.i18n.errors import say
from govkit.web.pages import Page, PageRequest

router = APIRouter()

DONE = ("proposed", "approved", "sent_back")


def _message(page: PageRequest) -> str | None:
    done = page.request.query_params.get("done", "")
    return translator(page.language)(f"provision_done_{done}") if done in DONE else None


async def _school_page(
    page: PageRequest, code: str, *, status: int = 200, error: str | None = None, draft: dict | None = None
) -> Response:
    try:
        states = await page.call(provisions.school_provisions, school=code)
    except GovkitError as exc:
        return page.error(exc)
    by_kind: dict[str, list[provisions.ProvisionState]] = {}
    for state in states:
        by_kind.setdefault(state.kind, []).append(state)
    return page.render(
        "provisions.html",
        status=status,
        code=code,
        kinds=[(catalogue().kind(kind), items) for kind, items in by_kind.items()],
        can_propose=page.actor.role is Role.SCHOOL_ADMIN and page.actor.organisation_code == code,
        message=_message(page),
        error=error,
        draft=draft or {},
    )


@router.get("/schools/{code}/provisions", response_class=HTMLResponse)
async def school_provisions(page: Page, code: str) -> Response:
    return await _school_page(page, code)


@router.post("/schools/{code}/provisions/{kind}/{place}", response_class=HTMLResponse)
async def propose(
    page: Page,
    code: str,
    kind: str,
    place: str,
    csrf: str = Form(""),
    text_fr: str = Form(""),
    text_en: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(
            provisions.propose_provision, school=code, kind=kind, place=place, text_fr=text_fr, text_en=text_en
        )
    except GovkitError as exc:
        if exc.code != "INVALID_INPUT":
            return page.error(exc)
        draft = {"kind": kind, "place": place, "text_fr": text_fr, "text_en": text_en}
        return await _school_page(page, code, status=422, error=say(exc, page.language), draft=draft)
    return RedirectResponse(f"/ui/schools/{code}/provisions?done=proposed#{kind}-{place}", status_code=303)


async def _review_page(page: PageRequest, *, status: int = 200, error: str | None = None) -> Response:
    try:
        pending = await page.call(provisions.pending_provisions)
    except GovkitError as exc:
        return page.error(exc)
    return page.render(
        "provisions_review.html",
        status=status,
        pending=pending,
        kind_title=lambda key: catalogue().kind(key).title.get(page.language),
        message=_message(page),
        error=error,
    )


@router.get("/provisions", response_class=HTMLResponse)
async def review(page: Page) -> Response:
    return await _review_page(page)


async def _decide(page: PageRequest, revision_id: str, csrf: str, *, approve: bool, comment: str | None) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(provisions.decide_provision, revision_id=revision_id, approve=approve, comment=comment)
    except GovkitError as exc:
        if exc.code != "INVALID_INPUT":
            return page.error(exc)
        return await _review_page(page, status=422, error=say(exc, page.language))
    return RedirectResponse(f"/ui/provisions?done={'approved' if approve else 'sent_back'}", status_code=303)


@router.post("/provisions/{revision_id}/approve", response_class=HTMLResponse)
async def approve(page: Page, revision_id: str, csrf: str = Form("")) -> Response:
    return await _decide(page, revision_id, csrf, approve=True, comment=None)


@router.post("/provisions/{revision_id}/send-back", response_class=HTMLResponse)
async def send_back(page: Page, revision_id: str, csrf: str = Form(""), comment: str = Form("")) -> Response:
    return await _decide(page, revision_id, csrf, approve=False, comment=comment)
