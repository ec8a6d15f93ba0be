"""Rule parameters (pure): the loader wants a source for each, the engine uses each one's value on the
day evaluated, and a change from a day never changes the findings of the days before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.errors import InvalidInput
from govkit.rules.definitions import Rule
from govkit.rules.engine import evaluate
from govkit.rules.facts import ParameterValue
from govkit.rules.loader import load_rules
from govkit.rules.parameters import checked_source, checked_value, describe, on_day, parameters_shown
from govkit.seed import seed_text
from govkit.vocabulary import Population
from tests.rule_facts import facts
from tests.rules.test_rules_properties import organisations

RULES = load_rules().rules
BY_ID = {r.id: r for r in RULES}
RECORDED = datetime(2024, 1, 1, tzinfo=UTC)

RULE = """rules:
  - id: test.rule
    title: {fr: "Une règle", en: "A rule"}
    source: {axe: 1, objective: "Objectif", quote: "Les référents égalité FH se réunissent au moins deux fois par an."}
    severity: error
    effective: 2021-01-01
    deadline: 2022-12-31
    kind: min_meetings
    params: {per_year: 2}
SOURCES"""


def _problems(tmp_path: Path, sources: str) -> list[str]:
    (tmp_path / "rules.yaml").write_text(RULE.replace("SOURCES", sources), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_rules(tmp_path)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_every_parameter_needs_a_source(tmp_path: Path) -> None:
    sources = '    sources: {deadline: {default: "the end of the year the plan names"}}\n'
    assert _problems(tmp_path, sources) == [
        "rules.yaml: test.rule: sources.per_year: no source: give {plan: quote}, {law: text, article: …} "
        "or {default: why}"
    ]


def test_a_source_names_a_parameter_of_the_rule(tmp_path: Path) -> None:
    sources = (
        "    sources:\n"
        '      deadline: {default: "the end of the year the plan names"}\n'
        '      per_year: {plan: "Les référents égalité FH se réunissent au moins deux fois par an."}\n'
        '      rate: {default: "a threshold this kind does not have"}\n'
    )
    assert _problems(tmp_path, sources) == [
        "rules.yaml: test.rule: sources.rate: not a parameter of this rule (its parameters: deadline, per_year)"
    ]


def test_a_plan_source_quotes_the_seed(tmp_path: Path) -> None:
    sources = (
        "    sources:\n"
        '      deadline: {default: "the end of the year the plan names"}\n'
        '      per_year: {plan: "Les référents égalité FH se réunissent chaque semaine."}\n'
    )
    assert _problems(tmp_path, sources) == [
        "rules.yaml: test.rule: sources.per_year.plan: not found in the action plan"
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{default: "why govkit chose it", plan: "Les référents égalité FH se réunissent"}', "exactly one of"),
        ('{law: "Code de l\'éducation"}', "gives its law and its article"),
        ("{}", "exactly one of"),
    ],
)
def test_a_source_is_one_of_plan_law_default(tmp_path: Path, source: str, message: str) -> None:
    sources = f'    sources:\n      deadline: {source}\n      per_year: {{default: "twice a year, as said"}}\n'
    problems = _problems(tmp_path, sources)
    assert len(problems) == 1 and problems[0].startswith("rules.yaml: test.rule: sources.deadline")
    assert message in problems[0]


def test_every_shipped_rule_gives_the_source_of_each_parameter() -> None:
    for rule in RULES:
        assert set(rule.sources) == set(rule.parameter_names), rule.id
    full = BY_ID["acknowledgement.full-coverage"]
    assert full.parameter_names == ("deadline", "rate", "after_days")
    assert full.sources["after_days"].kind == "default"
    assert BY_ID["commitments.equality-charter"].sources["deadline"].kind == "plan"


def _value(rule_id: str, name: str, value: Any, valid_from: date, recorded_at: datetime = RECORDED) -> ParameterValue:
    rule = BY_ID[rule_id]
    stored = checked_value(rule, name, value)
    return ParameterValue(rule_id, name, stored, valid_from, {"kind": "default", "text": "a test"}, recorded_at)


def test_the_value_on_a_day_is_the_latest_valid_by_then_and_known_then() -> None:
    early = _value("acknowledgement.full-coverage", "rate", 0.9, date(2023, 1, 1))
    later = _value("acknowledgement.full-coverage", "rate", 0.7, date(2024, 1, 1))
    same_day = _value("acknowledgement.full-coverage", "rate", 0.5, date(2023, 1, 1), RECORDED + timedelta(days=1))
    values = [later, same_day, early]
    assert on_day(values, date(2022, 12, 31)) == {}
    assert on_day(values, date(2023, 6, 1))["acknowledgement.full-coverage"]["rate"].value == 0.5  # latest recorded
    assert on_day(values, date(2023, 6, 1), known_at=RECORDED)["acknowledgement.full-coverage"]["rate"].value == 0.9
    assert on_day(values, date(2024, 1, 1))["acknowledgement.full-coverage"]["rate"].value == 0.7


CAMPAIGN_ORG = {
    "code": "school",
    "type": "school",
    "campaigns": [
        {
            "kind": "internal",
            "version": 1,
            "opened_on": "2022-09-01",
            "deadline": "2022-10-01",
            "populations": [
                {"population": "student", "concerned": 100, "acknowledged": 85},
                {"population": "staff", "concerned": 50, "acknowledged": 35},
            ],
        }
    ],
}


def test_the_engine_uses_the_value_of_the_day_and_findings_name_it() -> None:
    case = {"as_of": "2023-03-01", "organisations": [CAMPAIGN_ORG]}
    before = {(f.rule_id, f.key) for f in evaluate(RULES, facts(case))}
    assert ("acknowledgement.minimum-coverage", "internal/v1/student") not in before  # 85 % ≥ 80 %
    assert ("acknowledgement.minimum-coverage", "internal/v1/staff") in before  # 70 % < 80 %
    stricter = _value("acknowledgement.minimum-coverage", "rate", 0.9, date(2023, 1, 1))
    changed = replace(facts(case), parameters=(stricter,))
    (student,) = [
        f
        for f in evaluate(RULES, changed)
        if f.key == "internal/v1/student" and f.rule_id == "acknowledgement.minimum-coverage"
    ]
    assert "parameters" not in student.evidence  # the run stores them once: parameters_shown
    listed = parameters_shown(RULES, changed)["acknowledgement.minimum-coverage"]
    shown = {p["name"]: p for p in listed}
    assert shown["rate"] == {"name": "rate", "value": 0.9, "source": stricter.source, "valid_from": "2023-01-01"}
    assert shown["after_days"]["value"] == 90 and shown["after_days"]["source"]["kind"] == "default"
    assert shown["deadline"]["valid_from"] is None and shown["deadline"]["source"]["kind"] == "plan"
    line = describe(listed, "fr")
    assert line.startswith("seuils : deadline 31/12/2022 (plan « 2022 : Disposer")
    assert "rate 90 % (défaut govkit) depuis le 01/01/2023" in line and "after_days 90 (défaut govkit)" in line
    assert "…" not in line
    assert "thresholds: deadline 2022-12-31 (plan “2022" in describe(listed, "en")


def test_a_deadline_moved_later_makes_the_findings_reminders_again() -> None:
    case = {"as_of": "2023-03-01", "organisations": [CAMPAIGN_ORG]}
    (error,) = [f for f in evaluate(RULES, facts(case)) if f.key == "internal/v1/staff" and f.severity == "error"]
    later = _value("acknowledgement.minimum-coverage", "deadline", "2023-12-31", date(2022, 1, 1))
    (moved,) = [
        f
        for f in evaluate(RULES, replace(facts(case), parameters=(later,)))
        if f.rule_id == error.rule_id and f.key == error.key
    ]
    assert moved.severity == "info" and not moved.overdue


@pytest.mark.parametrize(
    ("rule_id", "name", "value", "message"),
    [
        ("acknowledgement.full-coverage", "rate", 1.5, "Rule acknowledgement.full-coverage, parameter rate: Input"),
        ("acknowledgement.full-coverage", "rate", "high", "parameter rate: Input should be a valid number"),
        ("acknowledgement.full-coverage", "after_days", True, "parameter after_days: Input should be a valid integer"),
        ("acknowledgement.full-coverage", "deadline", "someday", "parameter deadline: give a date"),
        ("acknowledgement.full-coverage", "deadline", "2020-01-01", "is before the rule takes effect"),
        ("acknowledgement.full-coverage", "kinds", ["internal"], "has no parameter 'kinds'"),
        ("commitments.equality-charter", "max_age_years", 3, "has no parameter 'max_age_years'"),
        ("network.referent-meetings", "per_year", 0, "parameter per_year: Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_value_names_the_rule_and_the_parameter(rule_id: str, name: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        checked_value(BY_ID[rule_id], name, value)
    assert message in str(caught.value), str(caught.value)


def test_values_are_stored_as_the_model_reads_them() -> None:
    rule = BY_ID["acknowledgement.full-coverage"]
    assert checked_value(rule, "rate", 1) == 1.0
    assert checked_value(rule, "deadline", "2023-06-30") == "2023-06-30"
    assert checked_source({"law": "Code de l'éducation", "article": "L. 811-1"}, seed_text()).kind == "law"
    with pytest.raises(InvalidInput, match="not found in the action plan"):
        checked_source({"plan": "Tout le monde est formé chaque semaine."}, seed_text())


# --- a change from day D never changes the findings of the days before D --------------------------


def _changes(rule: Rule) -> st.SearchStrategy[tuple[str, Any]]:
    """A valid new value of one of ``rule``'s parameters."""
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "deadline": st.dates(min_value=rule.effective, max_value=date(2025, 12, 31)).map(date.isoformat),
        "rate": st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 2)),
        "after_days": st.integers(0, 365),
        "per_year": st.integers(1, 52),
        "populations": st.lists(st.sampled_from([p.value for p in Population]), min_size=1, max_size=3, unique=True),
        "max_age_years": st.integers(1, 20),
    }
    names = [n for n in rule.parameter_names if n in strategies]
    return st.sampled_from(names).flatmap(lambda n: strategies[n].map(lambda v: (n, v)))


