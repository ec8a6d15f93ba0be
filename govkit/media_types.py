"""The media type of GraphQL answers, as the GraphQL-over-HTTP specification negotiates it.

A client that accepts ``application/graphql-response+json`` (its ``Accept`` header names it, with
a quality at least that of ``application/json``) gets it: then a request that fails before
execution (a document that does not parse or validate, variables that cannot be coerced, the
refusals that precede execution) is answered with a 4xx status and no ``data`` entry. Any other
client, and one without an ``Accept`` header, gets ``application/json`` as before: 200 with
``errors`` for such requests, 400 only for a request that is not a GraphQL request at all (a body
that is not JSON, no query).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
_CONTENT_TYPES = {JSON: JSON, GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8"}
_QUALITY_DIGITS = frozenset("0123456789.")


def content_type(media_type: str) -> str:
    """The Content-Type header of an answer of ``media_type``."""
    return _CONTENT_TYPES.get(media_type, media_type)


def response_media_type(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The media type to answer a request with these (ASGI) headers: a cheap scan, the Accept
    header parsed only when it names graphql-response+json."""
    accepted = [value for name, value in headers if name == b"accept"]
    if not any(b"graphql-response+json" in value for value in accepted):
        return JSON
    return negotiate(b",".join(accepted).decode("latin-1"))


def negotiate(accept: str) -> str:
    """``GRAPHQL_RESPONSE`` when ``accept`` prefers it to (or ranks it with) ``application/json``."""
    wanted = {GRAPHQL_RESPONSE: -1.0, JSON: -1.0, "application/*": -1.0, "*/*": -1.0}
    for entry in accept.split(","):
        media_type, *parameters = (part.strip() for part in entry.split(";"))
        media_type = media_type.lower()
        if media_type not in wanted:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                quality = _quality(value.strip())
        wanted[media_type] = max(wanted[media_type], quality)
    graphql = wanted[GRAPHQL_RESPONSE]
    json = next((q for q in (wanted[JSON], wanted["application/*"], wanted["*/*"]) if q >= 0), 0.0)
    return GRAPHQL_RESPONSE if graphql > 0 and graphql >= json else JSON


def _quality(value: str) -> float:
    """An RFC 9110 quality value; anything else counts as 0 (not acceptable)."""
    if not value or len(value) > 5 or not set(value) <= _QUALITY_DIGITS:
        return 0.0
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0.0 <= quality <= 1.0 else 0.0


def is_request_error(response: dict[str, Any]) -> bool:
    """A response whose errors came before execution: no data, and no error on a field's path."""
    errors = response.get("errors") or []
    return response.get("data") is None and bool(errors) and not any(error.get("path") for error in errors)


def shaped_for(media_type: str, response: Any, status: int | None) -> tuple[Any, int]:
    """The body and status of a GraphQL response answered as ``media_type`` (``status``: one set
    while executing, as 401 or 429, or None)."""
    if media_type == GRAPHQL_RESPONSE and isinstance(response, dict) and is_request_error(response):
        internal = any((error.get("extensions") or {}).get("code") == "INTERNAL" for error in response["errors"])
        return {key: value for key, value in response.items() if key != "data"}, status or (500 if internal else 400)
    return response, status or 200
