"""``GET /healthz``: can this process reach its database, and at which schema revision?"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from govkit.disconnects import run_service
from govkit.web.dependencies import DatabaseDep

log = logging.getLogger("govkit")

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz(db: DatabaseDep) -> JSONResponse:
    def probe() -> str | None:
        with db.reading() as session:
            return session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    try:
        revision = await run_service(probe)
    except sa.exc.SQLAlchemyError:
        log.exception("health check failed")
        body = {"status": "error", "database": db.dialect, "detail": "The database cannot be reached."}
        return JSONResponse({**body, "code": "UNAVAILABLE"}, status_code=503)
    return JSONResponse({"status": "ok", "database": db.dialect, "schema_revision": revision})
