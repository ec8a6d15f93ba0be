"""Properties of the rules engine and precise errors of the rule loader (pure)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from govkit.documents.kinds import catalogue
from govkit.errors import InvalidInput
from govkit.rules.engine import evaluate
from govkit.rules.facts import Facts
from govkit.rules.loader import RULES_DIR, load_rules
from tests.rule_facts import facts

RULES = load_rules().rules
KINDS = ["internal", "study", "housing", "equality_annex"]
COMMITMENTS = ["equality_charter", "equality_referent", "vss_action_plan", "listening_cell", "reporting_channel"]

organisations = st.lists(
    st.fixed_dictionaries(
        {
            "code": st.from_regex(r"\A[a-z]{3,8}\Z"),
            "type": st.sampled_from(["school", "school", "head_office"]),
            "profile": st.fixed_dictionaries(
                {"official_name": st.just("X"), "short_name": st.just("X")},
                optional={
                    "reporting_channel": st.fixed_dictionaries(
                        {"kind": st.just("platform"), "anonymous": st.booleans()}
                    )
                },
            ),
            "commitments": st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(COMMITMENTS),
                        "status": st.sampled_from(["planned", "in_place", "lapsed"]),
                        "title": st.sampled_from(["A", "B"]),
                        "effective_on": st.dates(
                            min_value=__import__("datetime").date(2018, 1, 1),
                            max_value=__import__("datetime").date(2023, 1, 1),
                        ),
                    }
                ),
                max_size=6,
            ),
            "documents": st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(KINDS),
                        "language": st.sampled_from(["fr", "en"]),
                        "number": st.integers(1, 3),
                        "effective_from": st.just("2022-09-01"),
                        "published_at": st.just("2022-08-01T00:00:00Z"),
                        "clauses": st.sampled_from(
                            ["required", "required - vss.reporting", "required - acknowledgement"]
                        ),
                    }
                ),
                max_size=6,
                unique_by=lambda d: (d["kind"], d["language"], d["number"]),  # a version number is unique
            ),
        }
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda o: o["code"],
)


def _recorded_once(orgs: list[dict]) -> list[dict]:
    """Each commitment with the id of its record (recorded in the order drawn): reordering the lists
    reorders the facts, not the history (of two records of one type and title valid from the same
    day, the later recorded wins, in load_facts as in tests.rule_facts)."""
    ids = iter(range(1, 1_000_000))
    return [dict(o, commitments=[dict(c, id=next(ids)) for c in o["commitments"]]) for o in orgs]


cases = st.builds(
    lambda orgs, day: {"as_of": day, "organisations": _recorded_once(orgs)},
    organisations,
    st.sampled_from(["2021-06-01", "2022-03-01", "2023-09-01"]),
)


def _charter(record_id: int, status: str) -> dict:
    return {"id": record_id, "type": "equality_charter", "status": status, "title": "A", "effective_on": "2018-01-01"}


@settings(max_examples=80, deadline=None)
@given(cases, st.randoms())
# found with more examples: two records of one commitment valid from the same day, the later one
# (in place) winning; listed the other way round, the earlier one (planned) won, by list position
@example(
    {
        "as_of": "2021-06-01",
        "organisations": [
            {
                "code": "aaa",
                "type": "school",
                "profile": {"official_name": "X", "short_name": "X"},
                "commitments": [_charter(1, "planned"), _charter(2, "in_place")],
                "documents": [],
            }
        ],
    },
    random.Random(0),  # lists the two records the other way round
)
def test_findings_are_deterministic_and_ignore_the_order_of_facts(case: dict, shuffler: random.Random) -> None:
    first = evaluate(RULES, facts(case))
    assert evaluate(RULES, facts(case)) == first
    shuffled = dict(
        case,
        organisations=[
            dict(
                o,
                commitments=shuffler.sample(o["commitments"], len(o["commitments"])),
                documents=shuffler.sample(o["documents"], len(o["documents"])),
            )
            for o in shuffler.sample(case["organisations"], len(case["organisations"]))
        ],
    )
    assert evaluate(RULES, facts(shuffled)) == first


@settings(max_examples=80, deadline=None)
@given(cases, st.data())
def test_adding_a_required_clause_never_adds_a_missing_clause_finding(case: dict, data: st.DataObject) -> None:
    before = facts(case)
    org_index = data.draw(st.integers(0, len(before.organisations) - 1))
    org = before.organisations[org_index]
    if not org.documents:
        return
    doc_index = data.draw(st.integers(0, len(org.documents) - 1))
    document = org.documents[doc_index]
    missing = [c for c in catalogue().kind(document.kind).required_clauses if c not in document.clauses]
    if not missing:
        return
    completed = dataclasses.replace(document, clauses=(*document.clauses, data.draw(st.sampled_from(missing))))
    documents = tuple(completed if i == doc_index else d for i, d in enumerate(org.documents))
    organisations = tuple(
        dataclasses.replace(o, documents=documents) if i == org_index else o for i, o in enumerate(before.organisations)
    )
    after = Facts(as_of=before.as_of, organisations=organisations)

    def clause_findings(f: Facts) -> set[tuple[str, str, str]]:
        return {(x.rule_id, x.organisation, x.key) for x in evaluate(RULES, f) if x.evidence.get("clause")}

    assert clause_findings(after) <= clause_findings(before)


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    return tmp_path


RULE = """rules:
  - id: test.rule
    title: {fr: "Une règle", en: "A rule"}
    source: {axe: 1, objective: "Objectif", quote: "Les référents égalité FH se réunissent au moins deux fois par an."}
    severity: error
    effective: 2021-01-01
    kind: KIND
    params: PARAMS
