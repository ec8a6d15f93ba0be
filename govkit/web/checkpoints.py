"""The public routes of the chain checkpoints: no token, no cookie, for anybody who wants a copy
govkit cannot rewrite (the files hold hashes, counts, ids and times: no personal data).

- ``GET /public/chain/checkpoints/latest.json``: the newest checkpoint's file (cached a few minutes);
- ``GET /public/chain/checkpoints/{id}.json``: one checkpoint's file, for ever (immutable);
- ``GET /public/chain/checkpoints/index.json``: the newest checkpoints, with their addresses.

A file's ``ETag`` is the SHA-256 of its bytes; ``If-None-Match`` gets 304. Any site may fetch
them (CORS open). An unknown checkpoint is 404.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from govkit.checkpoints import service
from govkit.checkpoints.delivery import file_name
from govkit.checkpoints.file_format import utc_text
from govkit.checkpoints.vocabulary import PUBLIC_PATH, public_url
from govkit.disconnects import run_service
from govkit.errors import GovkitError
from govkit.http_errors import error_response
from govkit.web.dependencies import WiringDep
from govkit.web.public import IN_FORCE_CACHE, OPEN, PERMANENT_CACHE, READ

router = APIRouter(tags=["public chain checkpoints"])

_NAME = re.compile(r"(?P<id>[1-9][0-9]{0,17}|latest)\.json")
INDEX_LENGTH = 100


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    return "*" in tags or etag in tags


@router.api_route(f"{PUBLIC_PATH}/index.json", methods=READ)
async def checkpoint_index(wiring: WiringDep) -> Response:
    found = await run_service(service.index, db=wiring.db, settings=wiring.settings, first=INDEX_LENGTH)
    entries = [
        {
            "id": c.id,
            "made_at": utc_text(c.made_at),
            "count": c.record_count,
            "last_record_id": c.last_record_id,
            "head_hash": c.head_hash,
            "timestamped_at": None if c.timestamped_at is None else utc_text(c.timestamped_at),
            "url": c.url,
        }
        for c in found
    ]
    body = {"latest": public_url(wiring.settings.public_url, "latest"), "checkpoints": entries}
    return JSONResponse(body, headers={"Cache-Control": IN_FORCE_CACHE, "X-Content-Type-Options": "nosniff", **OPEN})


@router.api_route(PUBLIC_PATH + "/{name}", methods=READ)
async def checkpoint_file(request: Request, wiring: WiringDep, name: str) -> Response:
    wanted = _NAME.fullmatch(name)
    if wanted is None:
        return error_response(
            request.scope,
            404,
            "No such checkpoint: ask for latest.json, index.json or <number>.json.",
            "NOT_FOUND",
            headers=[("Cache-Control", "no-store")],
        )
    latest = wanted["id"] == "latest"
    try:
        found = await run_service(
            service.published_file,
            db=wiring.db,
            settings=wiring.settings,
            checkpoint_id=None if latest else int(wanted["id"]),
        )
    except GovkitError as exc:
        return error_response(request.scope, 404, exc.message, exc.code, headers=[("Cache-Control", "no-store")])
    headers = {
        "ETag": f'"{found.sha256}"',
        "Cache-Control": IN_FORCE_CACHE if latest else PERMANENT_CACHE,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="{file_name(found.id)}"',
        **OPEN,
    }
    if latest:
        headers["Link"] = f'<{public_url(wiring.settings.public_url, found.id)}>; rel="canonical"'
    if _matches(request.headers.get("if-none-match"), found.sha256):
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type="application/json", headers=headers)
