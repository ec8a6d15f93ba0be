"""GraphQL over HTTP: the answer has the media type the client accepts (application/json, or
application/graphql-response+json with 4xx for requests that fail before execution)."""

from __future__ import annotations

from typing import Any

import pytest

from govkit.db import Database
from govkit.media_types import GRAPHQL_RESPONSE, JSON, negotiate
from tests.conftest import Api, TokenFactory, make_settings
from tests.envelope_helpers import (
    GRAPHQL_ACCEPT,
    ORGANISATIONS,
    PATHS,
    check_graphql_answer,
    use_path,
)

# --- GraphQL over HTTP: the media type of the answer ---------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),  # equal quality: the GraphQL one
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE};q=0", JSON),
        (f"{GRAPHQL_RESPONSE};q=abc", JSON),
        (f"{GRAPHQL_RESPONSE};charset=utf-8, */*;q=0.1", GRAPHQL_RESPONSE),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON;Q=1", GRAPHQL_RESPONSE),
    ],
)
def test_the_answer_is_the_media_type_the_client_prefers(accept: str, expected: str) -> None:
    assert negotiate(accept) == expected


ANSWERS: list[tuple[str, dict[str, Any], int, int]] = [
    # name, request, status as application/json, status as application/graphql-response+json
    ("a valid query", {"json": {"query": ORGANISATIONS}}, 200, 200),
    ("a syntax error", {"json": {"query": "{ organisations { code "}}, 200, 400),
    ("a validation error", {"json": {"query": "{ organisations { nope } }"}}, 200, 400),
    ("an empty selection set", {"json": {"query": "{ organisations { } }"}}, 200, 400),
    ("a missing variable", {"json": {"query": "query ($c: String!) { organisation(code: $c) { code } }"}}, 200, 400),
    (
        "a variable of the wrong type",
        {"json": {"query": "query ($c: String!) { organisation(code: $c) { code } }", "variables": {"c": 3}}},
        200,
        400,
    ),
    ("JSON that does not parse", {"content": b"{", "headers": {"content-type": "application/json"}}, 400, 400),
    ("no query", {"json": {"variables": {}}}, 400, 400),
    (
        "an anonymous caller asking for more than the directory",
        {"json": {"query": "{ me { person { externalId } } }"}},
        401,
        401,
    ),
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("name", "request_", "as_json", "as_graphql"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_each_media_type_has_its_statuses(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    name: str,
    request_: dict[str, Any],
    as_json: int,
    as_graphql: int,
) -> None:
    use_path(monkeypatch, path)
    plain = api.request("POST", "/graphql", **request_)
    assert plain.status_code == as_json, plain.text
    assert plain.headers["content-type"] == JSON
    assert "data" in check_graphql_answer(plain)  # type: ignore[operator]

    headers = {**request_.get("headers", {}), **GRAPHQL_ACCEPT}
    graphql = api.request("POST", "/graphql", **{**request_, "headers": headers})
    assert graphql.status_code == as_graphql, graphql.text
    assert graphql.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    body = check_graphql_answer(graphql)
    assert body is not None
    assert ("data" in body) == (as_graphql == 200)
    assert plain.json().get("errors") == body.get("errors")


@pytest.mark.parametrize("variables", [{}, {"c": 3}, {"c": {"a": [1]}}], ids=["missing", "a number", "an object"])
def test_variables_that_cannot_be_coerced_are_the_callers_error_in_production(
    db: Database, variables: dict[str, Any]
) -> None:
    """graphql-core wraps the coercion error in another: it is no internal error to hide."""
    prod = Api(db, make_settings(env="prod"))
    query = {"query": "query ($c: String!) { organisation(code: $c) { code } }", "variables": variables}
    for headers, status in (({}, 200), (GRAPHQL_ACCEPT, 400)):
        response = prod.request("POST", "/graphql", json=query, headers=headers)
        assert response.status_code == status, response.text
        error = check_graphql_answer(response)["errors"][0]  # type: ignore[index]
        assert error["message"].startswith("Variable '$c'"), error
        assert "extensions" not in error or error["extensions"].get("code") != "INTERNAL"


@pytest.mark.parametrize("query", ["{ }", "{ organisations { } }", "query A { ...F } fragment F on Query { }"])
def test_an_empty_selection_set_is_a_syntax_error(db: Database, query: str) -> None:
    """graphql-core 3.3 parses it by default, and strawberry's depth rule then fails (a 500)."""
    prod = Api(db, make_settings(env="prod"))
    response = prod.request("POST", "/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    assert check_graphql_answer(response)["errors"][0]["message"] == "Syntax Error: Expected Name, found '}'."  # type: ignore[index]


def test_field_errors_are_200_in_either_media_type(api: Api, token: TokenFactory) -> None:
    """An error on a field's path happened during execution: the response has data (null or not)."""
    member = token("member", "imt-atlantique", "E00001")
    query = '{ organisation(code: "telecom-paris") { profile { revision } } }'
    for accept in ({}, GRAPHQL_ACCEPT):
        response = api.graphql(query, token=member, headers=accept)
        assert response.status_code == 200, response.text
        body = check_graphql_answer(response)
        assert body is not None and "data" in body
        assert body["errors"][0]["path"][0] == "organisation"


def test_get_answers_negotiate_too(api: Api) -> None:
    invalid = {"query": "{ organisations { nope } }"}
    assert api.request("GET", "/graphql", params=invalid).status_code == 200
    response = api.request("GET", "/graphql", params=invalid, headers=GRAPHQL_ACCEPT)
    assert response.status_code == 400
    assert "data" not in response.json()


def test_refusals_before_graphql_negotiate_too(db: Database) -> None:
    api = Api(db, make_settings(max_body_bytes=1024))
    big = {"content": b"{" + b" " * 4096 + b"}", "headers": {"content-type": "application/json"}}
    for extra, media_type in (({}, JSON), (GRAPHQL_ACCEPT, GRAPHQL_RESPONSE)):
        too_large = api.request("POST", "/graphql", **{**big, "headers": {**big["headers"], **extra}})
        assert too_large.status_code == 413
        assert too_large.headers["content-type"].startswith(media_type)
        assert check_graphql_answer(too_large)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"  # type: ignore[index]
        forged = api.request(
            "POST", "/graphql", json={"query": ORGANISATIONS}, headers={"authorization": "Bearer a.b.c", **extra}
        )
        assert forged.status_code == 401
        assert forged.headers["www-authenticate"] == 'Bearer realm="govkit"'
        assert check_graphql_answer(forged)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]
