"""The bodies of HTTP error answers, in the two shapes govkit uses (SECURITY.md, "Errors").

On ``/graphql`` every answer is a GraphQL response, errors included (a body that is not JSON, a
body over the limit, a method other than GET and POST, a token refused):
``{"data": null, "errors": [{"message": ..., "extensions": {"code": ...}}]}``, without ``data``
when the answer is ``application/graphql-response+json`` (govkit.media_types).

On every other JSON route an error is ``{"detail": <message>, "code": <CODE>}``, with more keys
where they help (``reference`` of an internal error, ``problems`` of invalid input).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.responses import Response

from govkit.media_types import GRAPHQL_RESPONSE, JSON, content_type, response_media_type

#: The code of an error answered by its HTTP status alone.
STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    422: "INVALID_INPUT",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
GRAPHQL_PATH = "/graphql"


def status_code(status: int) -> str:
    return STATUS_CODES.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL")


def route_path(scope: Any) -> str:
    """The request's path within the application (without the root path it is mounted under)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def graphql_error_body(message: str, code: str, *, media_type: str, **extensions: Any) -> dict[str, Any]:
    """A GraphQL response with one request error (no ``data`` under graphql-response+json)."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return {"errors": [error]} if media_type == GRAPHQL_RESPONSE else {"data": None, "errors": [error]}


def route_error_body(message: str, code: str, **more: Any) -> dict[str, Any]:
    return {"detail": message, "code": code, **more}


def error_answer(scope: Any, status: int, message: str, code: str | None = None, **more: Any) -> tuple[bytes, bytes]:
    """The body and content type of an error answered to the request of ``scope``: a GraphQL
    response on ``/graphql`` (``more`` goes to the error's extensions), elsewhere the routes' shape."""
    code = code or status_code(status)
    if route_path(scope) == GRAPHQL_PATH:
        media_type = response_media_type(scope.get("headers", ()))
        body = graphql_error_body(message, code, media_type=media_type, **more)
    else:
        media_type, body = JSON, route_error_body(message, code, **more)
    return json.dumps(body, separators=(",", ":")).encode(), content_type(media_type).encode()


def error_response(
    scope: Any,
    status: int,
    message: str,
    code: str | None = None,
    *,
    headers: Iterable[tuple[str, str]] = (),
    **more: Any,
) -> Response:
    """``error_answer`` as a Starlette response."""
    body, kind = error_answer(scope, status, message, code, **more)
    response = Response(body, status_code=status, media_type=kind.decode())
    for name, value in headers:
        response.headers[name] = value
    return response
