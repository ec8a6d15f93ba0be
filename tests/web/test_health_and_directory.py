"""The service answers: health, the organisation directory, the demo data through GraphQL."""

from __future__ import annotations

from tests.conftest import Api, TokenFactory

SCHOOLS = {
    "imt-atlantique",
    "imt-lille-douai",
    "imt-mines-albi",
    "imt-mines-ales",
    "imt-bs",
    "telecom-sudparis",
    "mines-saint-etienne",
    "telecom-paris",
}


def test_healthz_reports_database_and_revision(api: Api, backend: str) -> None:
    response = api.request("GET", "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == backend
    assert body["schema_revision"]


def test_anonymous_directory_lists_the_ten_organisations(api: Api) -> None:
    data = api.data("{ organisations { code name type parent { code } } }")
    orgs = data["organisations"]
    assert len(orgs) == 10
    assert [o["type"] for o in orgs[:2]] == ["GROUP", "HEAD_OFFICE"]
    assert {o["code"] for o in orgs if o["type"] == "SCHOOL"} == SCHOOLS
    assert all(o["parent"] == {"code": "imt"} for o in orgs if o["type"] != "GROUP")


def test_filter_by_type(api: Api) -> None:
    data = api.data("{ organisations(type: SCHOOL) { code } }")
    assert {o["code"] for o in data["organisations"]} == SCHOOLS


def test_organisation_with_profile_campuses_and_commitments(api: Api, token: TokenFactory) -> None:
    query = """
    query($code: String!) { organisation(code: $code) {
        name campuses { code name }
        profile { officialName languages revision sha256 updatedBy
                  housing { hasResidences residences { code managedBy campus } }
                  sources { field quote } }
        commitments { type status title effectiveOn datePrecision source }
    } }"""
    data = api.data(query, {"code": "mines-saint-etienne"}, token=token("auditor"))
    org = data["organisation"]
    assert {c["code"] for c in org["campuses"]} == {"saint-etienne", "gardanne"}
    profile = org["profile"]
    assert profile["revision"] == 1 and len(profile["sha256"]) == 64
    managers = {r["code"]: r["managedBy"] for r in profile["housing"]["residences"]}
    assert "ALUMNI_ASSOCIATION" in managers.values() and "SCHOOL" in managers.values()
    assert {s["field"] for s in profile["sources"]} >= {"housing"}
    charter = [c for c in org["commitments"] if c["type"] == "EQUALITY_CHARTER"]
    assert charter and charter[0]["status"] == "IN_PLACE" and charter[0]["source"]


def test_unknown_code_is_a_precise_error(api: Api) -> None:
    body = api.graphql('{ organisation(code: "imt-nowhere") { code } }').json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "imt-nowhere" in error["message"] and "imt-atlantique" in error["message"]


def test_graphiql_is_served_in_dev(api: Api) -> None:
    response = api.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
