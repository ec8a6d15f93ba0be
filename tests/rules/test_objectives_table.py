"""govkit/rules/catalogue/README.md lists every objective of the plan with the rules that encode it:
every rule of the catalogue is named there, and every rule it names exists (pure: no database)."""

from __future__ import annotations

import re

from govkit.rules.loader import RULES_DIR, load_rules

README = RULES_DIR / "README.md"
START, END = "## Every objective of the plan", "## Expected findings on the demo"


def _table() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(START) : text.index(END)]


def test_every_rule_is_in_the_objectives_table_and_every_id_there_exists() -> None:
    ids = {rule.id for rule in load_rules().rules}
    named = set(re.findall(r"`([a-z0-9]+(?:\.[a-z0-9-]+)+)`", _table())) - {
        f"{name}.yaml" for name in ("acknowledgement", "commitments", "documents", "listening", "training")
    }
    assert ids - named == set(), "rules missing from the objectives table"
    assert named - ids == set(), "the objectives table names rules that do not exist"


def test_each_axe_has_its_table_and_every_row_says_how_or_why_not() -> None:
    table = _table()
    for axe in range(1, 6):
        assert f"### Axe {axe} " in table
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| item")]
    assert len(rows) > 60
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if set("".join(cells)) <= {"-"}:
            continue
        item, encoded, why = cells
        assert item and (encoded != "—" or why), row  # not encoded: says why
