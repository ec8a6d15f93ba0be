"""The sign-in pages: a bearer token pasted in a form, or the schools' identity provider (OpenID
Connect, authorisation code flow); the session is an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.auth import service as auth
from govkit.auth.tokens import InvalidToken
from govkit.disconnects import run_service
from govkit.settings import Settings
from govkit.web.pages import COOKIE, AnonymousPage, Page, home_of

router = APIRouter()

#: The cookie holding the OIDC state between the redirection and the callback.
STATE_COOKIE = "govkit_oidc_state"


def _signed_in(settings: Settings, actor_home: str, token: str, max_age: int) -> Response:
    response = RedirectResponse(actor_home, status_code=303)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=not settings.is_dev, path="/ui", max_age=max_age
    )
    return response


@router.get("/", response_class=HTMLResponse)
async def home(page: Page) -> Response:
    if page.actor.is_authenticated:
        return RedirectResponse(home_of(page.actor), status_code=303)
    return page.render("signin.html")


@router.post("/signin")
async def signin(page: AnonymousPage, token: str = Form(...)) -> Response:
    token = token.strip()
    try:
        actor = await run_service(auth.authenticate, db=page.db, settings=page.settings, token=token)
    except InvalidToken as exc:
        return page.signin(status=401, error=exc)
    return _signed_in(page.settings, home_of(actor), token, max_age=12 * 3600)


@router.get("/signin/oidc")
async def oidc_start(request: Request, page: AnonymousPage) -> Response:
    settings = page.settings
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return page.signin(status=404, error="sso_not_configured")
    state = secrets.token_urlsafe(24)
    endpoint = settings.oidc_authorization_endpoint or settings.oidc_issuer.rstrip("/") + "/authorize"
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "scope": "openid profile",
            "redirect_uri": str(request.url_for("oidc_callback")),
            "state": state,
        }
    )
    response = RedirectResponse(f"{endpoint}?{query}", status_code=303)
    response.set_cookie(
        STATE_COOKIE, state, httponly=True, samesite="lax", secure=not settings.is_dev, path="/ui/signin", max_age=600
    )
    return response


@router.get("/signin/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request, page: AnonymousPage) -> Response:
    settings = page.settings
    state = request.cookies.get(STATE_COOKIE)
    if not state or not hmac.compare_digest(state, request.query_params.get("state", "")):
        return page.signin(status=401, error="sso_expired")
    assert settings.oidc_issuer is not None
    endpoint = settings.oidc_token_endpoint or settings.oidc_issuer.rstrip("/") + "/token"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(
                endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": request.query_params.get("code", ""),
                    "redirect_uri": str(request.url_for("oidc_callback")),
                    "client_id": settings.oidc_client_id,
                    "client_secret": settings.oidc_client_secret or "",
                },
            )
        answer.raise_for_status()
        id_token = answer.json()["id_token"]
        actor = await run_service(auth.authenticate, db=page.db, settings=settings, token=id_token)
    except (httpx.HTTPError, KeyError, ValueError):
        return page.signin(status=401, error="sso_failed")
    except InvalidToken as exc:
        return page.signin(status=401, error=exc)
    response = _signed_in(settings, home_of(actor), id_token, max_age=8 * 3600)
    response.delete_cookie(STATE_COOKIE, path="/ui/signin")
    return response


@router.post("/signout")
async def signout(csrf: str = Form("")) -> Response:
    response = RedirectResponse("/ui/", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response
