"""GraphQL over HTTP: everything ``/graphql`` does with a request before and after execution.

The path of a request (``graphql_endpoint`` builds it; govkit.app puts it before FastAPI's
middleware and routing, behind the same guard, CORS and exception handlers, see
govkit.middleware.around_graphql):

- **the fast path** — one JSON operation by POST, no streamed answer asked for: the requests
  intranets and members send. ``GraphQLEndpoint._answer`` reads the body, checks it
  (``checked_operation``), builds the context, executes (govkit.graphql.execution) and answers,
  exactly as strawberry's view would (tests/graphql/test_graphql_http.py sends each request both ways),
  without the view's generic machinery (request adapters, every transport's checks), which costs
  more than executing a small operation;
- **strawberry's view** — everything else: GET, multipart uploads, batches, malformed bodies,
  streaming, GraphiQL. govkit fills the view's hooks: the same checks of JSON bodies and query
  parameters, multipart bodies parsed by ``multipart_operations``, answers in the negotiated media
  type (govkit.media_types), and its refusals (HTTP exceptions) as GraphQL responses.

``GOVKIT_GRAPHQL_HTTP=strawberry`` sends every request to strawberry's view (should a version of
strawberry change what the fast path relies on: tests/system/test_pinned_internals.py names it).

Either way, a request that is not a GraphQL request is a 400 that says why (never a Python error),
and every answer is a GraphQL response.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from cross_web import HTTPException
from starlette.datastructures import UploadFile
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

from govkit.access.roles import Principal
from govkit.auth.ratelimit import RateLimiter
from govkit.composition import Wiring
from govkit.graphql.ide import LocalGraphiQL
from govkit.graphql.schema import build_schema
from govkit.http_errors import error_response
from govkit.media_types import JSON, content_type, response_media_type, shaped_for
from govkit.resolving import Context

# --- what a GraphQL request must be ---------------------------------------------------------------

NOT_AN_OPERATION = "The request body must be a JSON object with a `query` (and `variables`, `operationName`)."
#: (key, the types it may have, what it must be) of a single operation.
_FIELDS = (
    ("query", (str, type(None)), "a string or null"),
    ("variables", (dict, type(None)), "an object or null"),
    ("operationName", (str, type(None)), "a string or null"),
    ("extensions", (dict, type(None)), "an object or null"),
)


def bad_request(message: str) -> HTTPException:
    """The exception strawberry's view answers with a 400 (``refusal`` shapes it as GraphQL)."""
    return HTTPException(400, message)


