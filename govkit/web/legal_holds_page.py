"""The legal holds page (legal staff): the holds, open and released; place one on a named person with
the reason; release one (govkit.privacy.legal_holds: authorised and audited by the service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.errors import GovkitError
from govkit.privacy import legal_holds
from govkit.web.i18n import translator
from govkit.web.i18n.errors import say
from govkit.web.pages import Page, PageRequest

router = APIRouter()

DONE = ("placed", "released")


async def _page(
    page: PageRequest, *, status: int = 200, error: str | None = None, draft: dict[str, Any] | None = None
) -> Response:
    try:
        holds = await page.call(legal_holds.legal_holds, include_released=True, channel="page")
    except GovkitError as exc:
        return page.error(exc)
    done = page.request.query_params.get("done", "")
    return page.render(
        "legal_holds.html",
        status=status,
        open_holds=[h for h in holds if h.hold.open],
        released=[h for h in holds if not h.hold.open],
        message=translator(page.language)(f"legal_hold_done_{done}") if done in DONE else None,
        error=error,
        draft=draft or {},
    )


@router.get("/legal-holds", response_class=HTMLResponse)
async def holds(page: Page) -> Response:
    return await _page(page)


@router.post("/legal-holds", response_class=HTMLResponse)
async def place(
    page: Page,
    csrf: str = Form(""),
    school: str = Form(""),
    person_external_id: str = Form(""),
    reason: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(
            legal_holds.place_legal_hold,
            school=school,
            person_external_id=person_external_id,
            reason=reason,
            correlation_id=getattr(page.request.state, "correlation_id", "-"),
        )
    except GovkitError as exc:
        if exc.code not in ("INVALID_INPUT", "NOT_FOUND", "CONFLICT"):
            return page.error(exc)
        draft = {"school": school, "person_external_id": person_external_id, "reason": reason}
        status = {"INVALID_INPUT": 422, "NOT_FOUND": 404, "CONFLICT": 409}[exc.code]
        return await _page(page, status=status, error=say(exc, page.language), draft=draft)
    return RedirectResponse("/ui/legal-holds?done=placed", status_code=303)


@router.post("/legal-holds/{hold_id}/release", response_class=HTMLResponse)
async def release(page: Page, hold_id: int, csrf: str = Form("")) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(
            legal_holds.release_legal_hold,
            hold_id=hold_id,
            correlation_id=getattr(page.request.state, "correlation_id", "-"),
        )
    except GovkitError as exc:
        return page.error(exc)
    return RedirectResponse("/ui/legal-holds?done=released", status_code=303)
