"""The clause library page: the clauses with their titles' history, each kind's required clauses on a
day (GET ``as_of``) with their periods, the requests to change them; legal staff add and rename
clauses, require or stop requiring a clause from a day, and decide on another officer's request
(four eyes). Everything goes through govkit.documents.clause_service / required_clauses."""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access import audit as audit_log
from govkit.access.roles import Role
from govkit.approvals import service as approvals
from govkit.days import utc_today
from govkit.documents import clause_service as service
from govkit.documents import required_clauses
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError, InvalidInput
from govkit.labels import label
from govkit.web.dashboard import picked_day
from govkit.web.i18n.errors import say
from govkit.web.pages import Page, PageRequest

router = APIRouter()

#: What the page says after a change (``?done=``).
DONE = ("added", "renamed", "required", "removed", "requested", "approved", "refused")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"Date « {text[:40]} » non reconnue (AAAA-MM-JJ). / Date {text[:40]!r} not recognised (YYYY-MM-DD).",
            key="bad_date",
            params={"text": text[:40]},
        ) from None


_LABELLED = re.compile(r"(?P<subject>.*) \((?P<role>[a-z_]+)\)")


def who(name: str | None, language: str) -> str:
    """A recorded name (``subject (role)``: govkit.access.roles.Principal.label) with its role in words."""
    found = _LABELLED.fullmatch(name or "")
    if found is None:
        return name or "—"
    return f"{found['subject']} ({label('role', found['role'], language)})"


def _back(done: str) -> Response:
    return RedirectResponse(f"/ui/clauses?done={done}", status_code=303)


async def _view(page: PageRequest, status: int = 200, error: str | None = None) -> Response:
    try:
        day = picked_day(page) or utc_today()
        view = await page.call(service.clause_library, as_of=day)
    except GovkitError as exc:
        return page.error(exc)
    done = page.request.query_params.get("done", "")
    titles = {key: spec.title.get(page.language) for key, spec in catalogue().kinds.items()}
    clause_titles = {c.key: (c.title_fr if page.language == "fr" else c.title_en) for c in view.clauses}
    return page.render(
        "clause_library.html",
        status=status,
        view=view,
        day=day,
        today=utc_today(),
        done=done if done in DONE else None,
        error=error,
        kind_titles=titles,
        clause_titles=clause_titles,
        can_edit=page.actor.role is Role.LEGAL,
        pending=[c for c in view.changes if c.status == "pending"],
        four_eyes=approvals.four_eyes(page.settings),
        who=lambda name: who(name, page.language),
    )


@router.get("/clauses", response_class=HTMLResponse)
async def clause_library_page(page: Page) -> Response:
    return await _view(page)


async def _failed(page: PageRequest, exc: GovkitError) -> Response:
    """The page again with what went wrong (bad input), or the refusal's page."""
    if exc.code in ("INVALID_INPUT", "CONFLICT", "NOT_FOUND") and page.actor.role is Role.LEGAL:
        return await _view(page, status=409 if exc.code == "CONFLICT" else 422, error=say(exc, page.language))
    return page.error(exc)


@router.post("/clauses/add", response_class=HTMLResponse)
async def add_clause(
    page: Page,
    csrf: str = Form(""),
    key: str = Form(""),
    title_fr: str = Form(""),
    title_en: str = Form(""),
    reason: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(
            service.add_clause, key=key, title_fr=title_fr, title_en=title_en, reason=reason, action="page.addClause"
        )
    except GovkitError as exc:
        return await _failed(page, exc)
    return _back("added")


@router.post("/clauses/rename", response_class=HTMLResponse)
async def rename_clause(
    page: Page,
    csrf: str = Form(""),
    key: str = Form(""),
    title_fr: str = Form(""),
    title_en: str = Form(""),
    reason: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(
            service.rename_clause,
            key=key,
            title_fr=title_fr,
            title_en=title_en,
            reason=reason,
            action="page.renameClause",
        )
    except GovkitError as exc:
        return await _failed(page, exc)
    return _back("renamed")


@router.post("/clauses/required", response_class=HTMLResponse)
async def change_required(
    page: Page,
    csrf: str = Form(""),
    kind: str = Form(""),
    clause: str = Form(""),
    action: str = Form("add"),
    day: str = Form(""),
    reason: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        outcome = await page.call(
            required_clauses.change_required_clause,
            kind=kind,
            clause=clause,
            action=action,
            effective_on=_day(day),
            reason=reason,
            four_eyes=approvals.four_eyes(page.settings),
            audit_action=f"page.{action}RequiredClause",
        )
    except GovkitError as exc:
        return await _failed(page, exc)
    if outcome.approval is not None:
        return _back("requested")
    return _back("required" if action == "add" else "removed")


@router.post("/clauses/requests/{approval_id}", response_class=HTMLResponse)
async def decide(
    page: Page, approval_id: int, csrf: str = Form(""), decision: str = Form(""), comment: str = Form("")
) -> Response:
    """Approve or refuse another legal officer's request to change the required clauses."""
    try:
        page.check_csrf(csrf)
        if decision == "approve":
            handlers = page.wiring.approval_handlers
            await page.call(approvals.approve, handlers=handlers, approval_id=approval_id, comment=comment or None)
        else:
            await page.call(approvals.refuse, approval_id=approval_id, comment=comment)
        await page.call(
            audit_log.record,
            action=f"page.{'approve' if decision == 'approve' else 'refuse'}RequiredClauseChange",
            outcome="ok",
            correlation_id="-",
            target={"approval": approval_id},
        )
    except GovkitError as exc:
        return await _failed(page, exc)
    return _back("approved" if decision == "approve" else "refused")
