"""Hostile clients: body caps, uploads without header auth, rate limits, headers, CORS, audit log, fuzzing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from govkit.db import Database
from tests.ack_helpers import current, deliver, member
from tests.conftest import Api, TokenFactory, make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_declared_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    response = api.request(
        "POST", "/graphql", content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "over the limit" in response.json()["errors"][0]["message"]


def test_a_streamed_oversized_body_is_stopped_early(db: Database) -> None:
    api = Api(db, make_settings(max_body_bytes=64 * 1024))
    sent: list[int] = []

    async def chunks():  # no Content-Length: counted as it arrives
        for i in range(200):
            sent.append(i)
            yield b" " * 16 * 1024

    response = api.request("POST", "/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert len(sent) < 200


def test_uploads_need_a_header_not_a_cookie(api: Api, token: TokenFactory) -> None:
    files = {"operations": (None, "{}", "application/json"), "map": (None, "{}", "application/json")}
    response = api.request("POST", "/graphql", files=files, cookies={"session": token("legal")})
    assert response.status_code == 401
    assert "Authorization" in response.json()["errors"][0]["message"]


def test_security_headers_and_request_ids(api: Api) -> None:
    response = api.request(
        "POST", "/graphql", json={"query": "{ organisations { code } }"}, headers={"X-Request-ID": "intranet-req-12345"}
    )
    assert response.headers["x-request-id"] == "intranet-req-12345"
    for header in ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"):
        assert header in response.headers
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    generated = api.request("GET", "/healthz").headers["x-request-id"]
    assert len(generated) == 16


def test_cors_allows_only_the_configured_intranets(db: Database) -> None:
    api = Api(db, make_settings(cors_origins=["https://intranet.imt-atlantique.example"]))
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = api.request(
        "OPTIONS", "/graphql", headers={"Origin": "https://intranet.imt-atlantique.example", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://intranet.imt-atlantique.example"
    refused = api.request("OPTIONS", "/graphql", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-credentials" not in allowed.headers


def test_acknowledgements_are_rate_limited_per_identity(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(mutation_rate_per_minute=3))
    student = token("member", "imt-atlantique", "E00001")
    other = token("member", "imt-atlantique", "E00002")
    document = current(db, "imt-atlantique")
    for external_id in ("E00001", "E00002"):
        deliver(db, member(db, "imt-atlantique", external_id), document.id)
    query = (
        f'mutation {{ acknowledge(documentVersionId: "{document.id}", documentSha256: "{document.sha256}") '
        "{ verificationCode } }"
    )
    codes = [api.graphql(query, token=student).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = api.graphql(query, token=student)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert api.graphql(query, token=other).status_code == 200  # another identity is not slowed down
    assert api.graphql("{ organisations { code } }", token=student).status_code == 200  # reads are not limited


@pytest.mark.parametrize(
    "wrap",
    [
        "mutation {{ ...F }} fragment F on Mutation {{ {field} }}",
        "mutation {{ ... on Mutation {{ {field} }} }}",
        "mutation {{ ...F }} fragment F on Mutation {{ ...G }} fragment G on Mutation {{ {field} }}",
    ],
)
def test_a_mutation_inside_a_fragment_is_rate_limited_and_audited(db: Database, token: TokenFactory, wrap: str) -> None:
    api = Api(db, make_settings(mutation_rate_per_minute=1))
    student = token("member", "imt-atlantique", "E00001")
    document = current(db, "imt-atlantique")
    deliver(db, member(db, "imt-atlantique", "E00001"), document.id)
    field = f'acknowledge(documentVersionId: "{document.id}", documentSha256: "{document.sha256}")'
    query = wrap.format(field=field + " { verificationCode }")
    assert api.graphql(query, token=student).status_code == 200
    assert api.graphql(query, token=student).status_code == 429
    entries = api.data(AUDIT, token=token("auditor"))["auditLog"]["entries"]
    assert any(e["action"] == "mutation.acknowledge" and e["outcome"] == "ok" for e in entries), entries


AUDIT = "{ auditLog(first: 50) { entries { subject role action outcome detail target correlationId } hasNextPage } }"


def test_mutations_and_refusals_are_in_the_audit_log(api: Api, token: TokenFactory, db: Database) -> None:
    admin = token("school_admin", "imt-atlantique")
    member = token("member", "imt-atlantique", "E00001")
    api.graphql(
        'mutation { updateSchoolProfile(code: "imt-atlantique", patch: {address: {city: "Brest"}}) { revision } }',
        token=admin,
    )
    api.graphql(
        'mutation { updateSchoolProfile(code: "imt-atlantique", patch: {address: {city: "Nantes"}}) { revision } }',
        token=member,
        headers={"X-Request-ID": "refused-request-1"},
    )
    api.graphql('{ organisation(code: "telecom-paris") { profile { revision } } }', token=member)
    api.request("GET", "/documents/" + "0" * 64, headers={"Authorization": "Bearer forged.token.value"})
    entries = api.data(AUDIT, token=token("auditor"))["auditLog"]["entries"]
    by_outcome = {(e["action"], e["outcome"]) for e in entries}
    assert ("mutation.updateSchoolProfile", "ok") in by_outcome
    assert ("mutation.updateSchoolProfile", "refused") in by_outcome
    assert ("query.organisation", "refused") in by_outcome
    assert any(e["action"].startswith("authenticate /documents/") for e in entries)
    refused = next(e for e in entries if e["correlationId"] == "refused-request-1")
    assert refused["role"] == "member"
    assert refused["target"]["code"] == "imt-atlantique"
    assert refused["target"]["patch"] == "…"  # identifiers, not contents
    forbidden = api.graphql(AUDIT, token=member).json()["errors"][0]
    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as session:
        session.execute(sa.text("UPDATE audit_event SET outcome = 'ok'"))


def test_prod_errors_carry_the_request_reference(tmp_path: Path) -> None:
    from govkit.db import create_db_engine

    prod = Api(Database(create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")), make_settings(env="prod"))
    response = prod.graphql("{ organisations { code } }", headers={"X-Request-ID": "support-ticket-4242"})
    error = response.json()["errors"][0]
    assert error["extensions"]["reference"] == "support-ticket-4242"
    assert "support-ticket-4242" in error["message"]


SCHEMA = (ROOT / "schema.graphql").read_text(encoding="utf-8")
FUZZ_CALLERS = [None, ("legal",), ("school_admin", "imt-atlantique"), ("member", "imt-atlantique", "E00001")]


@pytest.mark.parametrize("caller", FUZZ_CALLERS, ids=lambda c: c[0] if c else "anonymous")
def test_fuzzing_the_whole_schema_finds_no_server_error(api: Api, token: TokenFactory, caller: tuple | None) -> None:
    bearer = token(*caller) if caller else None
    scalars = {
        "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(nodes.String),
        "DateTime": st.datetimes().map(lambda d: d.isoformat() + "Z").map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
        "Upload": st.just(nodes.Null),
    }

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(SCHEMA, custom_scalars=scalars))
    def run(document: str) -> None:
        response = api.graphql(document, token=bearer)
        assert response.status_code < 500, (document, response.text[:500])
        body = response.json()
        for error in body.get("errors") or []:
            assert (error.get("extensions") or {}).get("code") != "INTERNAL", (document, error)
            assert "Traceback" not in error["message"]

    run()
