"""Profile updates and commitments: validated, revisioned, and never half-written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from govkit.access.roles import Principal, Role
from govkit.db import Database
from govkit.errors import InvalidInput, NotFound
from govkit.organisations import service
from govkit.organisations.models import Commitment, ProfileRevision
from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType
from tests.conftest import Api, TokenFactory

LEGAL = Principal(role=Role.LEGAL, subject="test-legal")

UPDATE = """mutation($code: String!, $patch: SchoolProfilePatch!) {
  updateSchoolProfile(code: $code, patch: $patch) {
    revision sha256 updatedBy officialName address { city postalCode }
    housing { hasResidences residences { code campus managedBy } } languages
  }
}"""


def _revisions(db: Database, code: str) -> int:
    with db.reading() as session:
        org = service.organisation_by_code(session, code)
        return session.exec(
            select(func.count()).select_from(ProfileRevision).where(ProfileRevision.organisation_id == org.id)
        ).one()


def test_update_creates_a_revision_and_keeps_other_fields(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", "imt-atlantique")
    result = api.data(
        UPDATE,
        {"code": "imt-atlantique", "patch": {"address": {"city": "Brest", "postalCode": "29238"}}},
        token=admin,
    )["updateSchoolProfile"]
    assert result["revision"] == 2
    assert result["address"] == {"city": "Brest", "postalCode": "29238"}
    assert result["officialName"] == "IMT Atlantique"
    assert result["languages"] == ["FR", "EN"]
    assert "school_admin" in result["updatedBy"]


def test_same_patch_twice_keeps_one_revision(api: Api, token: TokenFactory, db: Database) -> None:
    admin = token("legal")
    variables = {"code": "imt-mines-albi", "patch": {"address": {"city": "Albi"}}}
    first = api.data(UPDATE, variables, token=admin)["updateSchoolProfile"]
    second = api.data(UPDATE, variables, token=admin)["updateSchoolProfile"]
    assert first["revision"] == second["revision"] == 2
    assert first["sha256"] == second["sha256"]
    assert _revisions(db, "imt-mines-albi") == 2


def test_invalid_profile_is_refused_with_every_problem_and_saves_nothing(
    api: Api, token: TokenFactory, db: Database
) -> None:
    before = _revisions(db, "imt-atlantique")
    patch = {
        "websites": {"publicSite": "javascript:alert(1)"},
        "director": {"email": "not-an-email"},
        "languages": ["EN"],
    }
    body = api.graphql(UPDATE, {"code": "imt-atlantique", "patch": patch}, token=token("legal")).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    paths = {p["path"] for p in error["extensions"]["problems"]}
    assert paths == {"websites.publicSite", "director.email", "languages"}
    assert "nothing was saved" in error["message"]
    assert _revisions(db, "imt-atlantique") == before


def test_residence_must_be_on_a_known_campus(api: Api, token: TokenFactory, db: Database) -> None:
    patch = {
        "housing": {
            "hasResidences": True,
            "residences": [{"code": "maisel", "name": "MAISEL", "campus": "rennes", "managedBy": "SCHOOL"}],
        }
    }
    body = api.graphql(UPDATE, {"code": "imt-atlantique", "patch": patch}, token=token("legal")).json()
    problem = body["errors"][0]["extensions"]["problems"][0]
    assert problem["path"] == "housing.residences.0.campus"
    assert "brest" in problem["message"] and "nantes" in problem["message"]
    patch["housing"]["residences"][0]["campus"] = "brest"
    result = api.data(UPDATE, {"code": "imt-atlantique", "patch": patch}, token=token("legal"))
    assert result["updateSchoolProfile"]["housing"]["residences"][0]["managedBy"] == "SCHOOL"


def test_shared_referent_must_name_known_organisations(db: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.update_profile(
            db=db,
            actor=LEGAL,
            code="imt-bs",
            patch={"equality_referent": {"shared_with": ["telecom-sudparis", "imt-nowhere", "imt-bs"]}},
        )
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("equality_referent.shared_with.1", "unknown organisation 'imt-nowhere'"),
        ("equality_referent.shared_with.2", "an organisation cannot share with itself"),
    ]


def test_unknown_profile_field_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInput, match="unknown profile field"):
        service.update_profile(db=db, actor=LEGAL, code="imt-bs", patch={"motto": "x"})


def test_unknown_organisation(db: Database) -> None:
    with pytest.raises(NotFound, match="imt-nowhere"):
        service.update_profile(db=db, actor=LEGAL, code="imt-nowhere", patch={})


RECORD = """mutation($input: RecordCommitmentInput!) {
  recordCommitment(input: $input) { id type status title effectiveOn datePrecision recordedBy }
}"""
COMMITMENTS = """query($code: String!) { organisation(code: $code) {
  commitments(type: VSS_ACTION_PLAN) { status title effectiveOn }
  commitmentHistory { type status }
} }"""


def test_new_record_supersedes_and_history_keeps_both(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", "imt-lille-douai")
    base = {"organisation": "imt-lille-douai", "type": "VSS_ACTION_PLAN", "title": "Plan d'action VSS"}
    api.data(RECORD, {"input": {**base, "status": "IN_PROGRESS", "effectiveOn": "2021-03-01"}}, token=admin)
    done = api.data(RECORD, {"input": {**base, "status": "IN_PLACE", "effectiveOn": "2021-12-01"}}, token=admin)
    assert done["recordCommitment"]["datePrecision"] == "DAY"
    data = api.data(COMMITMENTS, {"code": "imt-lille-douai"}, token=admin)["organisation"]
    assert data["commitments"] == [{"status": "IN_PLACE", "title": "Plan d'action VSS", "effectiveOn": "2021-12-01"}]
    plan_history = [c["status"] for c in data["commitmentHistory"] if c["type"] == "VSS_ACTION_PLAN"]
    assert plan_history == ["IN_PLACE", "IN_PROGRESS"]


def test_invalid_commitment_is_refused_and_not_recorded(db: Database) -> None:
    with db.reading() as session:
        before = session.exec(select(func.count()).select_from(Commitment)).one()
    data = service.CommitmentInput(
        organisation_code="imt-bs",
        type=CommitmentType.EQUALITY_CHARTER,
        status=CommitmentStatus.IN_PLACE,
        title="  ",
        effective_on=date(2030, 1, 1),
        expires_on=date(2020, 1, 1),
        evidence_url="file:///etc/passwd",
    )
    with pytest.raises(InvalidInput) as caught:
        service.record_commitment(db=db, actor=LEGAL, data=data)
    assert {p.path for p in caught.value.problems} == {"title", "expiresOn", "evidenceUrl", "effectiveOn"}
    with db.reading() as session:
        assert session.exec(select(func.count()).select_from(Commitment)).one() == before
