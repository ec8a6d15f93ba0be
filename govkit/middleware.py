"""ASGI middleware: correlation ids, body size caps read as the body arrives, security headers;
CORS for the intranets' origins; and the layers ``/graphql`` gets in front of it, the same as
FastAPI's stack gives every other route (``around_graphql``, ``add_layers``)."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response

from govkit.http_errors import error_answer
from govkit.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]

#: Correlation ids: a random prefix per process and a counter (unique without a system call each).
_PROCESS = uuid.uuid4().hex[:8]
_SERIAL = itertools.count(1)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
STRICT_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
#: The request headers the guard reads.
_READ = frozenset({b"x-request-id", b"content-type", b"cookie", b"authorization", b"content-length"})


class BodyTooLarge(HTTPException):
    """Raised while the body arrives: the route stops reading and answers 413."""


class RequestGuard:
    """Caps bodies before they are read whole, refuses cookie-less-header multipart, adds headers."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int, production: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.production = production
        hsts = [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")] if production else []
        self._page_headers = [*SECURITY_HEADERS, *hsts]  # HTML pages set their own policy
        self._api_headers = [*SECURITY_HEADERS, (b"content-security-policy", STRICT_CSP), *hsts]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name.lower() in _READ
        }
        given = headers.get("x-request-id", "")
        correlation = given if _REQUEST_ID.match(given) else f"{_PROCESS}{next(_SERIAL):08x}"
        scope.setdefault("state", {})["correlation_id"] = correlation
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                given = list(message.get("headers", []))
                present = {name.lower(): value for name, value in given}
                html = present.get(b"content-type", b"").startswith(b"text/html")
                extra = self._page_headers if html else self._api_headers
                given += [(name, value) for name, value in extra if name not in present]
                if b"x-request-id" not in present:
                    given.append((b"x-request-id", correlation.encode()))
                message["headers"] = given
            await send(message)

        async def reply(status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
            body, content_type = error_answer(scope, status, text)  # GraphQL-shaped on /graphql
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", content_type),
                        (b"content-length", str(len(body)).encode()),
                        *(extra or []),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        # the pages' own upload form: a SameSite=Strict session cookie, and a CSRF token checked by the route
        page_upload = scope["path"].startswith("/ui/") and "govkit_session=" in headers.get("cookie", "")
        if multipart and scope["method"] == "POST" and not headers.get("authorization", "").strip() and not page_upload:
            await reply(
                401,
                "File uploads need an 'Authorization: Bearer <token>' header (cookies are not accepted).",
                [(b"www-authenticate", b'Bearer realm="govkit"')],
            )
            return
        limit = self.max_upload + 64 * 1024 if multipart else self.max_body
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await reply(413, f"The request body is over the limit of {limit} bytes.")
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(413, f"The request body is over the limit of {limit} bytes.")
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await reply(413, f"The request body is over the limit of {limit} bytes.")


def guard_options(settings: Settings) -> dict[str, Any]:
    """The ``RequestGuard`` of an application with ``settings``."""
    return {
        "max_body": settings.max_body_bytes,
        "max_upload": max(settings.upload_max_bytes, 20 * 1024 * 1024),
        "production": not settings.is_dev,
    }


def cors_options(settings: Settings) -> dict[str, Any]:
    """CORS for the intranets' origins (without origins to allow, browsers' same-origin policy is the answer)."""
    return {
        "allow_origins": settings.cors_origins,
        "allow_methods": ["GET", "POST", "OPTIONS"],
        "allow_headers": ["Authorization", "Content-Type", "X-Request-ID"],
        "expose_headers": ["X-Request-ID", "Retry-After", "Content-Disposition"],
        "allow_credentials": False,
        "max_age": 600,
    }


def add_layers(app: FastAPI, settings: Settings) -> None:
    """The middleware of FastAPI's stack: the guard outermost, then CORS (when origins are set)."""
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, **cors_options(settings))
    app.add_middleware(RequestGuard, **guard_options(settings))


def around_graphql(
    app: ASGIApp, settings: Settings, handlers: Sequence[tuple[type[Exception], ErrorHandler]]
) -> ASGIApp:
    """``app`` (the GraphQL endpoint) behind the layers FastAPI's stack gives the other routes, in
    the same order: the guard, CORS (when origins are set), the exception handlers. It is served
    before FastAPI's middleware and routing (six layers that cost more than a small query)."""
    inner = error_boundary(app, handlers)
    if settings.cors_origins:
        inner = CORSMiddleware(inner, **cors_options(settings))
    return RequestGuard(inner, **guard_options(settings))


def error_boundary(app: ASGIApp, handlers: Sequence[tuple[type[Exception], ErrorHandler]]) -> ASGIApp:
    """``app``, with the exceptions it raises answered by the first handler of their type (as
    Starlette's exception middleware does) unless the answer has started; HTTP exceptions (a body
    over the limit) propagate to the guard outside."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, sending)
        except Exception as exc:
            handler = next((h for kind, h in handlers if isinstance(exc, kind)), None)
            if handler is None or started or isinstance(exc, HTTPException):
                raise
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)

    return guarded
