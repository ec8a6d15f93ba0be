"""create_app(): FastAPI with the GraphQL endpoint and plain HTTP routes."""

import gc
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Annotated

import anyio.to_thread
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govkit.acknowledgements import service as acknowledgements
from govkit.acknowledgements.certificate import certificate_docx
from govkit.acknowledgements.recording import AsyncRecorder
from govkit.auth import audit
from govkit.auth import service as auth
from govkit.auth.grants import GrantCache, GrantListener
from govkit.auth.policy import AUTHENTICATION_REQUIRED
from govkit.auth.ratelimit import RateLimiter
from govkit.auth.roles import ANONYMOUS, Principal
from govkit.auth.tokens import InvalidToken
from govkit.batching import Batcher
from govkit.db import Database, create_db_engine
from govkit.disconnects import run_service
from govkit.documents import service as documents
from govkit.errors import GovkitError, NotAuthenticated
from govkit.graphql.context import Context, acknowledgement_batcher
from govkit.graphql.endpoint import GraphQLEndpoint
from govkit.graphql.execution import WWW_AUTHENTICATE
from govkit.graphql.schema import build_schema
from govkit.http_errors import GRAPHQL_PATH, error_response, route_path
from govkit.middleware import RequestGuard
from govkit.settings import Settings, get_settings
from govkit.web.routes import static_files, web_router

log = logging.getLogger("govkit")


ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


class GovkitApp(FastAPI):
    """FastAPI, with ``/graphql`` answered by ``graphql`` (an ASGI app) before FastAPI's layers."""

    graphql: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.graphql is not None and scope["type"] == "http" and route_path(scope) == GRAPHQL_PATH:
            await self.graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


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


class AuthenticationFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _unauthorized(request: Request, message: str) -> Response:
    headers = [("WWW-Authenticate", WWW_AUTHENTICATE)]
    return error_response(request.scope, 401, message, NotAuthenticated.code, headers=headers)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The govkit application; ``db`` defaults to an engine on ``settings.database_url``."""
    settings = settings or get_settings()
    if db is None:
        db = Database(create_db_engine(settings.database_url, echo=settings.sql_echo))
    database = db
    grants = GrantCache(ttl=settings.grant_cache_seconds)
    listener = _grant_listener(database, settings, grants)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if listener is not None:
            listener.start()
        try:
            yield
        finally:
            if listener is not None:
                listener.stop()
            if recorder is not None:
                await recorder.close()

    app = GovkitApp(
        lifespan=lifespan,
        title="govkit",
        description="The IMT action plan against sexual and sexist violence, made enforceable.",
        docs_url="/docs" if settings.is_dev else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_dev else None,
    )
    app.state.settings = settings
    app.state.db = database

    # Concurrent requests share the database work of authentication and of acknowledgements.
    authenticating = Batcher(
        lambda tokens: auth.authenticate_many(db=database, settings=settings, tokens=tokens, grants=grants)
    )
    recorder = AsyncRecorder(database.bind) if _records_from_the_loop(database) else None
    acknowledging = acknowledgement_batcher(database, recorder)
    app.state.batchers = {"authenticate": authenticating, "acknowledge": acknowledging}
    app.state.grants = grants

    async def principal(authorization: str | None) -> Principal:
        if authorization is None or not authorization.strip():
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            known = auth.cached_principal(settings=settings, grants=grants, token=token.strip())
            return known if known is not None else await authenticating(token.strip())
        except InvalidToken as exc:
            raise AuthenticationFailed(str(exc)) from exc

    async def header_principal(authorization: Annotated[str | None, Header()] = None) -> Principal:
        return await principal(authorization)

    limiter = RateLimiter(settings.mutation_rate_per_minute)

    async def context(request: Request, response: Response) -> Context:
        found = Context(
            db=database,
            settings=settings,
            actor=await principal(request.headers.get("authorization")),
            correlation_id=getattr(request.state, "correlation_id", "-"),
            client_ip=request.client.host if request.client else None,
            acknowledging=acknowledging,
        )
        found.limiter = limiter  # type: ignore[attr-defined]
        found.request, found.response = request, response
        return found

    graphql = GraphQLEndpoint(
        build_schema(settings),
        context_getter=context,
        graphql_ide="graphiql" if settings.is_dev else None,
        multipart_uploads_enabled=True,
    )
    app.include_router(web_router(db=database, settings=settings))
    app.mount("/ui/static", static_files(), name="static")

    @app.exception_handler(AuthenticationFailed)
    async def _auth_failed(request: Request, exc: AuthenticationFailed) -> Response:
        await _audit_refusal(request, ANONYMOUS, f"authenticate {request.url.path}", exc.message)
        return _unauthorized(request, exc.message)

    async def _audit_refusal(request: Request, actor: Principal, action: str, detail: str) -> None:
        def write() -> None:
            audit.record(
                database,
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

    async def _refused(request: Request, actor: Principal, action: str, exc: GovkitError) -> Response:
        """The HTTP answer to a refused plain route; refusals (not bad input) go to the audit log."""
        if isinstance(exc, NotAuthenticated):
            await _audit_refusal(request, actor, action, exc.message)
            return _unauthorized(request, exc.message)
        status = {"NOT_FOUND": 404, "FORBIDDEN": 403}.get(exc.code, 400)
        if status != 400:
            await _audit_refusal(request, actor, action, exc.message)
        return error_response(request.scope, status, exc.message, exc.code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        reference = getattr(request.state, "correlation_id", "-")
        log.error("unexpected error %s on %s", reference, request.url.path, exc_info=exc)
        message = f"Internal error: the details were logged on the server (reference {reference})."
        return error_response(request.scope, 500, message, reference=reference)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        """Starlette's refusals (no such route, method not allowed...) in the routes' error shape."""
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return error_response(request.scope, exc.status_code, message, headers=(exc.headers or {}).items())

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"path": ".".join(str(part) for part in error.get("loc", ())), "message": str(error.get("msg", ""))}
            for error in exc.errors()
        ]
        message = "The request is not valid: " + "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        return error_response(request.scope, 422, message, "INVALID_INPUT", problems=problems)

    @app.get("/documents/{sha256}", tags=["documents"])
    async def download_document(
        request: Request, sha256: str, actor: Annotated[Principal, Depends(header_principal)]
    ) -> Response:
        try:
            found = await run_service(documents.download, db=database, actor=actor, sha256=sha256)
        except GovkitError as exc:
            return await _refused(request, actor, f"download {sha256[:16]}", exc)
        return Response(
            content=found.data,
            media_type=found.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "ETag": f'"{sha256}"',
                "Cache-Control": "private, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @app.get("/verify/{code}", tags=["acknowledgements"])
    async def verify_receipt(code: str, sha256: str = "") -> JSONResponse:
        """Public: does this verification code and document hash match an acknowledgement?"""
        result = await run_service(
            acknowledgements.verify_receipt, db=database, actor=ANONYMOUS, code=code, sha256=sha256
        )
        body = {"valid": result.valid}
        if result.valid:
            body |= {
                "acknowledged_at": result.acknowledged_at.isoformat() if result.acknowledged_at else None,
                "school": result.school,
                "kind": result.kind,
                "version": result.version,
                "method": result.method,
            }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.get("/receipts/{code}.{extension}", tags=["acknowledgements"])
    async def receipt_file(
        request: Request, code: str, extension: str, actor: Annotated[Principal, Depends(header_principal)]
    ) -> Response:
        if not actor.is_authenticated:  # first: an anonymous caller learns nothing of the route either
            return await _refused(request, actor, "receipt", NotAuthenticated(AUTHENTICATION_REQUIRED))
        if extension not in ("json", "docx"):
            return error_response(request.scope, 404, "Receipts are .json or .docx.", "NOT_FOUND")
        try:
            found = await run_service(acknowledgements.receipt, db=database, actor=actor, code=code)
        except GovkitError as exc:
            return await _refused(request, actor, "receipt", exc)
        data = found.to_json()
        if extension == "json":
            return JSONResponse(data, headers={"Cache-Control": "private, no-store"})
        verify_url = f"{settings.public_url.rstrip('/')}/verify/{code}"
        content = await anyio.to_thread.run_sync(lambda: certificate_docx(data, verify_url))
        return Response(
            content=content,
            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            headers={
                "Content-Disposition": f'attachment; filename="attestation-{code}.docx"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        def probe() -> str | None:
            with database.reading() as session:
                return session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

        try:
            revision = await run_service(probe)
        except sa.exc.SQLAlchemyError:
            log.exception("health check failed")
            body = {"status": "error", "database": database.dialect, "detail": "The database cannot be reached."}
            return JSONResponse({**body, "code": "UNAVAILABLE"}, status_code=503)
        return JSONResponse({"status": "ok", "database": database.dialect, "schema_revision": revision})

    if settings.cors_origins:  # without origins to allow, browsers' same-origin policy is the answer
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Content-Disposition"],
            allow_credentials=False,
            max_age=600,
        )
    guard = {
        "max_body": settings.max_body_bytes,
        "max_upload": max(settings.upload_max_bytes, 20 * 1024 * 1024),
        "production": not settings.is_dev,
    }
    app.add_middleware(RequestGuard, **guard)
    # GraphQL, the hot path of intranets and members, is served before FastAPI's middleware and
    # routing (six layers that cost more than a small query): the same guard, and an error
    # boundary with the same answers as the application's exception handlers.
    handlers: list[tuple[type[Exception], ErrorHandler]] = [(AuthenticationFailed, _auth_failed)]  # type: ignore[list-item]
    if not settings.cors_origins:  # with CORS, browsers' preflight requests go through FastAPI's middleware
        app.graphql = RequestGuard(error_boundary(graphql, [*handlers, (Exception, _unexpected)]), **guard)
    else:
        app.add_route("/graphql", graphql, methods=["GET", "POST"], include_in_schema=False)
    return app


def _records_from_the_loop(db: Database) -> bool:
    """Acknowledgements are recorded from the event loop on PostgreSQL with an engine of its own
    (tests bound to one connection record in threads, inside their transaction)."""
    return db.dialect == "postgresql" and isinstance(db.bind, sa.Engine)


def _grant_listener(db: Database, settings: Settings, grants: GrantCache) -> GrantListener | None:
    """The listener that keeps ``grants`` current, on PostgreSQL (elsewhere, grants are read each time)."""
    if settings.grant_cache_seconds <= 0 or db.dialect != "postgresql" or not isinstance(db.bind, sa.Engine):
        return None
    url = db.bind.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return GrantListener(grants, url)


#: The GIL switch interval of a serving process. Request threads mostly wait on the database;
#: with Python's default (5 ms), a thread whose answer has arrived waits for the event loop's
#: turn to end, once per round trip, and the acknowledgement writer's batches queue behind it.
SERVING_SWITCH_INTERVAL = 0.0005


def serving_app() -> FastAPI:
    """The application as `govkit serve` runs it (the uvicorn factory of each worker process)."""
    sys.setswitchinterval(SERVING_SWITCH_INTERVAL)
    app = create_app()
    # What the process holds once started (modules, schema, catalogue) lives as long as it does:
    # out of the collector's sight, a full collection no longer scans it, request after request.
    gc.collect()
    gc.freeze()
    return app
