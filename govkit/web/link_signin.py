"""The page of a one-click sign-in link from an e-mail (govkit.auth.sign_in_links).

GET shows a button and changes nothing (mail scanners follow links); the button's POST uses the
link up and signs the person in with the same session cookie as the other sign-ins, landing on the
document to read. The form carries a CSRF value bound to the link and to a cookie the GET set
(SameSite=Strict: a form posted from another site is refused). The page speaks the person's
language unless the visitor chose one; it answers 404 for an unknown link, 410 for a used or
expired one or when the person left, 429 past the rate limits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from govkit.access.roles import ANONYMOUS
from govkit.auth import sign_in_links as links
from govkit.auth.ratelimit import RateLimiter
from govkit.auth.sign_in_links import LinkRefused
from govkit.disconnects import run_service
from govkit.settings import Settings
from govkit.web.pages import LANGUAGE_COOKIE, LANGUAGES, AnonymousPage, PageRequest
from govkit.web.signin import _signed_in

router = APIRouter()

#: The cookie the form's CSRF value is bound to (set by the GET, read by the POST).
FORM_COOKIE = "govkit_link_form"
FORM_COOKIE_PATH = "/ui/signin/link"


@dataclass
class LinkPage(PageRequest):
    """An anonymous page in the visitor's chosen language, else the link's person's."""

    preferred: str | None = None

    @property
    def language(self) -> str:
        request = self.request
        wanted = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or self.preferred or "fr"
        return wanted if wanted in LANGUAGES else "fr"


def _page(page: PageRequest, preferred: str | None = None) -> LinkPage:
    return LinkPage(page.request, page.wiring, ANONYMOUS, None, preferred=preferred)


def _form_value(settings: Settings, nonce: str, token: str) -> str:
    key = settings.signing_key().encode()
    message = f"link-form:{nonce}:{links.token_digest(token)}".encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _answer(page: LinkPage, *, status: int = 200, **values: object) -> HTMLResponse:
    response = page.render("link_signin.html", status=status, **values)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


def _refused(page: PageRequest, refusal: LinkRefused) -> HTMLResponse:
    status = 404 if refusal.reason == "unknown" else 410
    return _answer(_page(page, refusal.language), status=status, problem=f"link_{refusal.reason}")


@router.get("/signin/link/{token}", response_class=HTMLResponse)
async def link_page(page: AnonymousPage, token: str) -> Response:
    try:
        found = await run_service(links.opened, db=page.db, token=token)
    except LinkRefused as refusal:
        return _refused(page, refusal)
    settings = page.settings
    nonce = page.request.cookies.get(FORM_COOKIE, "")
    if not (16 <= len(nonce) <= 64 and nonce.isascii()):
        nonce = secrets.token_urlsafe(24)
    response = _answer(
        _page(page, found.language),
        action=f"{FORM_COOKIE_PATH}/{token}",
        link_csrf=_form_value(settings, nonce, token),
    )
    response.set_cookie(
        FORM_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=not settings.is_dev,
        path=FORM_COOKIE_PATH,
        max_age=3600,
    )
    return response


@router.post("/signin/link/{token}")
async def link_signin(page: AnonymousPage, token: str, csrf: str = Form("")) -> Response:
    request, settings = page.request, page.settings
    client = request.client.host if request.client else None
    limits = page.wiring.link_limits
    wait = limits.take(client=client, token=token) if limits is not None else 0.0
    if wait:
        response = _answer(_page(page), status=429, problem="link_too_many")
        response.headers["Retry-After"] = RateLimiter.retry_after(wait)
        return response
    if not links.is_well_formed(token):
        return _refused(page, LinkRefused("unknown"))
    nonce = request.cookies.get(FORM_COOKIE, "")
    try:
        expected = _form_value(settings, nonce, token).encode()
        if not nonce or not hmac.compare_digest(expected, csrf.encode("utf-8", "replace")):
            found = await run_service(links.opened, db=page.db, token=token)  # 404 or 410 before 403
            reopen = f"{FORM_COOKIE_PATH}/{token}"
            return _answer(_page(page, found.language), status=403, problem="link_form_expired", reopen=reopen)
        signed = await run_service(
            links.use,
            db=page.db,
            settings=settings,
            token=token,
            client_ip=client,
            correlation_id=getattr(request.state, "correlation_id", "-"),
        )
    except LinkRefused as refusal:
        return _refused(page, refusal)
    landed = _signed_in(settings, signed.landing, signed.token, max_age=signed.max_age)
    landed.delete_cookie(FORM_COOKIE, path=FORM_COOKIE_PATH)
    if request.cookies.get(LANGUAGE_COOKIE) not in LANGUAGES:
        landed.set_cookie(LANGUAGE_COOKIE, signed.language, samesite="strict", httponly=True, path="/ui")
    return landed
