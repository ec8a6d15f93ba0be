"""The schools' day: govkit says days in Europe/Paris whatever the server's time zone.

A source scan fails on any way of taking "today" or a moment's day from the server's clock or in UTC
(``date.today()``, ``datetime.now()`` without a zone, ``datetime.utcnow()``, ``utcnow().date()``);
they go through govkit.days. Properties check paris_day against the zone database on both
sides of the daylight-saving changes.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.days import paris_day

ROOT = Path(__file__).resolve().parents[2] / "govkit"
ALLOWED = {ROOT / "days.py"}


def _offences(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner, attr = node.func.value, node.func.attr
        name = owner.id if isinstance(owner, ast.Name) else None
        if name == "date" and attr == "today":
            found.append((node.lineno, "date.today()"))
        elif name == "datetime" and attr in ("today", "utcnow"):
            found.append((node.lineno, f"datetime.{attr}()"))
        elif name == "datetime" and attr == "now" and not node.args and not node.keywords:
            found.append((node.lineno, "datetime.now() without a zone"))
        elif attr == "date" and not node.args and isinstance(owner, ast.Call):
            inner = owner.func
            called = inner.id if isinstance(inner, ast.Name) else inner.attr if isinstance(inner, ast.Attribute) else ""
            if called in ("utcnow", "now"):
                found.append((node.lineno, f"{called}().date()"))
    return found


def test_no_day_is_taken_from_the_server_clock_or_in_utc() -> None:
    offences = [
        f"{path.relative_to(ROOT.parent)}:{line}: {what}"
        for path in sorted(ROOT.rglob("*.py"))
        if path not in ALLOWED
        for line, what in _offences(ast.parse(path.read_text(), str(path)))
    ]
    assert offences == [], "use govkit.days (utc_today, paris_day):\n" + "\n".join(offences)


def test_the_scan_finds_each_form() -> None:
    source = "date.today()\ndatetime.now()\ndatetime.utcnow()\nutcnow().date()\ndatetime.now(UTC).date()\n"
    assert [line for line, _ in _offences(ast.parse(source))] == [1, 2, 3, 4, 5]
    assert _offences(ast.parse("datetime.now(PARIS)\npublished.date()\n")) == []


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_paris_day_is_the_day_on_a_paris_clock(naive_utc: datetime) -> None:
    aware = naive_utc.replace(tzinfo=UTC)
    expected = aware.astimezone(ZoneInfo("Europe/Paris")).date()
    assert paris_day(naive_utc) == paris_day(aware) == expected  # naive is read as UTC
    assert expected - naive_utc.date() in (timedelta(0), timedelta(days=1))  # Paris is never behind


def test_late_evening_utc_is_the_next_day_in_paris() -> None:
    assert paris_day(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == date(2026, 12, 7)  # UTC+1
    assert paris_day(datetime(2026, 7, 6, 22, 30, tzinfo=UTC)) == date(2026, 7, 7)  # UTC+2
    assert paris_day(datetime(2026, 7, 6, 21, 59, tzinfo=UTC)) == date(2026, 7, 6)
