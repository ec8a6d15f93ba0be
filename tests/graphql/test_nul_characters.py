"""A NUL character (U+0000) in any text argument of any field: a precise 4xx on both backends.

PostgreSQL cannot store U+0000 (psycopg refuses the statement) while SQLite can: before
``govkit.input_text``, `evidence(school: "a\\u0000b", …)` was a server error on PostgreSQL
and "not found" on SQLite. The documents fuzzed here are the schema's, every string in them
(arguments, input fields, list items) made to hold a NUL; the callers are legal staff (who reach
every service) and a school administrator.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from graphql import StringValueNode, parse, print_ast, visit
from graphql.language import Visitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes
from sqlmodel import Session

from govkit.db import Database, stored_id
from govkit.input_text import holds_nul, nul_refusal
from govkit.organisations.models import Organisation, ProfileRevision
from tests.conftest import Api, TokenFactory

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8")


class _WithNul(Visitor):
    """Every string value gets a NUL in its middle."""

    def enter_string_value(self, node: StringValueNode, *_: object) -> StringValueNode:
        middle = len(node.value) // 2
        return StringValueNode(value=node.value[:middle] + "\x00" + node.value[middle:], block=False)


def with_nul(document: str) -> str:
    return print_ast(visit(parse(document), _WithNul()))


@pytest.mark.parametrize("caller", [("legal",), ("school_admin", "imt-atlantique")], ids=lambda c: c[0])
def test_a_nul_in_any_text_argument_is_the_callers_error(api: Api, token: TokenFactory, caller: tuple) -> None:
    bearer = token(*caller)
    scalars = {
        "Date": st.dates().map(str).map(nodes.String),
        "DateTime": st.datetimes().map(lambda d: d.isoformat() + "Z").map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
        "Upload": st.just(nodes.Null),
    }
    refused: list[str] = []

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(SCHEMA, custom_scalars=scalars))
    def run(document: str) -> None:
        hostile = with_nul(document)
        response = api.graphql(hostile, token=bearer)
        assert response.status_code < 500, (hostile, response.text[:500])
        for error in response.json().get("errors") or []:
            assert (error.get("extensions") or {}).get("code") != "INTERNAL", (hostile, error)
            assert "psycopg" not in error["message"] and "Traceback" not in error["message"], error
            if "NUL character" in error["message"]:
                refused.append(error["extensions"]["code"])

    run()
    assert refused and set(refused) == {"INVALID_INPUT"}  # the check was reached, and answered in govkit's words


def test_the_refusal_is_the_same_on_both_backends(db: Database) -> None:
    """Raw text and JSON holding U+0000 are refused by the database, on SQLite as on PostgreSQL,
    and nothing is written."""

    def count() -> int:
        with db.reading() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(Organisation)) or 0

    def add_school(session: Session, code: str) -> Organisation:
        organisation = Organisation(code=code, type="school", name="N", short_name="N")
        session.add(organisation)
        session.flush()
        return organisation

    def add_profile(session: Session, organisation: Organisation, data: dict) -> None:
        revision = ProfileRevision(
            organisation_id=stored_id(organisation), revision=1, data=data, sha256="0" * 64, created_by="t"
        )
        session.add(revision)
        session.flush()

    before = count()
    with pytest.raises(Exception) as raw, db.transaction() as session:
        add_school(session, "x\x00y")
    assert nul_refusal(raw.value) is not None, raw.value

    with pytest.raises(Exception) as in_json, db.transaction() as session:
        add_profile(session, add_school(session, "nul-test"), {"websites": {"public": "a\x00b"}})
    assert nul_refusal(in_json.value) is not None, in_json.value
    assert count() == before


def test_other_errors_are_not_taken_for_a_nul() -> None:
    assert nul_refusal(ValueError("something else")) is None
    assert holds_nul({"a": [{"b": "c\x00"}]}) and not holds_nul({"a": [b"\x00"]})
