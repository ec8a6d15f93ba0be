"""One's own data (GDPR art. 15, 16, 20): the member reads everything govkit holds about them as a
printable page, downloads it as JSON, and asks for corrections; the administration of their school
decides the requests (govkit.flows.data_protection, govkit.privacy.corrections: authorised and
audited by the services; the e-mails by govkit.flows.corrections)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access.roles import Role
from govkit.auth.ratelimit import RateLimiter
from govkit.days import paris_day
from govkit.db import utcnow
from govkit.errors import GovkitError
from govkit.flows import data_protection
from govkit.flows.corrections import corrections_telling
from govkit.flows.own_data_pdf import OwnDataWords, own_data_pdf
from govkit.labels import LABELS, label
from govkit.privacy import corrections
from govkit.proof.errors import FontMissing
from govkit.proof.fonts import receipt_fonts
from govkit.web.i18n import TEXTS, translator
from govkit.web.i18n.errors import say
from govkit.web.pages import Page, PageRequest

router = APIRouter()

NO_STORE = {"Cache-Control": "private, no-store"}
DONE = {"requested": "correction_requested", "done": "correction_decided_done", "refused": "correction_decided_refused"}


def _client_ip(page: PageRequest) -> str | None:
    return page.request.client.host if page.request.client else None


def _refusal(page: PageRequest, exc: GovkitError) -> Response:
    """The page of a refusal; a request decided already is a conflict (409)."""
    if exc.code == "CONFLICT":
        return page.render("error.html", status=409, error=say(exc, page.language))
    return page.error(exc)


def _message(page: PageRequest) -> str | None:
    done = page.request.query_params.get("done", "")
    key = DONE.get(done)
    return TEXTS[key].get(page.language, TEXTS[key]["fr"]) if key else None


#: The vocabulary of a value, by its key (and, for a key whose vocabulary depends on it, its section).
VOCABULARIES = {
    "populations": "population",
    "population": "population",
    "method": "method",
    "shown_via": "shown_via",
    "channel": "shown_via",
    "authentication": "auth_method",
    "role": "role",
    "preferred_language": "language",
    "language": "language",
    ("identity_and_contact", "status"): "person_status",
    ("notices", "status"): "notice_status",
    ("notices", "kind"): "notice_kind",
}
#: A value that is a code (a lower-case token: ``student``, ``carried_forward``, ``opening.fr``...): said in
#: words when its vocabulary is known, else shown as stored (in ``<code>``).
CODE = re.compile(r"^[a-z][a-z0-9_.\-]*$")


def key_label(language: str) -> Any:
    """The words of a data key on the page (its own words when it has some, else the key spelt out)."""

    def said(key: str) -> str:
        entry = TEXTS.get(f"own_data_key_{key}")
        return entry.get(language, entry["fr"]) if entry else key.replace("_", " ")

    return said


def value_words(language: str) -> Any:
    """``said(section, key, value)``: a value as the page shows it — (its words, whether it is a code
    shown as stored): a code of a known vocabulary in words, another code as it is stored."""

    def said(section: str, key: str, value: str) -> tuple[str, bool]:
        if not CODE.match(value):
            return value, False
        if section == "corrections" and key in ("status", "section"):
            entry = TEXTS.get(f"correction_status_{value}" if key == "status" else f"own_data_section_{value}")
            if entry:
                return entry.get(language, entry["fr"]), False
        vocabulary = VOCABULARIES.get((section, key)) or VOCABULARIES.get(key)
        if isinstance(vocabulary, str) and value in LABELS.get(vocabulary, {}):
            return label(vocabulary, value, language), False
        return value, True

    return said


async def _my_data(page: PageRequest, channel: str) -> dict[str, Any]:
    return await page.call(
        data_protection.my_data,
        public_url=page.settings.public_url,
        channel=channel,
        correlation_id=page.request.headers.get("x-request-id", "-")[:64],
        client_ip=_client_ip(page),
    )


def _download_name(extension: str) -> str:
    """The download's file name, with today's day in Paris (the day the person sees)."""
    return f"govkit-my-data-{paris_day(utcnow()).isoformat()}.{extension}"


@router.get("/me/data.json")
async def my_data_json(page: Page) -> Response:
    """Everything govkit holds about the signed-in member, as a JSON file (portability, art. 20)."""
    try:
        data = await _my_data(page, "json")
    except GovkitError as exc:
        return _refusal(page, exc)
    name = _download_name("json")
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


async def _data_page(
    page: PageRequest, *, status: int = 200, error: str | None = None, draft: Mapping[str, str] | None = None
) -> Response:
    try:
        data = await _my_data(page, "html")
    except GovkitError as exc:
        return _refusal(page, exc)
    return page.render(
        "my_data.html",
        status=status,
        data=data,
        sections=list(data["sections"].items()),
        correctable=corrections.CORRECTABLE,
        key_label=key_label(page.language),
        value_words=value_words(page.language),
        message=_message(page),
        error=error,
        draft=draft or {},
        most_field=corrections.MAX_FIELD,
        most_text=corrections.MAX_TEXT,
    )


@router.get("/me/data.pdf")
async def my_data_pdf(page: Page) -> Response:
    """The same as a PDF/A document (fpdf2 and the receipts' font, in-process: govkit.flows.own_data_pdf)."""
    try:
        data = await _my_data(page, "pdf")
    except GovkitError as exc:
        return _refusal(page, exc)
    t = translator(page.language)
    words = OwnDataWords(
        language=page.language,
        title=t("own_data"),
        intro=t("own_data_intro"),
        exported=t("own_data_exported_at"),
        nothing=t("own_data_empty"),
        heading=lambda key: t(f"own_data_section_{key}"),
        label=key_label(page.language),
        value=value_words(page.language),
        yes_no=(t("own_data_yes"), t("own_data_no")),
    )
    try:
        pdf = await anyio.to_thread.run_sync(
            lambda: own_data_pdf(data, words, receipt_fonts(page.settings.receipt_font))
        )
    except FontMissing:
        unavailable = GovkitError("No font for PDF documents.", key="own_data_pdf_unavailable")
        return page.render("error.html", status=503, error=say(unavailable, page.language))
    name = _download_name("pdf")
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE}
    )


