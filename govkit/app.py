"""``create_app``: the govkit application, composed of what govkit.composition builds at start-up
and the entry points that use it.

- ``/graphql``: govkit.graphql.http, served before FastAPI's middleware and routing, behind the
  same guard, CORS and exception handlers as the rest (govkit.middleware.around_graphql);
- the pages (``/ui``) and plain routes, one router per area (govkit.web.routers), each declaring
  what it needs of the application's state (govkit.web.dependencies);
- the exception handlers (govkit.web.errors) and the lifespan of the wiring (``lifespan``).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from govkit.composition import Wiring, build_wiring
from govkit.db import Database
from govkit.graphql.http import graphql_endpoint
from govkit.http_errors import GRAPHQL_PATH, route_path
from govkit.middleware import add_layers, around_graphql
from govkit.settings import Settings, get_settings
from govkit.web.bearer import Authenticator
from govkit.web.errors import exception_handlers
from govkit.web.pages import static_files
from govkit.web.routers import PAGES, PAGES_PREFIX, ROUTES


class GovkitApp(FastAPI):
    """FastAPI, with ``/graphql`` answered by ``graphql`` (an ASGI app) before FastAPI's layers."""

    graphql: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.graphql is not None and scope["type"] == "http" and route_path(scope) == GRAPHQL_PATH:
            await self.graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def lifespan(wiring: Wiring) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start what runs beside the requests (the grant listener); stop the wiring at the end."""

    @asynccontextmanager
    async def running(_: FastAPI) -> AsyncIterator[None]:
        wiring.start()
        try:
            yield
        finally:
            await wiring.aclose()

    return running


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The govkit application; ``db`` defaults to an engine on ``settings.database_url``."""
    settings = settings or get_settings()
    wiring = build_wiring(settings, db)
    authenticator = Authenticator(db=wiring.db, settings=settings, grants=wiring.grants)
    app = GovkitApp(
        lifespan=lifespan(wiring),
        title="govkit",
        description="The IMT action plan against sexual and sexist violence, made enforceable.",
        docs_url="/docs" if settings.is_dev else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_dev else None,
    )
    app.state.wiring = wiring  # what the routes' dependencies read (govkit.web.dependencies)
    app.state.authenticator = authenticator
    handlers = exception_handlers(wiring.db)
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)
    for router in PAGES:
        app.include_router(router, prefix=PAGES_PREFIX, include_in_schema=False)
    for router in ROUTES:
        app.include_router(router)
    app.mount(f"{PAGES_PREFIX}/static", static_files(), name="static")
    add_layers(app, settings)
    app.graphql = around_graphql(graphql_endpoint(wiring, authenticator.principal), settings, handlers)
    return app


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
