"""GraphQLEndpoint: strawberry's ASGI view, with govkit's context, request checks and answers.

The requests intranets and members send, one JSON operation by POST, are answered here with
what strawberry's view would do for them, minus its generic machinery (request adapters, the
checks of every transport), which cost more than executing a small operation. Anything else
(GET, uploads, batches, malformed bodies, streaming) goes to strawberry's view.

Either way, a request that is not a GraphQL request is a 400 that says why
(govkit.graphql.http_request), every answer is a GraphQL response in the media type the client
accepts (govkit.media_types), and the view's refusals (its HTTP exceptions) are GraphQL
responses too (govkit.http_errors).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from govkit.graphql.context import Context
from govkit.graphql.http_request import checked_operation, decode_json, multipart_operations
from govkit.graphql.ide import LocalGraphiQL
from govkit.http_errors import error_response
from govkit.media_types import JSON, content_type, response_media_type, shaped_for

#: What a 405 answer says the endpoint allows.
ALLOWED_METHODS = "GET, POST"
#: strawberry's refusals that say too little.
_CLEARER = {
    "Unsupported content type": (
        "Unsupported content type: send application/json (or multipart/form-data, to upload files)."
    ),
}


class GraphQLEndpoint(LocalGraphiQL, GraphQL):
    """strawberry's ASGI endpoint with govkit's per-request context (see the module's text)."""

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        context_getter: Callable[[Request, Response], Awaitable[Context]],
        **options: Any,
    ) -> None:
        super().__init__(schema, **options)
        self._context_getter = context_getter

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:  # type: ignore[override]
        assert isinstance(request, Request)
        assert isinstance(response, Response)
        return await self._context_getter(request, response)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if scope["method"] != "POST" or not _plain_json(scope):
            await self._view(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        try:
            data = checked_operation(decode_json(body))
        except HTTPException:
            data = None  # strawberry's view says why, once it has authenticated the caller
        if not isinstance(data, dict):  # that, or a batch

            async def replay() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            await self._view(scope, replay, send)
            return
        response = await self._answer(request, data)
        await response(scope, receive, send)

    async def _view(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's view (as its own __call__), its refusals answered as GraphQL responses."""
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:
            response = refusal(scope, exc)
        await response(scope, receive, send)

    async def _answer(self, request: Request, data: dict[str, Any]) -> Response:
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        try:
            result = await self.schema.execute(
                data.get("query"),
                variable_values=data.get("variables"),
                context_value=context,
                operation_name=data.get("operationName"),
                allowed_operation_types=OperationType.from_http("POST"),
                operation_extensions=data.get("extensions"),
            )
        except MissingQueryError:
            return refusal(request.scope, HTTPException(400, "No GraphQL query found in the request"))
        except CannotGetOperationTypeError as exc:
            return refusal(request.scope, HTTPException(400, exc.as_http_error_reason()))
        except InvalidOperationTypeError as exc:
            return refusal(request.scope, HTTPException(400, exc.as_http_error_reason("POST")))
        return self.create_response(process_result(result), sub_response)

    # --- strawberry's view: its hooks ------------------------------------------------------------

    def parse_json(self, data: str | bytes) -> Any:
        """The JSON body of a POST (the view's only use of it here): decoded, and a GraphQL request."""
        return checked_operation(decode_json(data))

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        """A GET's parameters, ``variables`` and ``extensions`` decoded from JSON."""
        found = dict(params)
        for key in ("variables", "extensions"):
            if found.get(key):
                found[key] = decode_json(found[key], f"The `{key}` parameter")
        return found

    async def parse_multipart(self, request: Any) -> Any:
        """A multipart request's operations, its files in place (govkit.graphql.http_request)."""
        try:
            form = await request.get_form_data()
        except MultiPartException as exc:
            raise HTTPException(400, f"The multipart body cannot be read: {exc.message}") from None
        except StarletteHTTPException as exc:  # the same, when Starlette's routing called the view
            if exc.status_code != 400:
                raise
            raise HTTPException(400, f"The multipart body cannot be read: {exc.detail}") from None
        return multipart_operations(form.form)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """strawberry's, with the media type the answer will have (Accept, negotiated)."""
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.scope["headers"])
        return sub_response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.media_type or JSON
        body, status = shaped_for(media_type, response_data, sub_response.status_code)
        response = Response(self.encode_json(body), status_code=status, media_type=content_type(media_type))
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response


def refusal(scope: Scope, exc: HTTPException) -> Response:
    """The view's HTTP exception as a GraphQL response."""
    headers = [("Allow", ALLOWED_METHODS)] if exc.status_code == 405 else []
    return error_response(scope, exc.status_code, _CLEARER.get(exc.reason, exc.reason), headers=headers)


def _plain_json(scope: Scope) -> bool:
    """A JSON body, and no streamed answer asked for (multipart or server-sent events)."""
    json_body = False
    for name, value in scope["headers"]:
        if name == b"content-type":
            json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"accept" and (b"multipart/" in value or b"text/event-stream" in value):
            return False
    return json_body
