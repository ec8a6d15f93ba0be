"""The tables of `govkit check` and `govkit barometer`, readable from 80 columns up.

Identifiers are never cut: rule ids and school codes are printed whole (no ellipsis), and the
long texts wrap instead. A finding is one row whose cell holds its rule, its message and its
source on their own lines; the barometer's schools are spread over as many tables as the
width needs, each with the indicators' labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from govkit.rules.parameters import describe

SEVERITY_STYLES = {"error": "red", "warning": "yellow", "info": "blue"}


def findings_table(code: str, findings: Sequence[Any], language: str) -> Table:
    """The open findings of one organisation (``code``), in ``language`` (fr or en)."""
    table = Table(title=code, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, expand=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("rule · finding · source", ratio=1, overflow="fold")
    for finding in findings:
        record = finding.record
        severity = Text(record.severity, style=SEVERITY_STYLES.get(record.severity, ""))
        if finding.waived:
            severity.append("\n(waived)")
        message = record.message_fr if language == "fr" else record.message_en
        cell = Text(record.rule_id, style="bold")
        cell.append(f"\n{message}")
        if record.source:
            cell.append(f"\n{record.source}", style="dim")
        thresholds = describe(finding.parameters, language)  # its rule's, stored once with the run
        if thresholds:  # each threshold's value and source: the plan's, a law's, or govkit's default
            cell.append(f"\n{thresholds}", style="dim italic")
        table.add_row(severity, cell)
    return table


#: The indicator's label column never gets narrower than this.
LABEL_WIDTH = 30
#: What a table's borders and a column's padding take (rich's heavy-head box, padding 1).
_TABLE_EDGES, _COLUMN_EDGES = 1, 3


def barometer_tables(data: Any, year: int, indicators: Sequence[Any], width: int) -> list[Table]:
    """The barometer's indicators (rows) by school (columns), the group last, split into as many
    tables as ``width`` needs so that every school code is shown whole."""
    rows = [*data.schools, data.group]
    chunks: list[list[Any]] = [[]]
    used = _TABLE_EDGES + LABEL_WIDTH + _COLUMN_EDGES
    for row in rows:
        needed = max(len(row.organisation), 4) + _COLUMN_EDGES
        if chunks[-1] and used + needed > width:
            chunks.append([])
            used = _TABLE_EDGES + LABEL_WIDTH + _COLUMN_EDGES
        chunks[-1].append(row)
        used += needed
    title = f"Baromètre {year} (au {data.as_of})"
    tables = []
    for number, chunk in enumerate(chunks, start=1):
        part = f" — {number}/{len(chunks)}" if len(chunks) > 1 else ""
        table = Table(title=title + part, expand=True)
        table.add_column("indicateur", ratio=1, min_width=LABEL_WIDTH - 2, overflow="fold")
        for row in chunk:
            table.add_column(row.organisation, justify="right", no_wrap=True)
        for indicator in indicators:
            table.add_row(
                f"A{indicator.axe} {indicator.label_fr}",
                *(_shown(r.values.get(indicator.id), indicator.unit, r is data.group) for r in chunk),
            )
        tables.append(table)
    return tables


def _shown(value: float | None, unit: str, group: bool) -> str:
    if value is None:
        return "—"
    if unit == "yes/no" and not group:
        return "oui" if value else "non"
    return f"{value:.0%}"
