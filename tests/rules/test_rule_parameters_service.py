"""Rule parameters on both databases: legal staff set a value from a date (audited), others may not, a
bad value is refused; runs as of a day before it keep the former value; `govkit rules params`."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import ANONYMOUS, SYSTEM, Principal, Role
from govkit.db import Database
from govkit.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from govkit.rules import parameter_service as parameters
from govkit.rules import service as rules
from govkit.rules.parameter_records import RuleParameterValue
from tests.cli.test_cli_on_demo_data import demo, govkit  # noqa: F401 - the demo database fixture
from tests.conftest import Api, TokenFactory

RULE = "network.referent-meetings"
DEFAULT = {"default": "the IMT group committee asked for quarterly meetings from 2023"}
SET = """mutation($rule: String!, $name: String!, $value: JSON!, $from: Date!, $source: ParameterSourceInput!,
  $reason: String!) {
  setRuleParameter(ruleId: $rule, name: $name, value: $value, validFrom: $from, source: $source, reason: $reason) {
    ruleId name value validFrom recordedBy reason source { kind text article } fileValue
    history { value validFrom recordedBy } } }"""
READ = """query($rule: String, $asOf: Date) { ruleParameters(ruleId: $rule, asOf: $asOf) {
  ruleId name value validFrom source { kind text } fileSource { kind } history { value validFrom } } }"""


def _set(db: Database, actor: Principal = SYSTEM, **given: Any) -> RuleParameterValue:
    arguments: dict[str, Any] = {
        "rule_id": RULE,
        "name": "per_year",
        "value": 4,
        "valid_from": date(2023, 1, 1),
        "source": DEFAULT,
        "reason": "Décision du comité du 12 décembre 2022",
    }
    return parameters.set_rule_parameter(db=db, actor=actor, **{**arguments, **given})


def _meetings(result: rules.RunResult) -> list[Any]:
    return [f for f in result.findings if f.record.rule_id == RULE and f.record.status != "resolved"]


def test_legal_staff_set_a_value_from_a_day_and_runs_before_it_keep_the_former(db: Database) -> None:
    before = _meetings(rules.run_rules(db=db, actor=SYSTEM, as_of=date(2022, 12, 31)))
    row = _set(db)
    assert (
        row.value == 4
        and row.recorded_by == "system (legal)"
        and row.source == {"kind": "default", "text": DEFAULT["default"]}
    )
    earlier = _meetings(rules.run_rules(db=db, actor=SYSTEM, as_of=date(2022, 12, 31)))
    assert [(f.organisation, f.record.key, f.record.message_en) for f in earlier] == [
        (f.organisation, f.record.key, f.record.message_en) for f in before
    ]
    for finding in earlier:
        (per_year,) = [p for p in finding.parameters if p["name"] == "per_year"]
        assert per_year["value"] == 2 and per_year["valid_from"] is None
    run = rules.run_rules(db=db, actor=SYSTEM, as_of=date(2023, 6, 1))
    later = _meetings(run)
    assert later  # the network's meetings are not documented on the demo: the finding names the value of the day
    (per_year,) = [p for p in later[0].parameters if p["name"] == "per_year"]
    assert per_year == {"name": "per_year", "value": 4, "source": row.source, "valid_from": "2023-01-01"}
    # stored once with the run, not in each finding's evidence; read back with the findings
    assert run.run.parameters is not None and per_year in run.run.parameters[RULE]
    assert not any("parameters" in f.record.evidence for f in run.findings)
    read = [f for f in rules.findings(db=db, actor=SYSTEM, as_of=date(2023, 6, 1)) if f.record.rule_id == RULE]
    assert read and all(f.record.run_id == run.run.id and per_year in f.parameters for f in read)
    with db.reading() as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "rules.set_parameter")).all()
    assert event.target == {"rule": RULE, "parameter": "per_year", "valid_from": "2023-01-01"}
    assert event.detail == "2 -> 4 (default)" and event.outcome == "ok"


def test_the_listing_gives_the_value_on_the_day_and_the_history(db: Database) -> None:
    _set(db)
    _set(
        db,
        value=3,
        valid_from=date(2024, 1, 1),
        source={"plan": "Les référents égalité FH se réunissent au moins deux fois par an."},
    )
    listed = {(s.rule_id, s.name): s for s in parameters.rule_parameters(db=db, actor=SYSTEM, as_of=date(2023, 6, 1))}
    assert len(listed) == sum(len(r.parameter_names) for r in rules.load_rules().rules)
    state = listed[RULE, "per_year"]
    assert (state.value, state.valid_from, state.file_value) == (4, date(2023, 1, 1), 2)
    assert [v.value for v in state.history] == [4, 3]
    assert listed[RULE, "deadline"].value == "2022-12-31" and listed[RULE, "deadline"].source["kind"] == "plan"
    (early,) = [
        s
        for s in parameters.rule_parameters(db=db, actor=SYSTEM, rule_id=RULE, as_of=date(2022, 1, 1))
        if s.name == "per_year"
    ]
    assert (early.value, early.valid_from, early.source["kind"]) == (2, None, "plan")


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ({"rule_id": "no.such-rule"}, NotFound, "No rule 'no.such-rule'"),
        ({"name": "colour"}, InvalidInput, "Rule network.referent-meetings has no parameter 'colour'"),
        ({"value": 100}, InvalidInput, "Rule network.referent-meetings, parameter per_year: Input should be less"),
        ({"value": "often"}, InvalidInput, "parameter per_year: Input should be a valid integer"),
        ({"source": {"plan": "Les référents se réunissent chaque semaine."}}, InvalidInput, "not found in the action"),
        (
            {"source": {"default": "a reason given here", "law": "Code"}},
            InvalidInput,
            "source: a source is exactly one",
        ),
        ({"source": {"default": "short"}}, InvalidInput, "source.default: String should have at least 10"),
        ({"reason": "because"}, InvalidInput, "Give the reason"),
        ({"valid_from": date(1999, 1, 1)}, InvalidInput, "out of range"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    db: Database, given: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        _set(db, **given)
    assert message in str(caught.value)
    with db.reading() as session:
        assert session.exec(select(sa.func.count()).select_from(RuleParameterValue)).one() == 0


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (ANONYMOUS, NotAuthenticated),
        (Principal(role=Role.AUDITOR, subject="a"), Forbidden),
        (Principal(role=Role.SCHOOL_ADMIN, subject="s", organisation_id=1, organisation_code="imt-bs"), Forbidden),
    ],
)
def test_only_legal_staff_set_a_parameter(db: Database, actor: Principal, error: type[Exception]) -> None:
    with pytest.raises(error):
        _set(db, actor=actor)


def test_set_and_read_through_graphql(api: Api, token: TokenFactory, db: Database) -> None:
    variables = {
        "rule": RULE,
        "name": "per_year",
        "value": 4,
        "from": "2023-01-01",
        "source": {"law": "Décision du conseil d'administration de l'IMT", "article": "3"},
        "reason": "Décision du comité du 12 décembre 2022",
    }
    legal = token("legal")
    set_ = api.data(SET, variables, token=legal)["setRuleParameter"]
    assert set_["value"] == 4 and set_["validFrom"] == "2023-01-01" and set_["fileValue"] == 2
    assert set_["source"] == {"kind": "law", "text": "Décision du conseil d'administration de l'IMT", "article": "3"}
    assert set_["recordedBy"].endswith("(legal)") and [h["value"] for h in set_["history"]] == [4]
    with db.reading() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "mutation.setRuleParameter").order_by(col(AuditEvent.id))
        ).all()
    assert [(e.outcome, e.detail) for e in events] == [("ok", "2 -> 4 (law)")]  # once, with the change
    read = api.data(READ, {"rule": RULE, "asOf": "2022-06-01"}, token=token("school_admin", "imt-bs"))
    per_year = next(p for p in read["ruleParameters"] if p["name"] == "per_year")
    assert per_year["value"] == 2 and per_year["validFrom"] is None and per_year["source"]["kind"] == "plan"
    assert [h["validFrom"] for h in per_year["history"]] == ["2023-01-01"]

    # a finding names its rule's parameters on the day: evaluated on the fly, then read from a stored run
    findings = "query($asOf: Date) { findings(asOf: $asOf) { ruleId runId parameters evidence } }"
    for stored in (False, True):
        if stored:
            api.data('mutation { runRules(asOf: "2023-06-01") { id } }', token=legal)
        (found, *_) = [
            f for f in api.data(findings, {"asOf": "2023-06-01"}, token=legal)["findings"] if f["ruleId"] == RULE
        ]
        assert (found["runId"] is not None) is stored and "parameters" not in found["evidence"]
        (value,) = [p for p in found["parameters"] if p["name"] == "per_year"]
        assert (value["value"], value["valid_from"], value["source"]["kind"]) == (4, "2023-01-01", "law")

    for who in (token("school_admin", "imt-bs"), token("intranet", "imt-bs")):
        refused = api.graphql(SET, variables, token=who).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = api.graphql(SET, variables).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    bad = api.graphql(SET, {**variables, "value": 1.5}, token=legal).json()
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "Rule network.referent-meetings, parameter per_year" in bad["errors"][0]["message"]
    with db.reading() as session:
        outcomes = [
            e.outcome for e in session.exec(select(AuditEvent).where(AuditEvent.action == "mutation.setRuleParameter"))
        ]
    assert sorted(outcomes) == ["error", "ok", "refused", "refused", "refused"]


def test_govkit_rules_params_lists_every_parameter_with_its_source(
    demo: tuple[str, Path, subprocess.CompletedProcess[str]],  # noqa: F811
) -> None:
    url, where, _ = demo
    listed = json.loads(govkit("rules", "params", "--format", "json", url=url, cwd=where).stdout)
    assert {(p["rule"], p["name"]) for p in listed} >= {(RULE, "per_year"), (RULE, "deadline")}
    assert all(p["source"]["kind"] in ("plan", "law", "default") for p in listed)
    table = govkit("rules", "params", "--rule", "acknowledgement.full-coverage", url=url, cwd=where, COLUMNS="80")
    assert table.returncode == 0, table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    text = " ".join(table.stdout.split())
    assert "acknowledgement.full-coverage" in text and "after_days" in text and "défaut govkit" in text
    english = govkit("rules", "params", "--rule", RULE, "--lang", "en", "--as-of", "2022-01-01", url=url, cwd=where)
    assert "plan: “" in english.stdout
    unknown = govkit("rules", "params", "--rule", "nope", url=url, cwd=where)
    assert unknown.returncode == 1 and "No rule 'nope'" in unknown.stderr
