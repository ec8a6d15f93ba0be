"""The findings a careful reader expects on the demo, written down with their reasons in
govkit/rules/catalogue/README.md (« Expected findings on the demo »), against the engine's.

Each row of that section's tables is ``| schools | rule | key | severity | why |``: schools are
codes in backticks, or ``all schools``; ``{year}`` in a key stands for the academic year in progress
on the day evaluated (its start year). The engine runs on the demo database (tests/conftest.py) as
``govkit check`` does today.
"""

from __future__ import annotations

import re
from datetime import date

from govkit.access.roles import SYSTEM
from govkit.days import utc_today
from govkit.db import Database
from govkit.rules.loader import RULES_DIR
from govkit.rules.service import findings
from govkit.seed import normalise, seed_text

README = RULES_DIR / "README.md"
SECTION = "## Expected findings on the demo"
SCHOOLS = (
    "imt-atlantique",
    "imt-lille-douai",
    "imt-mines-albi",
    "imt-mines-ales",
    "imt-bs",
    "telecom-sudparis",
    "mines-saint-etienne",
    "telecom-paris",
)
Row = tuple[str, str, str, str]  # rule, organisation, key, severity


def academic_year(day: date) -> int:
    """The start year of the academic year (1 September – 31 August) holding ``day``."""
    return day.year if day.month >= 9 else day.year - 1


def _section() -> list[str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start + 1 : end]


def _rows() -> list[list[str]]:
    """The cells of each table row of the section (header and separator rows left out)."""
    rows = []
    for line in _section():
        if not line.startswith("| ") or line.startswith("| schools") or set(line) <= {"|", "-", " "}:
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def expected(day: date) -> set[Row]:
    found: set[Row] = set()
    for schools, rule, cell, severity, _why in _rows():
        codes = SCHOOLS if schools == "all schools" else tuple(re.findall(r"`([a-z0-9-]+)`", schools))
        assert codes, schools
        key = cell.strip("`").replace("{year}", str(academic_year(day)))
        for code in codes:
            row = (rule.strip("`"), code, key, severity)
            assert row not in found, f"twice in the README: {row}"
            found.add(row)
    return found


def test_the_readme_gives_a_reason_and_real_quotes_for_each_expected_finding() -> None:
    seed = seed_text()
    rows = _rows()
    assert len(rows) >= 20
    for cells in rows:
        assert len(cells) == 5, cells
        why = cells[4]
        assert len(why) > 20, cells
        for quote in re.findall(r"« ([^»]+?) »", why):
            assert normalise(quote) in seed, quote


def test_the_engine_finds_on_the_demo_what_the_readme_expects(db: Database) -> None:
    today = utc_today()
    found = {
        (f.record.rule_id, f.organisation, f.record.key, f.record.severity)
        for f in findings(db=db, actor=SYSTEM, as_of=today)
    }
    wanted = expected(today)
    assert found == wanted, (
        f"found but not expected: {sorted(found - wanted)}; expected but not found: {sorted(wanted - found)}"
    )
