"""Arrangements through GraphQL and the service, on both databases: a shared record counts once for
the schools it serves; schools join and opt out of a group arrangement (authorised, audited,
checked); recording a group reporting platform two schools join clears their finding only."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import Principal, Role
from govkit.days import utc_today
from govkit.db import Database
from govkit.organisations import arrangements, service
from govkit.organisations.vocabulary import ArrangementHow, CommitmentStatus, CommitmentType
from govkit.rules.engine import evaluate
from govkit.rules.loader import load_rules
from govkit.rules.queries import load_facts
from govkit.timeline import AsOf
from tests.conftest import Api, TokenFactory

LEGAL = Principal(role=Role.LEGAL, subject="test-legal")

ARRANGEMENTS = """query($school: String, $asOf: Date) {
  arrangements(school: $school, asOf: $asOf) {
    id how type status title holder provider capacity { timeSharePercent members }
    members { organisation role validFrom } optedOut { organisation validFrom dateSource }
  }
}"""
JOIN = """mutation($id: ID!, $school: String!, $from: Date!) {
  joinArrangement(commitmentId: $id, school: $school, validFrom: $from, source: "Décision du CA") {
    organisation role validFrom
  }
}"""
OPT_OUT = """mutation($id: ID!, $school: String!, $from: Date!) {
  optOutOfArrangement(commitmentId: $id, school: $school, validFrom: $from, reason: "Plateforme propre") {
    organisation role validFrom dateSource
  }
}"""
RECORD = """mutation($input: RecordCommitmentInput!) {
  recordCommitment(input: $input) { id how provider title }
}"""


def _group_platform(api: Api, token: str) -> dict[str, Any]:
    found = api.data(ARRANGEMENTS, {"school": "imt-dg"}, token=token)["arrangements"]
    return next(a for a in found if a["type"] == "REPORTING_PLATFORM")


def test_the_shared_referent_is_one_record_serving_both_schools(api: Api, token: TokenFactory) -> None:
    found = api.data(ARRANGEMENTS, {}, token=token("legal"))["arrangements"]
    referents = [a for a in found if a["type"] == "EQUALITY_REFERENT"]
    assert len(referents) == 1
    (referent,) = referents
    assert referent["how"] == "SHARED" and referent["holder"] == "imt-bs"
    assert referent["capacity"]["timeSharePercent"] == 20
    assert [m["organisation"] for m in referent["members"]] == ["imt-bs", "telecom-sudparis"]
    ubo = next(a for a in found if a["holder"] == "imt-atlantique")
    assert (ubo["how"], ubo["provider"], ubo["type"]) == ("EXTERNAL", "UBO", "LISTENING_CELL")
    tsp = api.data(
        '{ organisation(code: "telecom-sudparis") { arrangements { holder title membership { role } } } }',
        token=token("school_admin", "telecom-sudparis"),
    )["organisation"]["arrangements"]
    assert {(a["holder"], a["membership"]["role"]) for a in tsp} == {("imt-bs", "MEMBER")}
    assert len(tsp) == 2  # the referent and the listening cell


def test_a_school_joins_and_opts_out_of_a_group_arrangement(api: Api, token: TokenFactory, db: Database) -> None:
    admin = token("school_admin", "imt-mines-albi")
    platform = _group_platform(api, token("legal"))
    assert platform["how"] == "GROUP" and platform["members"] == []
    variables = {"id": platform["id"], "school": "imt-mines-albi", "from": "2023-09-01"}
    joined = api.data(JOIN, variables, token=admin)["joinArrangement"]
    assert joined == {"organisation": "imt-mines-albi", "role": "MEMBER", "validFrom": "2023-09-01"}
    again = api.graphql(JOIN, variables, token=admin).json()["errors"][0]
    assert again["extensions"]["code"] == "INVALID_INPUT" and "already a member" in again["message"]
    early = api.graphql(OPT_OUT, {**variables, "from": "2023-01-01"}, token=admin).json()["errors"][0]
    assert early["extensions"]["code"] == "INVALID_INPUT"
    left = api.data(OPT_OUT, {**variables, "from": "2024-02-01"}, token=admin)["optOutOfArrangement"]
    assert left["role"] == "OPTED_OUT" and left["dateSource"] == "Plateforme propre"
    now = _group_platform(api, token("legal"))
    assert now["members"] == [] and [o["organisation"] for o in now["optedOut"]] == ["imt-mines-albi"]
    before = api.data(ARRANGEMENTS, {"school": "imt-mines-albi", "asOf": "2023-12-01"}, token=admin)["arrangements"]
    assert [m["organisation"] for m in next(a for a in before if a["id"] == platform["id"])["members"]] == [
        "imt-mines-albi"
    ]
    with db.reading() as session:
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.outcome).where(col(AuditEvent.action).contains("Arrangement"))
        ).all()
    assert ("mutation.joinArrangement", "ok") in actions and ("mutation.optOutOfArrangement", "ok") in actions


def test_joining_is_authorised_and_checked(api: Api, token: TokenFactory) -> None:
    platform = _group_platform(api, token("legal"))
    variables = {"id": platform["id"], "school": "imt-mines-albi", "from": "2023-09-01"}
    other = api.graphql(JOIN, variables, token=token("school_admin", "imt-atlantique")).json()["errors"][0]
    assert other["extensions"]["code"] == "FORBIDDEN"
    anonymous = api.graphql(JOIN, variables).json()["errors"][0]
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"
    legal = token("legal")
    referent = next(
        a for a in api.data(ARRANGEMENTS, {}, token=legal)["arrangements"] if a["type"] == "EQUALITY_REFERENT"
    )
    shared = api.graphql(JOIN, {**variables, "id": referent["id"]}, token=legal).json()["errors"][0]
    assert shared["extensions"]["code"] == "INVALID_INPUT" and "not a group arrangement" in shared["message"]
    unknown = api.graphql(JOIN, {**variables, "id": "999999"}, token=legal).json()["errors"][0]
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    head_office = api.graphql(JOIN, {**variables, "school": "imt-dg"}, token=legal).json()["errors"][0]
    assert head_office["extensions"]["code"] == "INVALID_INPUT" and "not a school" in head_office["message"]
    not_member = api.graphql(OPT_OUT, variables, token=legal).json()["errors"][0]
    assert not_member["extensions"]["code"] == "INVALID_INPUT" and "is not a member" in not_member["message"]


def test_recording_a_shared_arrangement_checks_its_members(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    base = {"organisation": "imt-mines-albi", "type": "LISTENING_CELL", "status": "IN_PLACE", "title": "Cellule"}
    bad = api.graphql(
        RECORD, {"input": {**base, "how": "SHARED", "members": ["imt-mines-albi", "imt-dg", "nowhere"]}}, token=legal
    ).json()["errors"][0]
    assert bad["extensions"]["code"] == "INVALID_INPUT"
    assert {p["path"] for p in bad["extensions"]["problems"]} == {"members.1", "members.2"}
    external = api.graphql(RECORD, {"input": {**base, "how": "EXTERNAL"}}, token=legal).json()["errors"][0]
    assert [p["path"] for p in external["extensions"]["problems"]] == ["provider"]
    recorded = api.data(
        RECORD,
        {
            "input": {
                **base,
                "title": "Cellule commune Albi-Alès",
                "effectiveOn": "2023-01-02",
                "how": "SHARED",
                "members": ["imt-mines-albi", "imt-mines-ales"],
                "capacity": {"members": 6},
            }
        },
        token=legal,
    )["recordCommitment"]
    assert recorded["how"] == "SHARED"
    ales = api.data(ARRANGEMENTS, {"school": "imt-mines-ales"}, token=token("school_admin", "imt-mines-ales"))
    cell = next(a for a in ales["arrangements"] if a["title"] == "Cellule commune Albi-Alès")
    assert [m["organisation"] for m in cell["members"]] == ["imt-mines-albi", "imt-mines-ales"]
    assert cell["capacity"]["members"] == 6


def _platform_findings(db: Database, day: date) -> dict[str, str]:
    rule = next(r for r in load_rules().rules if r.id == PLATFORM_RULE)
    with db.reading() as session:
        facts = load_facts(session, AsOf(day))
    return {f.organisation: f.key for f in evaluate([rule], facts)}


PLATFORM_RULE = "listening.reporting-platform"


def test_a_group_platform_two_schools_join_clears_their_finding_only(db: Database) -> None:
    day = utc_today()
    before = _platform_findings(db, day)
    joining = ["imt-atlantique", "telecom-paris"]
    assert set(joining) <= set(before)
    platform = service.record_commitment(
        db=db,
        actor=LEGAL,
        data=service.CommitmentInput(
            organisation_code="imt-dg",
            type=CommitmentType.REPORTING_PLATFORM,
            status=CommitmentStatus.IN_PLACE,
            title="Plateforme de signalement de l'IMT",
            effective_on=date(2023, 1, 2),
            how=ArrangementHow.GROUP,
            provider="Prestataire retenu",
        ),
    )
    for code in joining:
        arrangements.join_arrangement(
            db=db, actor=LEGAL, commitment_id=platform.id or 0, school=code, valid_from=date(2023, 9, 1)
        )
    after = _platform_findings(db, day)
    assert not set(joining) & set(after)
    assert {o: k for o, k in before.items() if o not in joining} == after
    assert set(joining) <= set(_platform_findings(db, date(2023, 6, 1)))  # in place, not joined yet


def test_the_dashboard_shows_the_shared_arrangements_once_with_their_members(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", "telecom-sudparis")
    for lang, heading, percent in (("fr", "Dispositifs", "20 % ETP"), ("en", "Arrangements", "20 % FTE")):
        page = api.request(
            "GET", f"/ui/schools/telecom-sudparis?lang={lang}", headers={"Cookie": f"govkit_session={admin}"}
        )
        assert page.status_code == 200
        section = page.text.split('<h2 id="arrangements">', 1)[1].split("<h2", 1)[0]
        assert section.startswith(heading)
        assert section.count('data-how="shared"') == 2  # the referent and the cell, once each
        assert "IMT-BS · TSP" in section and percent in section
