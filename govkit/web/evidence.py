"""The evidence file of a person on a date, downloaded as a Word document (or JSON):
``GET /evidence/{school}/{person}/{date}.docx`` with a bearer token, and the same under ``/ui`` for
a signed-in page (the session cookie). Authorised and audited by the service
(govkit.evidence.service): legal staff, and the administration of the person's school."""

from __future__ import annotations

import re
from datetime import date

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from govkit.access.policy import AUTHENTICATION_REQUIRED
from govkit.access.roles import Principal
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.errors import GovkitError, InvalidInput, NotAuthenticated, NotFound
from govkit.evidence import service
from govkit.evidence.document import DOCX_MEDIA_TYPE, evidence_docx
from govkit.evidence.export import to_json
from govkit.settings import Settings
from govkit.web.bearer import BearerActor
from govkit.web.dependencies import DatabaseDep, SettingsDep
from govkit.web.errors import refused
from govkit.web.pages import Page

#: The plain route (bearer token).
router = APIRouter(tags=["evidence"])
#: The same under /ui, for the signed-in pages (session cookie).
pages = APIRouter()

PATH = "/evidence/{school}/{person}/{day}.{extension}"
_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


async def _export(
    request: Request,
    db: Database,
    settings: Settings,
    actor: Principal,
    school: str,
    person: str,
    day: str,
    extension: str,
) -> Response:
    """The evidence file as the answer to ``request`` (a GovkitError when refused or invalid)."""
    if extension not in ("docx", "json"):
        raise NotFound(
            "Un dossier de preuve est un .docx ou un .json. / An evidence file is .docx or .json.",
            key="evidence_format",
        )
    language = request.query_params.get("lang", "fr")
    if language not in ("fr", "en"):
        raise InvalidInput("La langue est fr ou en. / The language is fr or en.", key="bad_language")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(
            f"{day!r} n'est pas une date AAAA-MM-JJ. / {day!r} is not a date (YYYY-MM-DD).",
            key="bad_date",
            params={"text": day},
        ) from None
    found = await run_service(
        service.evidence_file,
        db=db,
        actor=actor,
        school=school,
        person=person,
        day=when,
        correlation_id=getattr(request.state, "correlation_id", "-"),
        client_ip=request.client.host if request.client else None,
        channel="page",
    )
    data = to_json(found, settings.public_url)
    if extension == "json":
        return JSONResponse(data, headers=_HEADERS)
    content = await anyio.to_thread.run_sync(lambda: evidence_docx(data, language))
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"dossier-de-preuve-{found.school_code}-{person}-{when}")
    return Response(
        content=content,
        media_type=DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.docx"', **_HEADERS},
    )


@router.get(PATH)
async def evidence_file(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: BearerActor,
    school: str,
    person: str,
    day: str,
    extension: str,
) -> Response:
    if not actor.is_authenticated:  # first: an anonymous caller learns nothing of the route either
        return await refused(db, request, actor, "evidence", NotAuthenticated(AUTHENTICATION_REQUIRED))
    try:
        return await _export(request, db, settings, actor, school, person, day, extension)
    except GovkitError as exc:
        return await refused(db, request, actor, "evidence", exc)


@pages.get(PATH)
async def evidence_page(page: Page, school: str, person: str, day: str, extension: str) -> Response:
    try:
        return await _export(page.request, page.db, page.settings, page.actor, school, person, day, extension)
    except GovkitError as exc:
        return page.error(exc)
