"""What the pages of the plan's records share (commitments and arrangements, training and surveys,
waivers, rule parameters): a change made through a service and written to the audit log, the
refusal of a form said on its page with the right status, and the form's values read back.

Each change is authorised by its service (govkit.access), as from GraphQL; the page writes the audit
event after the service answered (``page.<action>``: ok, refused or error), as the GraphQL layer
does for its mutations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

import anyio.to_thread

from govkit.access import audit
from govkit.errors import GovkitError, InvalidInput, NotAuthenticated
from govkit.web.i18n.errors import say
from govkit.web.pages import PageRequest

T = TypeVar("T")
log = logging.getLogger(__name__)


async def change(
    page: PageRequest, action: str, target: Mapping[str, Any], function: Callable[..., T], **kwargs: Any
) -> T:
    """``function`` called as the page's caller, and the outcome written to the audit log as ``page.<action>``."""
    try:
        result = await page.call(function, **kwargs)
    except GovkitError as exc:
        refused = exc.code in ("FORBIDDEN", "UNAUTHENTICATED")
        await _audit(page, action, "refused" if refused else "error", target, exc.message)
        raise
    await _audit(page, action, "ok", target, None)
    return result


async def audit_refusal(page: PageRequest, action: str, target: Mapping[str, Any], exc: GovkitError) -> None:
    """A change refused before its service could write its own audit event."""
    if exc.code in ("FORBIDDEN", "UNAUTHENTICATED"):
        await _audit(page, action, "refused", target, exc.message)


async def _audit(page: PageRequest, action: str, outcome: str, target: Mapping[str, Any], detail: str | None) -> None:
    request = page.request

    def write() -> None:
        audit.record(
            page.db,
            actor=page.actor,
            action=f"page.{action}",
            outcome=outcome,
            correlation_id=getattr(request.state, "correlation_id", "-"),
            target=audit.summarise(dict(target)),
            detail=detail,
            client_ip=request.client.host if request.client else None,
        )

    try:
        await anyio.to_thread.run_sync(write)
    except Exception:  # the change stands; a log line says the audit could not be written
        log.exception("could not write the audit log")


def status_of(exc: GovkitError) -> int:
    """The HTTP status of a refused form: 401, 403, 404, a refused file's own (413, 415), else 400."""
    if isinstance(exc, NotAuthenticated):
        return 401
    given = getattr(exc, "http_status", None)
    if isinstance(given, int):
        return given
    return {"FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409}.get(exc.code, 400)


def refusal(page: PageRequest, exc: GovkitError) -> dict[str, Any] | None:
    """What a form's page shows of ``exc`` (its message in the page's language, the fields named), or
    None when the page itself cannot be shown (sign in again, not allowed, not found)."""
    if isinstance(exc, NotAuthenticated) or exc.code in ("FORBIDDEN", "UNAUTHENTICATED"):
        return None
    return {"message": say(exc, page.language), "fields": [p.path for p in exc.problems][:20]}


def optional_date(text: str, field: str) -> date | None:
    """A form's date (YYYY-MM-DD), None when left empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"Date {text!r} not recognised (YYYY-MM-DD).", key="bad_date", params={"text": text}
        ) from None


def required_date(text: str, field: str) -> date:
    day = optional_date(text, field)
    if day is None:
        raise InvalidInput(f"Give {field} (YYYY-MM-DD).", key="bad_date", params={"text": ""})
    return day


def form_values(form: Mapping[str, Any], *names: str) -> dict[str, str]:
    """The named text fields of a submitted form (files and the CSRF value left out)."""
    return {name: str(form.get(name) or "") for name in names}
