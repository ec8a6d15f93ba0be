"""ASGI middleware: correlation ids, body size caps read as the body arrives, security headers."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from govkit.http_errors import error_answer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

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
