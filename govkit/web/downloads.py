"""``GET /documents/{sha256}``: a stored document (a root template, a school's variant) for a caller
with a bearer token who may see it; immutable, so cached for a year by its hash. A member's download
of a version of their school is recorded as delivered to them (proof of display:
govkit.acknowledgements.deliveries)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govkit.disconnects import run_service
from govkit.errors import GovkitError
from govkit.flows import member_downloads
from govkit.web.bearer import BearerActor
from govkit.web.dependencies import DatabaseDep
from govkit.web.errors import refused

router = APIRouter(tags=["documents"])


@router.get("/documents/{sha256}")
async def download_document(request: Request, db: DatabaseDep, actor: BearerActor, sha256: str) -> Response:
    try:
        found = await run_service(member_downloads.download, db=db, actor=actor, sha256=sha256)
    except GovkitError as exc:
        return await refused(db, request, actor, f"download {sha256[:16]}", exc)
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
