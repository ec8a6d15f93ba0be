"""Error shapes: a GraphQL response on /graphql, ``{"detail": ..., "code": ...}`` on the other routes."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from govkit.db import Database
from tests.conftest import Api, TokenFactory, make_settings
from tests.envelope_helpers import (
    ORGANISATIONS,
)

# --- unexpected errors, and the other routes ------------------------------------------------------


def test_an_unexpected_error_is_a_graphql_500_on_graphql_and_a_route_error_elsewhere(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError("the grant cache is broken")

    monkeypatch.setattr("govkit.auth.service.cached_principal", broken)
    headers = {"authorization": "Bearer a.b.c", "x-request-id": "support-ticket-4242"}
    graphql = api.request("POST", "/graphql", json={"query": ORGANISATIONS}, headers=headers)
    assert graphql.status_code == 500
    assert set(graphql.json()) == {"data", "errors"}
    error = graphql.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "reference": "support-ticket-4242"}
    assert "RuntimeError" not in graphql.text and "broken" not in graphql.text

    async def from_a_route() -> httpx.Response:  # Starlette raises the error again once answered
        transport = httpx.ASGITransport(app=api.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:
            return await client.get("/documents/" + "0" * 64, headers=headers)

    route = anyio.run(from_a_route)
    assert route.status_code == 500
    assert route.json()["code"] == "INTERNAL" and route.json()["reference"] == "support-ticket-4242"
    assert "detail" in route.json() and "broken" not in route.text


def test_other_routes_answer_errors_in_one_shape(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(max_body_bytes=1024))
    answers = {
        "no such route": (api.request("GET", "/nope"), 404, "NOT_FOUND"),
        "a method the route does not allow": (api.request("POST", "/healthz"), 405, "METHOD_NOT_ALLOWED"),
        "a forged token": (
            api.request("GET", "/documents/" + "0" * 64, headers={"authorization": "Bearer a.b.c"}),
            401,
            "UNAUTHENTICATED",
        ),
        "an unknown document": (
            api.request("GET", "/documents/" + "0" * 64, headers={"authorization": f"Bearer {token('legal')}"}),
            404,
            "NOT_FOUND",
        ),
        "a receipt in no known format": (
            api.request("GET", "/receipts/abc.txt", headers={"authorization": f"Bearer {token('legal')}"}),
            404,
            "NOT_FOUND",
        ),
        "a receipt asked anonymously": (api.request("GET", "/receipts/abc.txt"), 401, "UNAUTHENTICATED"),
        "a body over the limit": (api.request("POST", "/ui/signin", content=b"x" * 4096), 413, "PAYLOAD_TOO_LARGE"),
    }
    for name, (response, status, code) in answers.items():
        assert response.status_code == status, (name, response.text)
        body = response.json()
        assert body["code"] == code, (name, body)
        assert isinstance(body["detail"], str) and body["detail"], (name, body)
        assert "errors" not in body, (name, body)
    assert answers["a method the route does not allow"][0].headers["allow"] == "GET"
    assert answers["a forged token"][0].headers["www-authenticate"] == 'Bearer realm="govkit"'
