"""YAML cases: facts → the findings expected, for the real rules (pure: no database).

A case gives the facts as recorded, with their valid time, and the findings expected either on one
day (``as_of`` and ``expected``) or on several (``at``: a list of ``{as_of, expected}``): the same
facts judged on each day (tests/rule_facts.py keeps what is in effect then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.rules.engine import evaluate
from govkit.rules.loader import load_rules
from tests.rule_facts import facts

CASES = sorted((Path(__file__).resolve().parents[1] / "rules_cases").glob("*.yaml"))
RULES = {r.id: r for r in load_rules().rules}


def _days(case: dict[str, Any]) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Each day of a case with the findings expected on it."""
    if "at" in case:
        return [(at["as_of"], at["expected"]) for at in case["at"]]
    return [(case["as_of"], case["expected"])]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    selected = [RULES[i] for i in case["rules"]]
    for day, expected_findings in _days(case):
        found = {(f.rule_id, f.organisation, f.key, f.severity) for f in evaluate(selected, facts(case, day))}
        expected = {(e["rule"], e["organisation"], e["key"], e["severity"]) for e in expected_findings}
        assert found == expected, (
            f"{case['description']} (as of {day}): missing {expected - found}, unexpected {found - expected}"
        )


def test_cases_cover_every_rule_kind_and_several_dates() -> None:
    cases = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in CASES]
    used = {RULES[i].kind for case in cases for i in case["rules"]}
    assert used == {r.kind for r in RULES.values()}
    assert any(len(_days(case)) >= 3 for case in cases), "a case judges the same facts on several days"
