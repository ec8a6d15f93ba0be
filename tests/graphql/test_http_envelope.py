"""The HTTP envelope of /graphql: any request, however malformed, is answered below 500 with a
GraphQL response (``errors``, no Python text), on either path (govkit's fast path and strawberry's
view), in development and in production. The media types of the answers are in
tests/graphql/test_graphql_media_types.py, the error shapes of the other routes in tests/graphql/test_error_shapes.py.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.db import Database
from govkit.media_types import GRAPHQL_RESPONSE
from tests.conftest import Api, TokenFactory, make_settings
from tests.envelope_helpers import (
    ORGANISATIONS,
    PATHS,
    check_graphql_answer,
    use_path,
)

# --- the property: arbitrary requests ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
queries = st.sampled_from(
    [
        ORGANISATIONS,
        "{ organisations { code ",
        "{ organisations { nope } }",
        "query A { organisations { code } } query B { organisations { name } }",
        "query ($c: String!) { organisation(code: $c) { code } }",
        'mutation { acknowledge(documentVersionId: "1") { verificationCode } }',
        "subscription { x }",
        "{ }",
        "{ organisations { } }",
        "query A { ...F } fragment F on Query { }",
        "",
    ]
) | st.text(max_size=40)
operations = st.fixed_dictionaries(
    {},
    optional={
        "query": queries | json_values,
        "variables": json_values,
        "operationName": st.sampled_from(["A", "B", None]) | json_values,
        "extensions": json_values,
    },
)
#: Operations with a query text, one of the other keys of any JSON type.
queried_operations = st.tuples(
    queries,
    st.sampled_from(["variables", "operationName", "extensions"]),
    st.lists(json_values, max_size=3) | st.dictionaries(st.text(max_size=5), json_values, max_size=3) | json_values,
).map(lambda t: {"query": t[0], t[1]: t[2]})


def deeply_nested(depth: int) -> bytes:
    return ('{"query": "{ organisations { code } }", "variables": {"v": ' + "[" * depth + "]" * depth + "}}").encode()


def multipart(parts: list[tuple[str, bytes, bool]], boundary: str = "govkit") -> bytes:
    out = b""
    for name, value, is_file in parts:
        filename = '; filename="f.docx"' if is_file else ""
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n'.encode()
        out += value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


multipart_parts = st.lists(
    st.tuples(
        st.sampled_from(["operations", "map", "0", "1", "x"]),
        st.one_of(operations.map(lambda o: json.dumps(o).encode()), json_values.map(lambda v: json.dumps(v).encode())),
        st.booleans(),
    ),
    max_size=4,
)
bodies = st.one_of(
    operations.map(lambda o: json.dumps(o).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=120),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.integers(min_value=1, max_value=100_000).map(deeply_nested),
    multipart_parts.map(multipart),
    st.just(b"x" * 5000),  # over the test's body limit
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "multipart/form-data",
        "multipart/form-data; boundary=govkit",
        "multipart/form-data; boundary=other; charset=nope",
        "text/plain",
        "application/graphql",
        "application/x-www-form-urlencoded",
        "",
        ";;;",
    ]
) | st.text(max_size=30)
accepts = st.sampled_from(
    [
        None,
        "*/*",
        "application/json",
        GRAPHQL_RESPONSE,
        f"{GRAPHQL_RESPONSE}, application/json;q=0.9",
        f"application/json, {GRAPHQL_RESPONSE};q=0.5",
        f"{GRAPHQL_RESPONSE};q=abc",
        "text/html",
        "text/event-stream",
        "multipart/mixed; deferSpec=20220824",
    ]
) | st.text(max_size=30)
authorizations = st.sampled_from([None, "Bearer a.b.c", "Basic abc", "Bearer", "", "VALID"])
query_strings = st.dictionaries(
    st.sampled_from(["query", "variables", "operationName", "extensions", "other"]),
    st.one_of(queries, st.text(max_size=30), json_values.map(json.dumps)),
    max_size=4,
)
any_requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["POST", "POST", "GET", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
        "body": bodies,
        "content_type": content_types,
        "accept": accepts,
        "authorization": authorizations,
        "params": query_strings,
    }
)
json_requests = st.fixed_dictionaries(
    {
        "method": st.just("POST"),
        "body": st.one_of(
            queried_operations.map(lambda o: json.dumps(o).encode()),
            operations.map(lambda o: json.dumps(o).encode()),
            st.integers(min_value=1, max_value=3000).map(deeply_nested),
            st.binary(max_size=60).map(lambda b: b'{"query": "' + b + b'"}'),
        ),
        "content_type": st.just("application/json"),
        "accept": accepts,
        "authorization": authorizations,
        "params": st.just({}),
    }
)
upload_requests = st.fixed_dictionaries(
    {
        "method": st.just("POST"),
        "body": multipart_parts.map(multipart) | st.binary(max_size=60),
        "content_type": st.sampled_from(["multipart/form-data; boundary=govkit", "multipart/form-data"]),
        "accept": accepts,
        "authorization": st.just("VALID"),
        "params": st.just({}),
    }
)
requests = st.one_of(json_requests, any_requests, json_requests, upload_requests)  # JSON: the usual request


def _header_safe(value: str) -> bytes:
    """``value`` as header bytes (any byte but CR and LF, as a hostile client may send)."""
    return value.replace("\r", " ").replace("\n", " ").encode("utf-8", "surrogatepass")


def send(api: Api, request: dict[str, Any], token: str) -> httpx.Response:
    headers: dict[str, Any] = {}
    for name, value in (("content-type", request["content_type"]), ("accept", request["accept"])):
        if value is not None:
            headers[name] = _header_safe(value)
    if request["authorization"] is not None:
        headers["authorization"] = (
            f"Bearer {token}" if request["authorization"] == "VALID" else request["authorization"]
        )
    content = request["body"] if request["method"] not in ("GET", "HEAD") else None
    return api.request(request["method"], "/graphql", content=content, headers=headers, params=request["params"])


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize("path", PATHS)
def test_no_request_to_graphql_is_a_server_error(
    db: Database, token: TokenFactory, monkeypatch: pytest.MonkeyPatch, path: str, env: str
) -> None:
    use_path(monkeypatch, path)
    api = Api(db, make_settings(max_body_bytes=4096, env=env))
    bearer = token("legal")

    @settings(max_examples=100, deadline=3000, suppress_health_check=list(HealthCheck), database=None)
    @given(requests)
    def run(request: dict[str, Any]) -> None:
        body = check_graphql_answer(send(api, request, bearer), request["method"])
        for error in (body or {}).get("errors") or []:  # bad input is never an internal error
            assert (error.get("extensions") or {}).get("code") != "INTERNAL", (request, error)

    run()


# --- the 500s found, each on either path ---------------------------------------------------------


def _multipart_headers(bearer: str, content_type: str) -> dict[str, str]:
    return {"authorization": f"Bearer {bearer}", "content-type": content_type}


FOUND: dict[str, tuple[dict[str, Any], str]] = {
    "a body that is not UTF-8": (
        {"content": b'{"query": "\xff"}', "headers": {"content-type": "application/json"}},
        "The request body is not valid JSON: it is not UTF-8 text",
    ),
    "a UTF-16 byte order mark and garbage": (
        {"content": b"\xff\xfe{", "headers": {"content-type": "application/json"}},
        "The request body is not valid JSON",
    ),
    "variables nested 100,000 deep": (
        {"content": deeply_nested(100_000), "headers": {"content-type": "application/json"}},
        "nests arrays and objects too deeply",
    ),
    "an operationName that is an object": (
        {"json": {"query": ORGANISATIONS, "operationName": {"a": 1}}},
        "`operationName` must be a string or null",
    ),
    "an operationName that is a list": (
        {"json": {"query": ORGANISATIONS, "operationName": ["A"]}},
        "`operationName` must be a string or null",
    ),
    "a body that is a number": ({"json": 42}, "must be a JSON object with a `query`"),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", list(FOUND))
def test_the_server_errors_found_are_clear_400s(
    api: Api, monkeypatch: pytest.MonkeyPatch, path: str, name: str
) -> None:
    use_path(monkeypatch, path)
    request, fragment = FOUND[name]
    response = api.request("POST", "/graphql", **request)
    assert response.status_code == 400, response.text
    body = check_graphql_answer(response)
    assert body is not None
    assert body["data"] is None
    assert fragment in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


MULTIPART: dict[str, tuple[str, bytes, str]] = {
    "no boundary": ("multipart/form-data", b"x", "Missing boundary"),
    "not multipart data": ("multipart/form-data; boundary=govkit", b"x", "Invalid multipart data"),
    "no map": (
        "multipart/form-data; boundary=govkit",
        multipart([("operations", json.dumps({"query": ORGANISATIONS}).encode(), False)]),
        "needs a `map` field",
    ),
    "operations that are a number": (
        "multipart/form-data; boundary=govkit",
        multipart([("operations", b"42", False), ("map", b"{}", False)]),
        "must be a JSON object with a `query`",
    ),
    "a map that is a list": (
        "multipart/form-data; boundary=govkit",
        multipart([("operations", b'{"query": "{ organisations { code } }"}', False), ("map", b"[1]", False)]),
        "`map` field must be a JSON object",
    ),
    "a map naming no file": (
        "multipart/form-data; boundary=govkit",
        multipart([("operations", b'{"query": "{ a }"}', False), ("map", b'{"0": ["variables.f"]}', False)]),
        "names a file `0`",
    ),
    "a map entry that is not a list": (
        "multipart/form-data; boundary=govkit",
        multipart([("operations", b'{"query": "{ a }"}', False), ("map", b'{"0": 3}', False), ("0", b"x", True)]),
        "must be a list of paths",
    ),
    "a map path into a string": (
        "multipart/form-data; boundary=govkit",
        multipart(
            [("operations", b'{"query": "{ a }"}', False), ("map", b'{"0": ["query.a"]}', False), ("0", b"", True)]
        ),
        "path `query.a` is not a place",
    ),
    "a map path that is no index": (
        "multipart/form-data; boundary=govkit",
        multipart(
            [
                ("operations", b'{"query": "{ a }", "variables": {"f": [null]}}', False),
                ("map", b'{"0": ["variables.f.\xc2\xb2"]}', False),
                ("0", b"", True),
            ]
        ),
        "is not a place in the operations",
    ),
}


@pytest.mark.parametrize("cors", [False, True], ids=["without CORS", "with CORS"])
@pytest.mark.parametrize("name", list(MULTIPART))
def test_malformed_uploads_are_clear_400s(db: Database, token: TokenFactory, cors: bool, name: str) -> None:
    """Starlette's multipart parser raises its own exception, with or without CORS in front of the
    endpoint: a GraphQL 400 that says what is wrong."""
    api = Api(db, make_settings(cors_origins=["https://intranet.example"] if cors else []))
    content_type, content, fragment = MULTIPART[name]
    headers = _multipart_headers(token("legal"), content_type)
    response = api.request("POST", "/graphql", content=content, headers=headers)
    assert response.status_code == 400, response.text
    body = check_graphql_answer(response)
    assert body is not None
    assert fragment in body["errors"][0]["message"]


def test_an_upload_whose_map_is_right_reaches_the_resolver(api: Api, token: TokenFactory) -> None:
    operations = {
        "query": 'mutation($f: Upload!) { uploadRootTemplateVersion(kind: "internal", language: "fr", file: $f) '
        "{ valid } }",
        "variables": {"f": None},
    }
    content = multipart(
        [
            ("operations", json.dumps(operations).encode(), False),
            ("map", b'{"0": ["variables.f"]}', False),
            ("0", b"not a docx", True),
        ]
    )
    headers = _multipart_headers(token("legal"), "multipart/form-data; boundary=govkit")
    response = api.request("POST", "/graphql", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["uploadRootTemplateVersion"]["valid"] is False  # read, then refused


# --- GET and other methods -----------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_get_parameters_that_are_not_json_are_clear_400s(api: Api, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    use_path(monkeypatch, path)
    for key in ("variables", "extensions"):
        response = api.request("GET", "/graphql", params={"query": ORGANISATIONS, key: "{not json"})
        assert response.status_code == 400
        body = check_graphql_answer(response, "GET")
        assert body is not None
        assert body["errors"][0]["message"].startswith(f"The `{key}` parameter is not valid JSON")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(api: Api, method: str) -> None:
    response = api.request(method, "/graphql", json={"query": ORGANISATIONS})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    body = check_graphql_answer(response, method)
    assert body is not None
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