def decode_json(data: str | bytes, what: str = "The request body") -> Any:
    """``data`` decoded, or a 400 saying why it is not JSON (of bounded nesting, UTF-8)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise bad_request(f"{what} nests arrays and objects too deeply.") from None
    except UnicodeDecodeError as exc:
        raise bad_request(f"{what} is not valid JSON: it is not UTF-8 text (byte {exc.start + 1}).") from None
    except json.JSONDecodeError as exc:
        raise bad_request(f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except ValueError:
        raise bad_request(f"{what} is not valid JSON.") from None


def operation_problem(data: object) -> str | None:
    """Why ``data`` (a decoded body) is not a GraphQL request, or None (a list: a batch, for the view)."""
    if isinstance(data, list):
        return None
    if not isinstance(data, dict):
        return NOT_AN_OPERATION
    for key, types, expected in _FIELDS:
        if not isinstance(data.get(key), types):
            return f"The GraphQL operation's `{key}` must be {expected}, if provided."
    return None


def checked_operation(data: object) -> Any:
    """``data``, if it is a GraphQL request (or a batch); a 400 otherwise."""
    problem = operation_problem(data)
    if problem is not None:
        raise bad_request(problem)
    return data


def multipart_operations(form: Mapping[str, Any]) -> Any:
    """The operations of a multipart request (the GraphQL multipart request specification: JSON
    ``operations`` and ``map`` fields), with its files in the places its map names."""
    texts = {}
    for name in ("operations", "map"):
        value = form.get(name)
        if not isinstance(value, str):
            raise bad_request(f"A multipart GraphQL request needs a `{name}` field of JSON text.")
        texts[name] = value
    operations = checked_operation(decode_json(texts["operations"], "The multipart `operations` field"))
    files_map = decode_json(texts["map"], "The multipart `map` field")
    if not isinstance(files_map, dict):
        raise bad_request("The multipart `map` field must be a JSON object of file fields and paths.")
    for field, paths in files_map.items():
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise bad_request(f"The multipart `map` names a file `{field}` that the request does not carry.")
        if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
            raise bad_request(f"The multipart `map` entry of `{field}` must be a list of paths.")
        for path in paths:
            _place(operations, path, upload)
    return operations


def _place(operations: Any, path: str, upload: UploadFile) -> None:
    """Put ``upload`` at ``path`` ("variables.file", "0.variables.files.1") in ``operations``."""
    keys = path.split(".")
    target = operations
    for position, key in enumerate(keys):
        index: Any
        if isinstance(target, list) and key.isascii() and key.isdigit() and len(key) < 10 and int(key) < len(target):
            index = int(key)
        elif isinstance(target, dict) and key in target:
            index = key
        else:
            raise bad_request(f"The multipart `map` path `{path}` is not a place in the operations.")
        if position == len(keys) - 1:
            target[index] = upload
        else:
            target = target[index]


# --- the endpoint ---------------------------------------------------------------------------------

#: What a 405 answer says the endpoint allows.
ALLOWED_METHODS = "GET, POST"
#: strawberry's refusals that say too little.
_CLEARER = {
    "Unsupported content type": (
        "Unsupported content type: send application/json (or multipart/form-data, to upload files)."
    ),
}


class GraphQLEndpoint(LocalGraphiQL, GraphQL[Context, None]):
    """strawberry's ASGI view, with govkit's fast path, context and hooks (see the module's text)."""

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        context_getter: Callable[[Request, Response], Awaitable[Context]],
        fast_path: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(schema, **options)
        self._context_getter = context_getter
        self.fast_path = fast_path

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert isinstance(request, Request)
        assert isinstance(response, Response)
        return await self._context_getter(request, response)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if not self.fast_path or scope["method"] != "POST" or not _plain_json(scope):
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
        """The fast path: one checked JSON operation, answered as the view would."""
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
        """A multipart request's operations, its files in place (``multipart_operations``)."""
        try:
            form = await request.get_form_data()
        except MultiPartException as exc:
            raise HTTPException(400, f"The multipart body cannot be read: {exc.message}") from None
        except StarletteHTTPException as exc:  # the same, when the application is mounted under Starlette's routing
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
    """A JSON body, and no streamed answer asked for (multipart or server-sent events): the fast path's requests."""
    json_body = False
    for name, value in scope["headers"]:
        if name == b"content-type":
            json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"accept" and (b"multipart/" in value or b"text/event-stream" in value):
            return False
    return json_body


# --- the endpoint of an application ---------------------------------------------------------------


@dataclass
class HTTPContext(Context):
    """The context of a request over HTTP: with the rate limit of costly mutations
    (govkit.graphql.execution.rate_limit)."""

    limiter: RateLimiter | None = None


def graphql_endpoint(wiring: Wiring, principal: Callable[[str | None], Awaitable[Principal]]) -> GraphQLEndpoint:
    """The ``/graphql`` endpoint of an application: its schema, its rate limit, and a context per
    request whose caller ``principal`` finds from the Authorization header (and raises for a header
    that cannot be trusted: the application's exception handlers answer it)."""
    settings = wiring.settings
    limiter = RateLimiter(settings.mutation_rate_per_minute)

    async def context(request: Request, response: Response) -> Context:
        found = HTTPContext(
            db=wiring.db,
            settings=settings,
            actor=await principal(request.headers.get("authorization")),
            wiring=wiring.resolvers,
            correlation_id=getattr(request.state, "correlation_id", "-"),
            client_ip=request.client.host if request.client else None,
            limiter=limiter,
        )
        found.request, found.response = request, response
        return found

    return GraphQLEndpoint(
        build_schema(settings),
        context_getter=context,
        fast_path=settings.graphql_http == "govkit",
        graphql_ide="graphiql" if settings.is_dev else None,
        multipart_uploads_enabled=True,
    )
