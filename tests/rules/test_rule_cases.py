"""YAML cases: facts → the findings expected, for the real rules (pure: no database)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govkit.rules.engine import evaluate
from govkit.rules.loader import load_rules
from tests.rule_facts import facts

CASES = sorted((Path(__file__).resolve().parents[1] / "rules_cases").glob("*.yaml"))
RULES = {r.id: r for r in load_rules().rules}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    selected = [RULES[i] for i in case["rules"]]
    found = {(f.rule_id, f.organisation, f.key, f.severity) for f in evaluate(selected, facts(case))}
    expected = {(e["rule"], e["organisation"], e["key"], e["severity"]) for e in case["expected"]}
    assert found == expected, f"{case['description']}: missing {expected - found}, unexpected {found - expected}"


def test_cases_cover_every_rule_kind() -> None:
    used = {RULES[i].kind for path in CASES for i in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]}
    assert used == {r.kind for r in RULES.values()}
