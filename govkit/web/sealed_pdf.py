"""The sealed PDF receipt as an HTTP answer, for the plain route (/receipts/{code}.pdf, bearer token)
and the member's page (/ui/receipts/{code}.pdf, session): the PDF once sealed; while it is being
sealed, 503 with Retry-After, its sealing queued at once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govkit.access.roles import Principal
from govkit.acknowledgements import sealing
from govkit.composition import Wiring
from govkit.disconnects import run_service
from govkit.errors import GovkitError
from govkit.http_errors import error_response
from govkit.proof.sealer import SEALER, Sealer
from govkit.web.errors import refused
from govkit.web.i18n import translator
from govkit.web.pages import Page

#: The member's page of the PDF (under /ui), beside the .docx certificate of govkit.web.member.
pages = APIRouter()

#: Seconds a client is told to wait for a receipt being sealed (a job takes well under this).
RETRY_AFTER_SECONDS = 5
PENDING = (
    "The receipt is being sealed: try again in {seconds} s. / Le reçu est en cours de scellement : "
    "réessayez dans {seconds} s."
)
FAILED = (
    "The receipt could not be sealed yet ({error}); sealing was tried again: retry later, or take the "
    ".docx or .json receipt meanwhile."
)


def sealer_of(wiring: Wiring) -> Sealer:
    """The process's sealer (govkit.composition), or one from the settings."""
    built = wiring.job_extras.get(SEALER)
    return built if isinstance(built, Sealer) else Sealer(wiring.settings)


async def pdf_answer(request: Request, wiring: Wiring, actor: Principal, code: str) -> Response:
    """The receipt's PDF for ``actor`` (refused as the other receipt routes refuse)."""
    try:
        found = await run_service(sealing.sealed_file, db=wiring.db, actor=actor, code=code)
    except GovkitError as exc:
        return await refused(wiring.db, request, actor, "receipt", exc)
    if found.pdf is None:
        await _queue(wiring, found)
        if found.state.status == "failed":
            message = FAILED.format(error=found.state.error or "unknown error")
        else:
            message = PENDING.format(seconds=RETRY_AFTER_SECONDS)
        return error_response(request.scope, 503, message, "UNAVAILABLE", headers=_later(), seal=found.state.status)
    return _pdf(found)


@pages.get("/receipts/{code}.pdf")
async def page_pdf(page: Page, code: str) -> Response:
    """The member's (or their school staff's) download of the sealed PDF."""
    try:
        found = await run_service(sealing.sealed_file, db=page.db, actor=page.actor, code=code)
    except GovkitError as exc:
        return page.error(exc)
    if found.pdf is None:
        await _queue(page.wiring, found)
        answer = page.render("error.html", status=503, error=translator(page.language)("seal_pending_page"))
        for name, value in [*_later(), ("Refresh", str(RETRY_AFTER_SECONDS))]:
            answer.headers[name] = value
        return answer
    return _pdf(found)


async def _queue(wiring: Wiring, found: sealing.SealedFile) -> None:
    await run_service(
        sealing.request_sealing, db=wiring.db, jobs=wiring.jobs, acknowledgement_id=found.acknowledgement_id
    )


def _later() -> list[tuple[str, str]]:
    return [("Retry-After", str(RETRY_AFTER_SECONDS)), ("Cache-Control", "no-store")]


def _pdf(found: sealing.SealedFile) -> Response:
    assert found.pdf is not None
    return Response(
        found.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="recu-{found.code}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Govkit-Seal": found.state.status,
        },
    )
