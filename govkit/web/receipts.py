"""The plain routes of acknowledgements: anybody may verify a receipt (a verification code and the
document's hash, or the sealed PDF itself); its holder, or the staff who may see it, download it as
a sealed PDF, as JSON or as a Word certificate."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from govkit.access.policy import AUTHENTICATION_REQUIRED
from govkit.access.roles import ANONYMOUS
from govkit.acknowledgements import service as acknowledgements
from govkit.acknowledgements.certificate import certificate_docx
from govkit.acknowledgements.receipt_check import check_receipt_pdf, seal_state_by_code
from govkit.auth.ratelimit import RateLimiter
from govkit.disconnects import run_service
from govkit.errors import GovkitError, NotAuthenticated
from govkit.http_errors import error_response
from govkit.web.bearer import BearerActor
from govkit.web.dependencies import DatabaseDep, SettingsDep, WiringDep
from govkit.web.errors import refused
from govkit.web.sealed_pdf import pdf_answer, sealer_of

router = APIRouter(tags=["acknowledgements"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Receipts checked by POST /verify/{code}, per client address and minute (each costs a seal check).
CHECKS_PER_MINUTE = 30
_checks = RateLimiter(CHECKS_PER_MINUTE)


@router.get("/verify/{code}")
async def verify_receipt(db: DatabaseDep, code: str, sha256: str = "") -> JSONResponse:
    """Public: does this verification code and document hash match an acknowledgement? Its seal too."""
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
        if result.erasure:
            body["personal_data"] = result.erasure
        seal = await run_service(seal_state_by_code, db=db, code=code)
        if seal is not None:
            body["seal"] = {
                "status": seal.status,
                "sealed_at": seal.sealed_at.isoformat() if seal.sealed_at else None,
                "timestamped_at": seal.timestamp_time.isoformat() if seal.timestamp_time else None,
            }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/verify/{code}")
async def verify_receipt_pdf(request: Request, wiring: WiringDep, code: str) -> Response:
    """Public: check a receipt's PDF (the request's body, application/pdf, or a multipart ``file``):
    its seal, time-stamp and integrity, and what it states against the chain."""
    client = request.client.host if request.client else "-"
    wait = _checks.take(client)
    if wait:
        retry = RateLimiter.retry_after(wait)
        message = f"Too many receipts checked from this address: try again in {retry} s."
        return error_response(request.scope, 429, message, "RATE_LIMITED", headers=[("Retry-After", retry)])
    data = await _uploaded_pdf(request)
    if isinstance(data, Response):
        return data
    sealer = sealer_of(wiring)
    try:
        found = await run_service(check_receipt_pdf, db=wiring.db, data=data, sealer=sealer, expected_code=code)
    except GovkitError as exc:  # the server's trust roots misconfigured
        return error_response(request.scope, 503, exc.message, "UNAVAILABLE")
    if not found.readable or found.code is None:
        reason = found.reason or "not a govkit receipt"
        message = f"This file is not a sealed govkit receipt ({reason})."
        return error_response(request.scope, 422, message, "INVALID_INPUT")
    return JSONResponse(found.to_json(), headers={"Cache-Control": "no-store"})


async def _uploaded_pdf(request: Request) -> bytes | Response:
    """The PDF sent, or the 4xx answer: a raw body (application/pdf or octet-stream) or a multipart
    form's ``file`` field; the size is capped by the request guard (govkit.middleware)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/pdf", "application/octet-stream"):
        data = await request.body()
    elif kind == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=4)
        except Exception:  # starlette's parser refuses a malformed form in several ways
            return error_response(request.scope, 400, "The multipart form could not be read.", "INVALID_INPUT")
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return error_response(request.scope, 400, "Send the PDF in the form's `file` field.", "INVALID_INPUT")
        data = await upload.read()
    else:
        message = "Send the receipt's PDF as the body (Content-Type: application/pdf) or a multipart `file`."
        return error_response(request.scope, 415, message, "UNSUPPORTED_MEDIA_TYPE")
    if not data.startswith(b"%PDF-"):
        return error_response(request.scope, 422, "This file is not a PDF.", "INVALID_INPUT")
    return data


@router.get("/receipts/{code}.{extension}")
async def receipt_file(
    request: Request, wiring: WiringDep, settings: SettingsDep, actor: BearerActor, code: str, extension: str
) -> Response:
    db = wiring.db
    if not actor.is_authenticated:  # first: an anonymous caller learns nothing of the route either
        return await refused(db, request, actor, "receipt", NotAuthenticated(AUTHENTICATION_REQUIRED))
    if extension not in ("pdf", "json", "docx"):
        return error_response(request.scope, 404, "Receipts are .pdf, .json or .docx.", "NOT_FOUND")
    if extension == "pdf":
        return await pdf_answer(request, wiring, actor, code)
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
