"""The public transparency page: the register of processing (govkit.privacy.register), no sign-in.

- ``GET /privacy`` (HTML page, French; ``?lang=en`` English, any other value French as the public
  documents' pages do) and ``GET /privacy.json`` (same ``?lang``): each category of personal data
  govkit stores, its purpose, legal basis, recipients, retention (this deployment's settings), where
  it is erased and its columns.

Generated from the code once per process (the models' declarations do not change while it runs);
nothing here reads the database or is written to the audit log (public by design).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from govkit.documents.addresses import MEDIA_TYPES
from govkit.privacy.register import LANGUAGES, Register, as_json, build, words
from govkit.settings import Settings
from govkit.web.dependencies import WiringDep
from govkit.web.i18n import translator
from govkit.web.pages import templates
from govkit.web.public import CSP, IN_FORCE_CACHE, READ

router = APIRouter(tags=["personal data"])

#: The page's stable addresses (linked from the member page and the sign-in pages).
PAGE = "/privacy"
JSON = "/privacy.json"
HEADERS = {"Cache-Control": IN_FORCE_CACHE, "X-Content-Type-Options": "nosniff"}


@cache
def _register() -> Register:
    import govkit.models

    return build(govkit.models.metadata)


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else "fr"


def register_data(lang: str, settings: Settings) -> dict[str, Any]:
    """The register as JSON in ``lang`` (French unless ``en``), with this deployment's retention."""
    return as_json(_register(), _language(lang), settings)


@router.api_route(JSON, methods=READ)
async def privacy_json(wiring: WiringDep, lang: str = "fr") -> Response:
    """The register of processing as JSON."""
    body = register_data(lang, wiring.settings)
    return JSONResponse(body, headers={**HEADERS, "Access-Control-Allow-Origin": "*"})


@router.api_route(PAGE, methods=READ)
async def privacy_page(wiring: WiringDep, lang: str = "fr") -> Response:
    """The register of processing as an HTML page."""
    language = _language(lang)
    other = "en" if language == "fr" else "fr"
    page = templates.get_template("privacy.html").render(
        lang=language,
        other=other,
        t=translator(language),
        other_words=translator(other),
        register=register_data(language, wiring.settings),
        words=words(language),
        json_url=f"{JSON}?lang={language}",
    )
    return Response(page, media_type=MEDIA_TYPES["html"], headers={**HEADERS, "Content-Security-Policy": CSP})
