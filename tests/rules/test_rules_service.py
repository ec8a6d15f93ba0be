"""Rules on the demo data, on both databases: runs, history, waivers, the barometer, the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from govkit.access.roles import SYSTEM
from govkit.days import utc_today
from govkit.db import Database
from govkit.errors import InvalidInput
from govkit.flows import waiver_grants
from govkit.organisations import service as organisations
from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType
from govkit.rules import service as rules
from govkit.rules.loader import load_rules
from govkit.rules.models import Waiver
from tests.ack_helpers import republish
from tests.conftest import Api, TokenFactory, make_settings
from tests.web.test_health_and_directory import SCHOOLS


def _keys(result: rules.RunResult, school: str | None = None) -> set[tuple[str, str, str]]:
    return {
        (f.organisation, f.record.rule_id, f.record.key)
        for f in result.findings
        if f.record.status != "resolved" and (school is None or f.organisation == school)
    }


def test_what_a_careful_reader_of_the_etat_des_lieux_expects(db: Database) -> None:
    found = _keys(rules.run_rules(db=db, actor=SYSTEM))
    # Alès: reports go to an HR officer since August 2020, not anonymously (a platform is being chosen)
    assert ("imt-mines-ales", "listening.reporting-channel", "reporting_channel") not in found
    assert ("imt-mines-ales", "listening.anonymous-reporting", "profile") in found
    # IMT-BS and TSP share one referent at 20 % in all: below the half-time the plan asks for
    assert ("imt-bs", "commitments.referent-time", "profile") in found
    # IMT Atlantique signed the charter in 2018 and its channel is anonymous
    assert ("imt-atlantique", "commitments.equality-charter", "equality_charter") not in found
    assert ("imt-atlantique", "listening.anonymous-reporting", "profile") not in found
    # every school has its regulations with the common base: no clause finding on the demo
    assert not {k for k in found if k[1] == "documents.internal-common-base"}


def test_removing_a_clause_from_one_variant_makes_a_new_error_for_that_school_only(db: Database) -> None:
    first = rules.run_rules(db=db, actor=SYSTEM)
    current = next(
        d
        for _o, d in __import__("govkit.documents.service", fromlist=["x"]).published_documents(
            db=db, actor=SYSTEM, school="telecom-paris", language="fr"
        )
        if d.kind == "internal"
    )
    republish(
        db, "telecom-paris", "internal", "substantive", clauses=[c for c in current.clauses if c != "vss.reporting"]
    )  # a variant without the clause
    second = rules.run_rules(db=db, actor=SYSTEM)
    new_errors = [f for f in second.findings if f.record.status == "new" and f.record.severity == "error"]
    assert [(f.organisation, f.record.rule_id, f.record.key) for f in new_errors] == [
        ("telecom-paris", "documents.internal-common-base", "internal/fr/vss.reporting")
    ]
    assert "Signalement" in new_errors[0].record.message_fr
    errors = {k for k in _keys(second) if k[1] == "documents.internal-common-base"}
    assert errors - _keys(first) == {("telecom-paris", "documents.internal-common-base", "internal/fr/vss.reporting")}


def test_history_new_open_resolved(db: Database) -> None:
    first = rules.run_rules(db=db, actor=SYSTEM)
    assert {f.record.status for f in first.findings} <= {"new", "open"}
    second = rules.run_rules(db=db, actor=SYSTEM)
    assert {f.record.status for f in second.findings} == {"open"}
    organisations.record_commitment(
        db=db,
        actor=SYSTEM,
        data=organisations.CommitmentInput(
            organisation_code="imt-mines-ales",
            type=CommitmentType.VSS_ACTION_PLAN,
            status=CommitmentStatus.IN_PLACE,
            title="Plan d'action VSS 2022",
            effective_on=date(2021, 12, 1),
        ),
    )
    third = rules.run_rules(db=db, actor=SYSTEM)
    resolved = [(f.organisation, f.record.rule_id) for f in third.findings if f.record.status == "resolved"]
    assert resolved == [("imt-mines-ales", "commitments.vss-action-plan")]


def test_a_waiver_silences_one_finding_stays_visible_and_expires(db: Database) -> None:
    before = rules.run_rules(db=db, actor=SYSTEM)
    target = next(f for f in before.blocking if f.organisation == "imt-mines-ales")
    waiver_grants.grant(
        db=db,
        actor=SYSTEM,
        settings=make_settings(),
        rule_id=target.record.rule_id,
        school="imt-mines-ales",
        key=target.record.key,
        reason="Plateforme commandée, livraison au prochain trimestre",
        expires_on=utc_today() + timedelta(days=10),
    )
    after = rules.run_rules(db=db, actor=SYSTEM)
    waived = [f for f in after.findings if f.waived]
    assert [(f.organisation, f.record.rule_id, f.record.key) for f in waived] == [
        ("imt-mines-ales", target.record.rule_id, target.record.key)
    ]
    assert len(after.blocking) == len(before.blocking) - 1

    def unwaived(result: rules.RunResult) -> set:
        return {
            (f.organisation, f.record.rule_id, f.record.key, f.record.severity)
            for f in result.findings
            if not f.waived and f.record.status != "resolved"
        }

    assert unwaived(after) == unwaived(before) - {
        (target.organisation, target.record.rule_id, target.record.key, target.record.severity)
    }
    later = rules.run_rules(db=db, actor=SYSTEM, as_of=utc_today() + timedelta(days=20))
    assert not [f for f in later.findings if f.waived]


def test_waivers_need_a_reason_a_known_rule_and_a_near_expiry(db: Database) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        waiver_grants.grant(
            db=db,
            actor=SYSTEM,
            settings=make_settings(),
            rule_id="listening.cell",
            school="imt-bs",
            reason="x",
            expires_on=utc_today() + timedelta(days=5),
        )
    with pytest.raises(InvalidInput, match="two years"):
        waiver_grants.grant(
            db=db,
            actor=SYSTEM,
            settings=make_settings(),
            rule_id="listening.cell",
            school="imt-bs",
            reason="Une raison détaillée",
            expires_on=utc_today() + timedelta(days=1000),
        )
    with pytest.raises(Exception, match="No rule"):
        waiver_grants.grant(
            db=db,
            actor=SYSTEM,
            settings=make_settings(),
            rule_id="listening.nothing",
            school="imt-bs",
            reason="Une raison détaillée",
            expires_on=utc_today() + timedelta(days=5),
        )


def test_facts_are_loaded_in_a_fixed_number_of_queries(db: Database) -> None:
    import sqlalchemy as sa

    from govkit.rules.queries import load_facts

    counted: list[str] = []

    def count(*_args: object) -> None:
        counted.append("q")

    engine_or_connection = db.bind
    sa.event.listen(engine_or_connection, "before_cursor_execute", count)
    try:
        with db.reading() as session:
            facts = load_facts(session, utc_today())
    finally:
        sa.event.remove(engine_or_connection, "before_cursor_execute", count)
    assert len(facts.organisations) == 10
    assert len(counted) <= 15  # + arrangements, parameters, surveys (issue 16); clause library, clause texts (issue 19)


BAROMETER = """query($year: Int!) { barometer(year: $year) {
  year asOf indicators { id axe unit }
  schools { school values { id value } acknowledgementByPopulation { population value } }
  group { school values { id value } }
} }"""


def test_barometer_2022_answers_for_the_eight_schools_and_the_group(api: Api, token: TokenFactory) -> None:
    data = api.data(BAROMETER, {"year": 2022}, token=token("auditor"))["barometer"]
    assert data["asOf"] == "2022-12-31"
    assert {s["school"] for s in data["schools"]} == SCHOOLS
    values = {s["school"]: {v["id"]: v["value"] for v in s["values"]} for s in data["schools"]}
    assert values["imt-atlantique"]["equality_charter"] == 1.0  # signed in 2018
    group = {v["id"]: v["value"] for v in data["group"]["values"]}
    charters = [values[s]["equality_charter"] for s in SCHOOLS]
    assert group["equality_charter"] == pytest.approx(sum(charters) / len(charters), abs=1e-4)
    admin = api.data(BAROMETER, {"year": 2022}, token=token("school_admin", "imt-bs"))["barometer"]
    assert [s["school"] for s in admin["schools"]] == ["imt-bs"]


def test_findings_and_waivers_through_graphql(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    run = api.data("mutation { runRules { id findings blockingErrors } }", token=legal)["runRules"]
    assert run["blockingErrors"] > 0
    query = """query($s: String) { findings(school: $s, severity: "error") {
      ruleId ruleTitleFr school severity status key messageFr source evidence waived } }"""
    found = api.data(query, {"s": "imt-mines-ales"}, token=token("school_admin", "imt-mines-ales"))["findings"]
    assert found
    assert all(f["school"] == "imt-mines-ales" and f["severity"] == "error" for f in found)
    assert all(f["source"].startswith("Axe ") for f in found)
    waiver = api.data(
        """mutation($r: String!, $k: String, $until: Date!) { grantWaiver(ruleId: $r, school: "imt-mines-ales",
             key: $k, reason: "Décision du comité de direction du 12 mars", expiresOn: $until) {
             waiver { id expiresOn grantedBy } approval { id } } }""",
        {"r": found[0]["ruleId"], "k": found[0]["key"], "until": (utc_today() + timedelta(days=30)).isoformat()},
        token=legal,
    )["grantWaiver"]
    assert waiver["approval"] is None  # four eyes are off outside production
    assert waiver["waiver"]["grantedBy"].endswith("(legal)")
    api.data("mutation { runRules { id } }", token=legal)
    again = api.data(query, {"s": "imt-mines-ales"}, token=legal)["findings"]
    assert [f["waived"] for f in again if f["ruleId"] == found[0]["ruleId"] and f["key"] == found[0]["key"]] == [True]


def test_graphql_waiver_of_an_error_waits_for_a_second_legal_officer(db: Database, token: TokenFactory) -> None:
    """grantWaiver goes through the same four eyes as the page: a request, not a waiver, until another
    legal officer approves it; a warning is granted at once."""
    api = Api(db, make_settings(four_eyes=True))
    first, second = token("legal"), token("legal")
    until = (utc_today() + timedelta(days=30)).isoformat()
    grant = """mutation($r: String!, $until: Date!) { grantWaiver(ruleId: $r, school: "imt-mines-ales",
        reason: "Décision du comité de direction du 12 mars", expiresOn: $until) {
        waiver { id grantedBy } approval { id status requestedBy } } }"""
    asked = api.data(grant, {"r": "listening.cell", "until": until}, token=first)["grantWaiver"]
    assert asked["waiver"] is None and asked["approval"]["status"] == "pending"
    with db.reading() as session:
        assert not session.exec(select(Waiver).where(Waiver.rule_id == "listening.cell")).all()
    own = api.graphql(
        "mutation($a: ID!) { approve(approvalId: $a) { status } }", {"a": asked["approval"]["id"]}, token=first
    ).json()
    assert [e["extensions"]["code"] for e in own["errors"]] == ["FORBIDDEN"]
    done = api.data(
        "mutation($a: ID!) { approve(approvalId: $a) { status decidedBy } }",
        {"a": asked["approval"]["id"]},
        token=second,
    )["approve"]
    assert done["status"] == "approved"
    with db.reading() as session:
        (granted,) = session.exec(select(Waiver).where(Waiver.rule_id == "listening.cell")).all()
    assert granted.granted_by == asked["approval"]["requestedBy"]  # the requester's name
    warning = next(r for r in load_rules().rules if r.severity == "warning")
    at_once = api.data(grant, {"r": warning.id, "until": until}, token=first)["grantWaiver"]
    assert at_once["approval"] is None and at_once["waiver"]["id"]
