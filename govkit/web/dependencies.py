"""What the pages and plain routes declare they need, as FastAPI dependencies.

Everything comes from the application's state, filled once by ``govkit.app.create_app``: the
wiring built at start-up (``govkit.composition``: database, settings, render pool, recorder...)
and the authenticator of bearer tokens. A route names what it needs in its signature::

    @router.get("/x")
    async def x(db: DatabaseDep, settings: SettingsDep) -> Response: ...
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from govkit.acknowledgements.recorder import Recorder
from govkit.composition import Wiring
from govkit.db import Database
from govkit.documents.workers import WorkerPool
from govkit.settings import Settings


def wiring_of(request: Request) -> Wiring:
    """The process's wiring (``app.state.wiring``)."""
    return cast(Wiring, request.app.state.wiring)


WiringDep = Annotated[Wiring, Depends(wiring_of)]


def settings_of(wiring: WiringDep) -> Settings:
    return wiring.settings


def database_of(wiring: WiringDep) -> Database:
    return wiring.db


def pool_of(wiring: WiringDep) -> WorkerPool:
    """The pool of request-bound template work (validating an upload, a trial render)."""
    return wiring.pool


def recorder_of(wiring: WiringDep) -> Recorder:
    return wiring.recorder


SettingsDep = Annotated[Settings, Depends(settings_of)]
DatabaseDep = Annotated[Database, Depends(database_of)]
PoolDep = Annotated[WorkerPool, Depends(pool_of)]
RecorderDep = Annotated[Recorder, Depends(recorder_of)]