"""


@pytest.mark.parametrize(
    ("kind", "params", "extra", "message"),
    [
        ("require_nothing", "{}", "", "rules.yaml: test.rule: kind: unknown kind 'require_nothing'"),
        ("require_commitment", "{type: equality_charter, colour: red}", "", "test.rule: params.colour: Extra inputs"),
        ("require_commitment", "{type: world_peace}", "", "test.rule: params.type: Input should be"),
        (
            "min_acknowledgement_rate",
            "{rate: 1.5, after_days: 30}",
            "",
            "params.rate: Input should be less than or equal to 1",
        ),
        ("require_clauses", "{kinds: [treaty]}", "", "params.kinds: unknown document kind 'treaty'"),
        ("require_clauses", "{kinds: [internal], clauses: [vss.unicorn]}", "", "unknown clause 'vss.unicorn'"),
        (
            "require_commitment",
            "{type: equality_charter}",
            '    when: "profile.housing.has_residences =="\n',
            "test.rule: when: invalid CEL expression",
        ),
        (
            "require_commitment",
            "{type: equality_charter}",
            '    when: "secret.value == 1"\n',
            "unknown CEL variable(s) secret",
        ),
        (
            "require_commitment",
            "{type: equality_charter}",
            "    deadline: 2020-01-01\n",
            "deadline: is before the effective date",
        ),
    ],
)
def test_loader_names_file_rule_and_field(tmp_path: Path, kind: str, params: str, extra: str, message: str) -> None:
    directory = _write(tmp_path, RULE.replace("KIND", kind).replace("PARAMS", params) + extra)
    with pytest.raises(InvalidInput) as caught:
        load_rules(directory)
    assert any(message in f"{p.path}: {p.message}" for p in caught.value.problems), caught.value.problems


def test_a_quote_must_come_from_the_seed(tmp_path: Path) -> None:
    text = RULE.replace("KIND", "require_commitment").replace("PARAMS", "{type: equality_charter}")
    text = text.replace("se réunissent au moins deux fois par an", "se réunissent chaque semaine")
    with pytest.raises(InvalidInput) as caught:
        load_rules(_write(tmp_path, text))
    assert [f"{p.path}: {p.message}" for p in caught.value.problems] == [
        "rules.yaml: test.rule: source.quote: not found in the action plan"
    ]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    text = RULE.replace("KIND", "require_commitment").replace("PARAMS", "{type: equality_charter}")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_rules(tmp_path)
    assert caught.value.problems[0].message == "already defined in a.yaml"


def test_the_shipped_rules_load_and_cite_the_seed() -> None:
    rules = load_rules(RULES_DIR).rules
    assert len(rules) >= 20
    assert {r.source.axe for r in rules} == {1, 2, 3, 4, 5}
