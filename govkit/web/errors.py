"""How the application answers what goes wrong outside a page: its exception handlers, and the
refusals of the plain routes (in the shapes of govkit.http_errors).

Refusals — an identity that cannot be trusted, a resource the caller may not see — go to the
audit log; bad input does not. ``exception_handlers`` serves FastAPI's handlers and the error
boundary of ``/graphql`` alike (govkit.middleware.around_graphql), so both answer the same.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

import sqlalchemy as sa
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from govkit.access import audit
from govkit.access.roles import ANONYMOUS, Principal
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.errors import GovkitError, NotAuthenticated
from govkit.graphql.execution import WWW_AUTHENTICATE
from govkit.http_errors import error_response
from govkit.web.bearer import AuthenticationFailed

log = logging.getLogger("govkit")

ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


def unauthorized(request: Request, message: str) -> Response:
    """401, with the challenge of bearer tokens."""
    headers = [("WWW-Authenticate", WWW_AUTHENTICATE)]
    return error_response(request.scope, 401, message, NotAuthenticated.code, headers=headers)


async def audit_refusal(db: Database, request: Request, actor: Principal, action: str, detail: str) -> None:
    """Write a refusal to the audit log (a log line, should the database fail)."""

    def write() -> None:
        audit.record(
            db,
            actor=actor,
            action=action,
            outcome="refused",
            correlation_id=getattr(request.state, "correlation_id", "-"),
            detail=detail,
            client_ip=request.client.host if request.client else None,
        )

    try:
        await run_service(write)
    except sa.exc.SQLAlchemyError:
        log.exception("could not write the audit log")


async def refused(db: Database, request: Request, actor: Principal, action: str, exc: GovkitError) -> Response:
    """The HTTP answer to a refused plain route; refusals (not bad input) go to the audit log."""
    if isinstance(exc, NotAuthenticated):
        await audit_refusal(db, request, actor, action, exc.message)
        return unauthorized(request, exc.message)
    status = {"NOT_FOUND": 404, "FORBIDDEN": 403}.get(exc.code, 400)
    if status != 400:
        await audit_refusal(db, request, actor, action, exc.message)
    return error_response(request.scope, status, exc.message, exc.code)


async def unexpected(request: Request, exc: Exception) -> Response:
    """500, with the request's reference; the details go to the log only."""
    reference = getattr(request.state, "correlation_id", "-")
    log.error("unexpected error %s on %s", reference, request.url.path, exc_info=exc)
    message = f"Internal error: the details were logged on the server (reference {reference})."
    return error_response(request.scope, 500, message, reference=reference)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's refusals (no such route, method not allowed...) in the routes' error shape."""
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return error_response(request.scope, exc.status_code, message, headers=(exc.headers or {}).items())


async def invalid_request(request: Request, exc: Exception) -> Response:
    """FastAPI's validation of parameters, as INVALID_INPUT with one problem per parameter."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"path": ".".join(str(part) for part in error.get("loc", ())), "message": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    message = "The request is not valid: " + "; ".join(f"{p['path']}: {p['message']}" for p in problems)
    return error_response(request.scope, 422, message, "INVALID_INPUT", problems=problems)


def exception_handlers(db: Database) -> list[tuple[type[Exception], ErrorHandler]]:
    """The application's exception handlers, most specific first (refusals audited in ``db``)."""

    async def authentication_failed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AuthenticationFailed)
        await audit_refusal(db, request, ANONYMOUS, f"authenticate {request.url.path}", exc.message)
        return unauthorized(request, exc.message)

    return [
        (AuthenticationFailed, authentication_failed),
        (RequestValidationError, invalid_request),
        (HTTPException, http_error),
        (Exception, unexpected),
    ]
