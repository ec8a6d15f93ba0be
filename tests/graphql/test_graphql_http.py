"""GraphQL over HTTP: the POST fast path answers as strawberry's own view would; prepared operations.

The fast path (GraphQLEndpoint.__call__, govkit.graphql.http) is compared with strawberry's view by sending each
request twice: as it comes, and with the fast path turned off (``_plain_json`` always false, so
that every request goes to strawberry's view).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

import govkit.graphql.http as endpoint_module
from govkit.graphql import execution
from govkit.graphql.schema import build_schema
from govkit.settings import Settings
from tests.ack_helpers import current, deliver
from tests.ack_helpers import member as member_of
from tests.conftest import Api, TokenFactory, make_settings

ORGANISATIONS = "{ organisations { code } }"
UPDATE = 'mutation { updateSchoolProfile(code: "imt-atlantique", patch: {address: {city: "Brest"}}) { revision } }'
JSON = {"content-type": "application/json"}


def _body(value: object) -> dict[str, Any]:
    return {"content": json.dumps(value).encode(), "headers": JSON}


#: Requests that intranets, members and hostile clients send, by name.
REQUESTS: dict[str, dict[str, Any]] = {
    "a valid query": _body({"query": ORGANISATIONS}),
    "variables and an operation chosen by name": _body(
        {
            "query": "query A { organisations { code } } query B($c: String!) { organisation(code: $c) { code } }",
            "variables": {"c": "imt-atlantique"},
            "operationName": "B",
        }
    ),
    "null variables, operation name and extensions": _body(
        {"query": ORGANISATIONS, "variables": None, "operationName": None, "extensions": None}
    ),
    "malformed JSON": {"content": b'{"query": "{ organisations', "headers": JSON},
    "variables not an object": _body({"query": ORGANISATIONS, "variables": ["imt"]}),
    "query not a string": _body({"query": ["{ organisations { code } }"]}),
    "extensions not an object": _body({"query": ORGANISATIONS, "extensions": "yes"}),
    "no query": _body({"variables": {}}),
    "an empty query": _body({"query": ""}),
    "an unknown operation name": _body({"query": "query A { organisations { code } }", "operationName": "Nope"}),
    "an operation name that is not a string": _body(
        {"query": "query A { organisations { code } }", "operationName": 1}
    ),
    "a batch": _body([{"query": ORGANISATIONS}, {"query": ORGANISATIONS}]),
    "a syntax error": _body({"query": "{ organisations { code "}),
    "a validation error": _body({"query": "{ organisations { nope } }"}),
    "a missing variable": _body({"query": "query ($c: String!) { organisation(code: $c) { code } }"}),
    "a charset parameter": {
        "content": json.dumps({"query": ORGANISATIONS}).encode(),
        "headers": {"content-type": "application/json; charset=utf-8"},
    },
    "a mutation without a token": _body({"query": UPDATE}),
    "a forged token": {**_body({"query": ORGANISATIONS}), "headers": {**JSON, "authorization": "Bearer a.b.c"}},
    "malformed JSON and a forged token": {"content": b"{", "headers": {**JSON, "authorization": "Bearer a.b.c"}},
    "not JSON": {"content": json.dumps({"query": ORGANISATIONS}).encode(), "headers": {"content-type": "text/plain"}},
}


def strawberry_view(monkeypatch: pytest.MonkeyPatch, send: Callable[[], httpx.Response]) -> httpx.Response:
    """The answer of strawberry's own view (the fast path turned off)."""
    with monkeypatch.context() as patched:
        patched.setattr(endpoint_module, "_plain_json", lambda scope: False)
        return send()


