"""The plain routes of acknowledgements: anybody may verify a receipt (a verification code and the
document's hash); its holder, or the staff who may see it, download it as JSON or as a Word certificate."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from govkit.access.policy import AUTHENTICATION_REQUIRED
from govkit.access.roles import ANONYMOUS
from govkit.acknowledgements import service as acknowledgements
from govkit.acknowledgements.certificate import certificate_docx
from govkit.disconnects import run_service
from govkit.errors import GovkitError, NotAuthenticated
from govkit.http_errors import error_response
from govkit.web.bearer import BearerActor
from govkit.web.dependencies import DatabaseDep, SettingsDep
from govkit.web.errors import refused

router = APIRouter(tags=["acknowledgements"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/verify/{code}")
async def verify_receipt(db: DatabaseDep, code: str, sha256: str = "") -> JSONResponse:
    """Public: does this verification code and document hash match an acknowledgement?"""
    result = await run_service(acknowledgements.verify_receipt, db=db, actor=ANONYMOUS, code=code, sha256=sha256)
    body: dict[str, object] = {"valid": result.valid}
    if result.valid:
        body |= {
            "acknowledged_at": result.acknowledged_at.isoformat() if result.acknowledged_at else None,
            "school": result.school,
            "kind": result.kind,
            "version": result.version,
            "method": result.method,
        }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/receipts/{code}.{extension}")
async def receipt_file(
    request: Request, db: DatabaseDep, settings: SettingsDep, actor: BearerActor, code: str, extension: str
) -> Response:
    if not actor.is_authenticated:  # first: an anonymous caller learns nothing of the route either
        return await refused(db, request, actor, "receipt", NotAuthenticated(AUTHENTICATION_REQUIRED))
    if extension not in ("json", "docx"):
        return error_response(request.scope, 404, "Receipts are .json or .docx.", "NOT_FOUND")
    try:
        found = await run_service(acknowledgements.receipt, db=db, actor=actor, code=code)
    except GovkitError as exc:
        return await refused(db, request, actor, "receipt", exc)
    data = found.to_json()
    if extension == "json":
        return JSONResponse(data, headers={"Cache-Control": "private, no-store"})
    verify_url = f"{settings.public_url.rstrip('/')}/verify/{code}"
    content = await anyio.to_thread.run_sync(lambda: certificate_docx(data, verify_url))
    return Response(
        content=content,
        media_type=DOCX,
        headers={
            "Content-Disposition": f'attachment; filename="attestation-{code}.docx"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