CHANGEABLE = [r for r in RULES if any(n in r.parameter_names for n in ("deadline", "rate", "after_days", "per_year"))]
changes = st.sampled_from(CHANGEABLE).flatmap(lambda r: _changes(r).map(lambda c: (r, *c)))


def _evaluated(case: dict[str, Any], day: date, parameters: tuple[ParameterValue, ...] = ()) -> list[Any]:
    return evaluate(RULES, replace(facts(case, day), parameters=parameters))


@settings(max_examples=40, deadline=None)
@given(
    organisations.map(lambda orgs: [*orgs, CAMPAIGN_ORG]),
    st.lists(changes, min_size=1, max_size=3),
    st.dates(min_value=date(2021, 3, 1), max_value=date(2024, 6, 1)),
)
def test_a_change_from_a_day_never_changes_the_findings_before_it(
    orgs: list[dict[str, Any]], picked: list[tuple[Rule, str, Any]], valid_from: date
) -> None:
    case = {"as_of": valid_from.isoformat(), "organisations": orgs}
    recorded = tuple(
        ParameterValue(
            rule.id, name, checked_value(rule, name, value), valid_from, {"kind": "default", "text": "t"}, RECORDED
        )
        for rule, name, value in picked
    )
    for day in (valid_from - timedelta(days=1), valid_from - timedelta(days=200)):
        assert _evaluated(case, day, recorded) == _evaluated(case, day)
    # from that day on, a changed rule's parameters name the value recorded
    changed = {(rule.id, name) for rule, name, _value in picked}
    later = replace(facts(case, valid_from + timedelta(days=30)), parameters=recorded)
    for rule_id, listed in parameters_shown(RULES, later).items():
        for shown in listed:
            if (rule_id, shown["name"]) in changed:
                assert shown["valid_from"] == valid_from.isoformat()
