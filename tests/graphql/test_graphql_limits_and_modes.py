"""GraphQL guards: depth, tokens, aliases, no batching; prod hides GraphiQL, introspection, details."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from govkit.db import Database, create_db_engine
from govkit.graphql.schema import export_sdl
from tests.conftest import Api, make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_is_exported_from_the_code() -> None:
    checked_in = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == export_sdl(), "schema.graphql is stale: run `govkit schema export`"


def test_depth_limit(api: Api) -> None:
    deep = "{ organisations { " + "parent { " * 12 + "code" + " }" * 12 + " } }"
    body = api.graphql(deep).json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_alias_limit(api: Api) -> None:
    many = "{ " + " ".join(f"a{i}: organisations {{ code }}" for i in range(40)) + " }"
    body = api.graphql(many).json()
    assert "aliases" in body["errors"][0]["message"].lower()


def test_token_limit(api: Api) -> None:
    huge = "{ organisations { " + " ".join(["code"] * 3000) + " } }"
    body = api.graphql(huge).json()
    assert "token" in body["errors"][0]["message"].lower()


def test_batching_is_off(api: Api) -> None:
    response = api.request(
        "POST",
        "/graphql",
        json=[{"query": "{ organisations { code } }"}, {"query": "{ organisations { code } }"}],
    )
    assert response.status_code == 400


def test_mutation_over_get_is_refused(api: Api) -> None:
    response = api.request(
        "GET",
        "/graphql",
        params={"query": 'mutation { updateSchoolProfile(code: "imt-bs", patch: {}) { revision } }'},
    )
    assert response.status_code in (400, 405)


def test_syntax_errors_are_reported(api: Api) -> None:
    body = api.graphql("{ organisations { code ").json()
    assert "Syntax Error" in body["errors"][0]["message"]


def test_prod_hides_graphiql_and_introspection(db: Database) -> None:
    prod = Api(db, make_settings(env="prod"))
    page = prod.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert page.status_code != 200 or "graphiql" not in page.text.lower()
    body = prod.graphql("{ __schema { types { name } } }").json()
    assert "introspection" in body["errors"][0]["message"].lower()
    assert prod.request("GET", "/docs").status_code == 404
    # the normal queries still work
    assert len(prod.data("{ organisations { code } }")["organisations"]) == 10


@pytest.fixture
def broken_db(tmp_path: Path) -> Engine:
    """A database that was never migrated: every query fails unexpectedly."""
    return create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")


def test_prod_masks_unexpected_errors(broken_db: Engine) -> None:
    prod = Api(Database(broken_db), make_settings(env="prod"))
    body = prod.graphql("{ organisations { code } }").json()
    error = body["errors"][0]
    assert error["message"].startswith("Internal error: the details were logged on the server (reference ")
    assert error["extensions"] == {"code": "INTERNAL", "reference": error["extensions"]["reference"]}
    assert "organisation" not in error["message"] and "sqlite" not in error["message"].lower()
    assert "Traceback" not in str(body)


def test_dev_shows_unexpected_error_details(broken_db: Engine) -> None:
    dev = Api(Database(broken_db), make_settings(env="dev"))
    body = dev.graphql("{ organisations { code } }").json()
    assert "no such table" in body["errors"][0]["message"]


def test_healthz_reports_a_broken_database(broken_db: Engine) -> None:
    response = Api(Database(broken_db), make_settings()).request("GET", "/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_prod_requires_a_secret_key() -> None:
    from pydantic import ValidationError

    from govkit.settings import Settings

    with pytest.raises(ValidationError, match="GOVKIT_SECRET_KEY"):
        Settings(env="prod", secret_key=None)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from govkit.settings import Settings

    monkeypatch.setenv("GOVKIT_ENV", "prod")
    monkeypatch.setenv("GOVKIT_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("GOVKIT_DATABASE_URL", "postgresql://postgres@127.0.0.1/x")
    settings = Settings()
    assert not settings.is_dev
    assert settings.database_url.startswith("postgresql://")
    assert settings.signing_key() == "k" * 40
