"""The local outbox (dev only, legal staff): the e-mail notices kept because no SMTP server is
configured, with their sign-in links clickable. Anywhere but GOVKIT_ENV=dev it does not exist (404)."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from govkit.errors import GovkitError, NotFound
from govkit.notifications import reads
from govkit.web.pages import Page

router = APIRouter()

PAGE_SIZE = 200
_URL = re.compile(r"(https?://\S+|/ui/\S+)")


def pieces(body: str) -> list[tuple[str, bool]]:
    """The body as (text, is_link) pieces: the template escapes the text and links the links."""
    parts = _URL.split(body)
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]


@router.get("/dev/outbox", response_class=HTMLResponse)
async def outbox(page: Page) -> Response:
    if not page.settings.is_dev:
        return page.error(NotFound("Page introuvable. / No such page.", key="no_page"))
    try:
        kept = await page.call(reads.outbox, first=PAGE_SIZE)
    except GovkitError as exc:
        return page.error(exc)
    return page.render("outbox.html", notices=kept, pieces=pieces, page_size=PAGE_SIZE)
