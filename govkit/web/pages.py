"""What every page shares: who is signed in (the session cookie), the language, the CSRF token of
forms, rendering a Jinja2 template with the words of that language, and the page that answers a
refusal.

A page declares ``page: Page`` (signed-in, or anonymous when the cookie is missing or no longer
valid) or ``page: AnonymousPage`` (the sign-in pages, which never read the cookie), then calls the
services as its caller (``await page.call(service.function, ...)``) and answers
``page.render("name.html", ...)`` or, for a refusal, ``page.error(exc)``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from govkit.access.roles import ANONYMOUS, Principal, Role
from govkit.auth import service as auth
from govkit.auth.tokens import InvalidToken
from govkit.composition import Wiring
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError, NotAuthenticated
from govkit.organisations import service as organisations
from govkit.settings import Settings
from govkit.web import filters
from govkit.web.dependencies import WiringDep
from govkit.web.i18n import translator
from govkit.web.i18n.errors import say

T = TypeVar("T")

HERE = Path(__file__).resolve().parent
#: The session cookie: the bearer token the person signed in with (HttpOnly, SameSite=Strict).
COOKIE = "govkit_session"
LANGUAGE_COOKIE = "govkit_lang"
LANGUAGES = ("fr", "en")
templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape is on by default
filters.register(templates.env)  # codes as words, Paris time, French elision (govkit.web.filters)


@dataclass
class PageRequest:
    """One page request: its caller and what the page needs to answer."""

    request: Request
    wiring: Wiring
    actor: Principal
    token: str | None  # the session's token (None: anonymous)
    #: The organisations' names by code (the public directory), for pages that show a school.
    schools: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.wiring.settings

    @property
    def db(self) -> Database:
        return self.wiring.db

    @property
    def language(self) -> str:
        """``?lang=``, else the language cookie, else French."""
        request = self.request
        wanted = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or "fr"
        return wanted if wanted in LANGUAGES else "fr"

    def csrf(self) -> str:
        """The CSRF token of the session's forms."""
        key = self.settings.signing_key().encode()
        return hmac.new(key, f"csrf:{self.token or ''}".encode(), hashlib.sha256).hexdigest()[:32]

    def check_csrf(self, given: str) -> None:
        """NotAuthenticated unless ``given`` is the session's CSRF token."""
        if not self.token or not hmac.compare_digest(self.csrf(), given):
            raise NotAuthenticated("The form expired or did not come from govkit: sign in again.", key="form_expired")

    async def call(self, function: Callable[..., T], /, **kwargs: Any) -> T:
        """Call a service function as the page's caller (off the event loop)."""
        return await run_service(function, db=self.db, actor=self.actor, **kwargs)

    def render(self, name: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """The template ``name`` with the page's language, caller and CSRF token, never cached."""
        lang = self.language
        response = templates.TemplateResponse(
            self.request,
            name,
            {
                "lang": lang,
                "t": translator(lang),
                "actor": self.actor,
                "csrf": self.csrf(),
                "sso": bool(self.settings.oidc_issuer and self.settings.oidc_client_id),
                "title": lambda d: catalogue().kind(d.kind).title.get(d.language),
                "school_name": lambda code: self.schools.get(code, code),
                **values,
            },
            status_code=status,
        )
        response.headers["Cache-Control"] = "no-store"
        if self.request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, lang, samesite="strict", httponly=True, path="/ui")
        return response

    def signin(self, *, status: int = 200, error: object | None = None) -> HTMLResponse:
        """The sign-in page, as to an anonymous caller; ``error``: why it shows again (an error with a
        key, or a key of govkit.web.i18n.errors), said in the page's language."""
        anonymous = PageRequest(self.request, self.wiring, ANONYMOUS, None)
        said = None if error is None else say(error, self.language)
        return anonymous.render("signin.html", status=status, error=said)

    def error(self, exc: GovkitError) -> HTMLResponse:
        """The page of a refusal: sign in again (401), or what went wrong (403, 404, 400)."""
        if isinstance(exc, NotAuthenticated):
            return self.signin(status=401, error=exc)
        status = {"FORBIDDEN": 403, "NOT_FOUND": 404}.get(exc.code, 400)
        name = "error.html" if self.actor.is_authenticated else "signin.html"
        return self.render(name, status=status, error=say(exc, self.language))


async def signed_in(request: Request, wiring: WiringDep) -> PageRequest:
    """The page request of the session cookie's holder (anonymous when there is no valid one)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return PageRequest(request, wiring, ANONYMOUS, None)
    try:
        actor = await run_service(auth.authenticate, db=wiring.db, settings=wiring.settings, token=token)
    except InvalidToken:
        return PageRequest(request, wiring, ANONYMOUS, None)
    directory = await run_service(organisations.list_organisations, db=wiring.db, actor=actor)
    return PageRequest(request, wiring, actor, token, {o.code: o.name for o in directory})


def signed_out(request: Request, wiring: WiringDep) -> PageRequest:
    """An anonymous page request (the cookie is not read)."""
    return PageRequest(request, wiring, ANONYMOUS, None)


Page = Annotated[PageRequest, Depends(signed_in)]
AnonymousPage = Annotated[PageRequest, Depends(signed_out)]


def home_of(actor: Principal) -> str:
    """Where a signed-in caller starts."""
    if actor.role is Role.MEMBER:
        return "/ui/me"
    if actor.role in (Role.SCHOOL_ADMIN, Role.INTRANET) and actor.organisation_code:
        return f"/ui/schools/{actor.organisation_code}"
    if actor.role is Role.LEGAL:
        return "/ui/templates"
    return "/ui/schools"


def static_files() -> StaticFiles:
    """The pages' CSS, scripts and the offline GraphiQL (mounted at /ui/static)."""
    return StaticFiles(directory=str(HERE / "static"))