def comparable(response: httpx.Response) -> tuple[int, str, str, str | None, str | None]:
    return (
        response.status_code,
        response.headers.get("content-type", ""),
        response.text,
        response.headers.get("www-authenticate"),
        response.headers.get("retry-after"),
    )


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_fast_path_answers_as_strawberrys_view(api: Api, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    fast = api.request("POST", "/graphql", **REQUESTS[name])
    view = strawberry_view(monkeypatch, lambda: api.request("POST", "/graphql", **REQUESTS[name]))
    assert comparable(fast) == comparable(view)
    assert fast.status_code < 500, fast.text


@pytest.mark.parametrize(
    ("name", "status", "fragment"),
    [
        ("a valid query", 200, '"code":"imt-atlantique"'),
        ("variables and an operation chosen by name", 200, '{"data":{"organisation":{"code":"imt-atlantique"}}}'),
        ("a charset parameter", 200, '"code":"imt-atlantique"'),
        ("malformed JSON", 400, "The request body is not valid JSON"),
        ("variables not an object", 400, "`variables` must be an object"),
        ("query not a string", 400, "`query` must be a string"),
        ("an unknown operation name", 400, 'Unknown operation named \\"Nope\\"'),
        ("no query", 400, "No GraphQL query found in the request"),
        ("an empty query", 400, "No GraphQL query found in the request"),
        ("a batch", 400, "Batching is not enabled"),
        ("a mutation without a token", 401, "Authentication required"),
        ("a forged token", 401, "UNAUTHENTICATED"),
        ("not JSON", 400, "Unsupported content type"),
    ],
)
def test_what_each_request_is_answered(api: Api, name: str, status: int, fragment: str) -> None:
    response = api.request("POST", "/graphql", **REQUESTS[name])
    assert response.status_code == status, response.text
    assert fragment in response.text
    if status == 401:
        assert response.headers["www-authenticate"] == 'Bearer realm="govkit"'


@pytest.mark.parametrize("body", [b"null", b'"{ organisations { code } }"', b"42", b"true"])
def test_json_that_is_not_an_object_is_a_clear_400(api: Api, monkeypatch: pytest.MonkeyPatch, body: bytes) -> None:
    """strawberry's view fails on these (500: it calls .get on them); govkit answers what is wrong,
    on either path."""
    response = api.request("POST", "/graphql", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert "must be a JSON object with a `query`" in response.json()["errors"][0]["message"]
    view = strawberry_view(monkeypatch, lambda: api.request("POST", "/graphql", content=body, headers=JSON))
    assert comparable(view) == comparable(response)


def test_media_types_are_matched_whatever_their_case(api: Api) -> None:
    """RFC 9110: media types are case-insensitive (strawberry's view answers 400 to this one)."""
    response = api.request(
        "POST",
        "/graphql",
        content=json.dumps({"query": ORGANISATIONS}).encode(),
        headers={"content-type": "Application/JSON ; charset=UTF-8"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["organisations"]


def test_streamed_answers_asked_for_go_to_strawberrys_view(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = endpoint_module.GraphQLEndpoint._answer

    async def spy(self: Any, request: Any, data: dict[str, Any]) -> Any:
        calls.append(data["query"])
        return await original(self, request, data)

    monkeypatch.setattr(endpoint_module.GraphQLEndpoint, "_answer", spy)
    assert api.request("POST", "/graphql", json={"query": ORGANISATIONS}).status_code == 200
    assert calls == [ORGANISATIONS]  # the fast path answered it
    for accept in ("multipart/mixed; deferSpec=20220824", "text/event-stream"):
        api.request("POST", "/graphql", json={"query": ORGANISATIONS}, headers={"accept": accept})
    assert calls == [ORGANISATIONS]  # strawberry's view answered those


def test_a_mutation_by_get_is_refused_by_strawberrys_view_and_works_by_post(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", "imt-atlantique")
    headers = {"Authorization": f"Bearer {admin}"}
    by_get = api.request("GET", "/graphql", params={"query": UPDATE}, headers=headers)
    assert by_get.status_code == 400
    assert "mutations are not allowed when using GET" in by_get.text
    by_post = api.graphql(UPDATE, token=admin)
    assert by_post.status_code == 200
    assert by_post.json()["data"]["updateSchoolProfile"]["revision"] >= 1


def test_rate_limits_answer_429_on_either_path(db: Any, token: TokenFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(mutation_rate_per_minute=2)
    document = current(db, "imt-atlantique")
    for external_id in ("E00001", "E00002"):
        deliver(db, member_of(db, "imt-atlantique", external_id), document.id)
    query = (
        f'mutation {{ acknowledge(documentVersionId: "{document.id}", documentSha256: "{document.sha256}") '
        "{ verificationCode } }"
    )

    def three(member: str) -> list[httpx.Response]:
        limited = Api(db, settings)  # a limiter of its own
        bearer = token("member", "imt-atlantique", member)
        return [limited.graphql(query, token=bearer) for _ in range(3)]

    fast = three("E00001")
    view = strawberry_view(monkeypatch, lambda: three("E00002"))
    for answers in (fast, view):
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert int(answers[2].headers["retry-after"]) >= 1
        assert answers[2].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert comparable(fast[2]) == comparable(view[2])


# --- govkit.graphql.execution --------------------------------------------------------------------


@pytest.fixture
def schema(settings: Settings) -> Any:
    return build_schema(settings)


def test_an_operation_is_prepared_once_per_text_and_name(schema: Any) -> None:
    operations = schema.operations
    text = "query A { organisations { code } } query B { organisations { name } }"
    first = operations.get(text, "A")
    assert operations.get(text, "A") is first
    other = operations.get(text, "B")
    assert other is not first
    assert operations.get(text, "B") is other
    assert first.kind is not None and first.kind.value == "query"
    assert [f.name.value for f in first.fields] == ["organisations"]
    assert operations.get(text + " ", "A") is not first  # another text: prepared again
    assert not first.errors and not first.limited


def test_the_prepared_operations_are_bounded(settings: Settings) -> None:
    schema = build_schema(settings)
    operations = execution.PreparedOperations(schema._schema, [], max_tokens=1000, maxsize=2)
    a = operations.get("{ organisations { code } }", None)
    b = operations.get("{ organisations { name } }", None)
    assert operations.get("{ organisations { code } }", None) is a  # a is now the most recent
    operations.get("{ organisations { id } }", None)  # b, the least recently used, goes
    assert operations.get("{ organisations { code } }", None) is a
    assert operations.get("{ organisations { name } }", None) is not b


def test_only_rate_limited_mutations_are_marked_so(schema: Any) -> None:
    get = schema.operations.get
    assert get('mutation { acknowledge(documentVersionId: "1", documentSha256: "x") { id } }', None).limited
    assert not get(UPDATE, None).limited
    assert not get("{ organisations { code } }", None).limited


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The documents graphql-core was asked to execute."""
    seen: list[Any] = []
    original = execution.execute

    def spy(schema: Any, document: Any, **kwargs: Any) -> Any:
        seen.append(document)
        return original(schema, document, **kwargs)

    monkeypatch.setattr(execution, "execute", spy)
    return seen


def test_syntax_and_validation_errors_are_answered_without_execution(api: Api, executed: list[Any]) -> None:
    broken = api.graphql("{ organisations { code ")
    assert broken.status_code == 200
    assert broken.json()["data"] is None
    assert broken.json()["errors"][0]["message"].startswith("Syntax Error")
    invalid = api.graphql("{ organisations { nope } }")
    assert invalid.json()["data"] is None
    assert "Cannot query field 'nope'" in invalid.json()["errors"][0]["message"]
    assert executed == []
    assert api.graphql(ORGANISATIONS).json()["data"]["organisations"]  # the spy does see a valid one
    assert len(executed) == 1


def test_a_syntax_error_is_prepared_as_errors_only(schema: Any) -> None:
    operation = schema.operations.get("{ organisations { code ", None)
    assert operation.document is None
    assert operation.kind is None and operation.fields == ()
    assert "Syntax Error" in operation.errors[0].message

    async def run() -> Any:
        return await schema.execute("{ organisations { code ", context_value=None)

    result = anyio.run(run)
    assert result.data is None
    assert [e.message for e in result.errors] == [operation.errors[0].message]


def test_an_operation_that_fails_validation_takes_no_rate_limit_token(db: Any, token: TokenFactory) -> None:
    api = Api(db, make_settings(mutation_rate_per_minute=1))
    member = token("member", "imt-atlantique", "E00001")
    document = current(db, "imt-atlantique")
    deliver(db, member_of(db, "imt-atlantique", "E00001"), document.id)
    field = f'acknowledge(documentVersionId: "{document.id}", documentSha256: "{document.sha256}")'
    invalid = f"mutation {{ {field} {{ nope }} }}"
    for _ in range(3):
        refused = api.graphql(invalid, token=member)
        assert refused.status_code == 200
        assert "Cannot query field 'nope'" in refused.json()["errors"][0]["message"]
    valid = f"mutation {{ {field} {{ verificationCode }} }}"
    first = api.graphql(valid, token=member)
    assert first.status_code == 200, first.json()
    assert first.json()["data"]["acknowledge"]["verificationCode"]
    assert api.graphql(valid, token=member).status_code == 429  # the one token was the valid call's


# --- GOVKIT_GRAPHQL_HTTP=strawberry: strawberry's view for every request ---------------------------


def test_the_strawberry_setting_sends_every_request_to_strawberrys_view(
    db: Any, token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, view = Api(db, make_settings()), Api(db, make_settings(graphql_http="strawberry"))
    answered: list[str] = []
    original = endpoint_module.GraphQLEndpoint._answer

    async def spy(self: Any, request: Any, data: dict[str, Any]) -> Any:
        answered.append(data["query"])
        return await original(self, request, data)

    monkeypatch.setattr(endpoint_module.GraphQLEndpoint, "_answer", spy)
    legal = {"authorization": f"Bearer {token('legal')}"}
    requests: list[tuple[str, dict[str, Any]]] = [
        ("POST", REQUESTS["a valid query"]),
        ("POST", REQUESTS["variables and an operation chosen by name"]),
        ("POST", REQUESTS["malformed JSON"]),
        ("POST", REQUESTS["a batch"]),
        ("POST", REQUESTS["a mutation without a token"]),
        ("POST", REQUESTS["a forged token"]),
        ("POST", {**_body({"query": UPDATE}), "headers": {**JSON, **legal}}),
        ("GET", {"params": {"query": ORGANISATIONS}}),
        ("PUT", REQUESTS["a valid query"]),
    ]
    for method, request in requests:
        by_fast_path = fast.request(method, "/graphql", **request)
        answered.clear()
        by_view = view.request(method, "/graphql", **request)
        assert answered == [], method  # the fast path answered nothing
        assert by_view.status_code < 500, by_view.text
        assert comparable(by_view) == comparable(by_fast_path), (method, request)
    assert fast.graphql(ORGANISATIONS).json()["data"]["organisations"]
    assert answered == [ORGANISATIONS]  # the default setting's fast path did answer that one


def test_the_setting_takes_only_its_two_values() -> None:
    assert make_settings(graphql_http="govkit").graphql_http == "govkit"
    with pytest.raises(ValueError, match="graphql_http"):
        make_settings(graphql_http="fast")


@pytest.mark.parametrize("cors", [False, True], ids=["without CORS", "with CORS"])
def test_one_path_with_or_without_cors(db: Any, cors: bool) -> None:
    """CORS, when origins are set, sits in front of the same endpoint: the same answers."""
    api = Api(db, make_settings(cors_origins=["https://intranet.example"] if cors else []))
    origin = {"origin": "https://intranet.example"}
    ok = api.request("POST", "/graphql", json={"query": ORGANISATIONS}, headers=origin)
    assert ok.status_code == 200 and ok.json()["data"]["organisations"]
    assert ("access-control-allow-origin" in ok.headers) is cors
    refused = api.request("PUT", "/graphql", json={"query": ORGANISATIONS}, headers=origin)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, POST"
    assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert refused.headers["x-content-type-options"] == "nosniff"  # the guard is in front
