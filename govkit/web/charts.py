"""Charts as server-generated SVG (no script, readable by screen readers through their title and table).

They are drawn for a phone: 340 units wide, each label on its own line(s) above its bars, in 13-unit
text, so that at 360 px the text is about 13 px; on a wide screen the CSS caps their width
(govkit.css ``svg.chart``), so the text stays near 16 px. Long labels wrap, they are never cut.
"""

from __future__ import annotations

import textwrap
from html import escape

WIDTH = 340
#: Characters per label line (13-unit Liberation Sans averages under 7 units a character).
LINE = 44
LINE_HEIGHT = 16
VALUE_ROOM = 46  # room on the right of the bars for « 100 % »
SCHOOL, GROUP, EMPTY = "#1f3a5f", "#8a9aa6", "#e6e9ef"


def _ident(title: str) -> str:
    return f"svg-{abs(hash(title))}"


def _open(title: str, height: float) -> str:
    ident = _ident(title)
    return (
        f'<svg class="chart" role="img" aria-labelledby="{ident}" width="100%" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}">{escape(title)}</title>'
    )


def _label(text: str, y: float) -> tuple[list[str], float]:
    """The label's lines from ``y`` (its first baseline), and the y below it."""
    lines = textwrap.wrap(text, LINE) or [""]
    parts = [
        f'<text class="chart-label" x="0" y="{y + LINE_HEIGHT * i:.0f}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]
    return parts, y + LINE_HEIGHT * (len(lines) - 1) + 6


def _bar(y: float, value: float | None, colour: str, height: int = 12) -> list[str]:
    """One bar of a proportion (0..1) from the left, its track, and its value on the right."""
    scale = WIDTH - VALUE_ROOM
    shown = "—" if value is None else f"{value * 100:.0f} %"
    share = 0.0 if value is None else max(0.0, min(1.0, value))
    return [
        f'<rect x="0" y="{y:.0f}" width="{scale}" height="{height}" fill="{EMPTY}"/>',
        f'<rect x="0" y="{y:.0f}" width="{share * scale:.1f}" height="{height}" fill="{colour}"/>',
        f'<text class="chart-label" x="{scale + 6}" y="{y + height - 1:.0f}">{shown}</text>',
    ]


def bars(title: str, rows: list[tuple[str, float]]) -> str:
    """Horizontal bars of proportions (0..1), each under its label, with the values written beside them."""
    parts: list[str] = []
    y = 14.0
    for label, value in rows:
        lines, y = _label(label, y)
        parts += lines
        parts += _bar(y, value, SCHOOL)
        y += 12 + 22
    return _open(title, y - 14) + "".join(parts) + "</svg>"


def paired_bars(title: str, rows: list[tuple[str, float | None, float | None]], labels: tuple[str, str]) -> str:
    """Two bars per indicator, under its label: the school and the group (a legend on top)."""
    parts = [
        f'<rect x="0" y="3" width="12" height="12" fill="{SCHOOL}"/>'
        f'<text class="chart-label" x="16" y="14">{escape(labels[0])}</text>',
        f'<rect x="{WIDTH // 2}" y="3" width="12" height="12" fill="{GROUP}"/>'
        f'<text class="chart-label" x="{WIDTH // 2 + 16}" y="14">{escape(labels[1])}</text>',
    ]
    y = 40.0
    for label, school, group in rows:
        lines, y = _label(label, y)
        parts += lines
        parts += _bar(y, school, SCHOOL)
        parts += _bar(y + 14, group, GROUP)
        y += 26 + 22
    return _open(title, y - 14) + "".join(parts) + "</svg>"
