"""What every answer of /graphql is, whatever the request: shared by the HTTP envelope tests."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

import govkit.graphql.http as endpoint_module
from govkit.media_types import GRAPHQL_RESPONSE, JSON

ORGANISATIONS = "{ organisations { code } }"
GRAPHQL_ACCEPT = {"accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
#: What Python puts in its errors, which no answer may carry.
PYTHON_TEXT = re.compile(
    r"Traceback|File \"|NoneType|has no attribute|not subscriptable|unhashable|is not iterable|"
    r"object is not|codec can't|<class |\b[A-Z][A-Za-z]*(Error|Exception)\b"
)
PATHS = ["fast path", "strawberry's view"]


def use_path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    if path == "strawberry's view":  # every request goes to strawberry's view
        monkeypatch.setattr(endpoint_module, "_plain_json", lambda scope: False)


def check_graphql_answer(response: httpx.Response, method: str = "POST") -> dict[str, Any] | None:
    """The envelope every /graphql answer has: below 500, a GraphQL response, no Python text."""
    assert response.status_code < 500, response.text[:500]
    media_type = response.headers.get("content-type", "").split(";")[0]
    if media_type == "text/html":  # GraphiQL (development), for a browser's GET without a query
        assert method == "GET" and response.status_code == 200
        return None
    if method == "HEAD":
        return None
    assert media_type in (JSON, GRAPHQL_RESPONSE), (response.status_code, response.headers, response.text[:300])
    assert not PYTHON_TEXT.search(response.text), response.text[:500]
    body = response.json()
    assert isinstance(body, dict) and set(body) <= {"data", "errors", "extensions"}, body
    if response.status_code >= 400:
        assert body["errors"], body
        for error in body["errors"]:  # govkit's have a code; graphql-core's syntax errors have none
            assert isinstance(error["message"], str) and error["message"]
            assert isinstance(error.get("extensions", {}).get("code", ""), str)
        if media_type == GRAPHQL_RESPONSE:
            assert "data" not in body, body
    return body