@router.get("/me/data", response_class=HTMLResponse)
async def my_data_page(page: Page) -> Response:
    """The readable, printable document of the member's data, with the form to ask for a correction."""
    return await _data_page(page)


def _limiter(page: PageRequest) -> RateLimiter:
    """The application's limit of correction requests per identity (as its costly mutations')."""
    state = page.request.app.state
    found = getattr(state, "correction_limiter", None)
    if found is None:
        found = state.correction_limiter = RateLimiter(page.settings.mutation_rate_per_minute)
    return found


@router.post("/me/corrections", response_class=HTMLResponse)
async def request_correction(
    page: Page, csrf: str = Form(""), section: str = Form(""), field: str = Form(""), text: str = Form("")
) -> Response:
    draft = {"section": section, "field": field, "text": text}
    try:
        page.check_csrf(csrf)
        wait = _limiter(page).take(page.actor.subject) if page.actor.is_authenticated else 0
        if wait:
            retry = RateLimiter.retry_after(wait)
            limited = GovkitError("Too many requests.", key="correction_rate_limited", params={"seconds": retry})
            response = await _data_page(page, status=429, error=say(limited, page.language), draft=draft)
            response.headers["Retry-After"] = retry
            return response
        telling = corrections_telling(page.wiring.jobs, page.settings.public_url)
        await page.call(
            corrections.request_correction,
            section=section,
            field=field,
            text=text,
            tell=telling.requested,
            action="page.request_correction",
            client_ip=_client_ip(page),
        )
    except GovkitError as exc:
        if exc.code != "INVALID_INPUT":
            return _refusal(page, exc)
        return await _data_page(page, status=422, error=say(exc, page.language), draft=draft)
    return RedirectResponse("/ui/me/data?done=requested#corrections", status_code=303)


#: The corrections page's lists: ``?show=`` open (the default), done, refused or all.
SHOWN = ("open", "done", "refused", "all")


async def _requests_page(page: PageRequest, *, status: int = 200, error: str | None = None) -> Response:
    shown = page.request.query_params.get("show", "open")
    if shown not in SHOWN:
        shown, status = "open", 422
        error = translator(page.language)("corrections_show_unknown").format(shown=", ".join(SHOWN))
    try:
        found = await page.call(
            corrections.school_requests,
            status=None if shown == "all" else shown,
            channel="page",
            client_ip=_client_ip(page),
        )
    except GovkitError as exc:
        return _refusal(page, exc)
    return page.render(
        "corrections.html",
        status=status,
        requests=found,
        shown=shown,
        lists=SHOWN,
        can_decide=page.actor.role is Role.SCHOOL_ADMIN,
        message=_message(page),
        error=error,
    )


@router.get("/corrections", response_class=HTMLResponse)
async def correction_requests(page: Page) -> Response:
    """The correction requests of the school (its administration), or of every school (legal staff):
    the open ones, or ``?show=done|refused|all`` with their decisions."""
    return await _requests_page(page)


@router.post("/corrections/{request_id}", response_class=HTMLResponse)
async def decide(
    page: Page, request_id: str, csrf: str = Form(""), decision: str = Form(""), note: str = Form("")
) -> Response:
    try:
        page.check_csrf(csrf)
        telling = corrections_telling(page.wiring.jobs, page.settings.public_url)
        await page.call(
            corrections.decide_correction,
            request_id=request_id,
            done={"done": True, "refused": False}.get(decision),
            note=note,
            tell=telling.decided,
            action="page.decide_correction",
            client_ip=_client_ip(page),
        )
    except GovkitError as exc:
        if exc.code != "INVALID_INPUT":
            return _refusal(page, exc)
        return await _requests_page(page, status=422, error=say(exc, page.language))
    return RedirectResponse(f"/ui/corrections?done={decision}", status_code=303)
