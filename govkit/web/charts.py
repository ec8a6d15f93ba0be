"""Charts as server-generated SVG (no script, readable by screen readers through their title and table)."""

from __future__ import annotations

from html import escape


def bars(title: str, rows: list[tuple[str, float]], *, width: int = 560) -> str:
    """Horizontal bars of proportions (0..1), with the values written beside them."""
    height = 26 * len(rows) + 30
    label_width = 190
    scale = width - label_width - 60
    parts = [
        f'<svg role="img" aria-labelledby="svg-{abs(hash(title))}" width="100%" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="svg-{abs(hash(title))}">{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(rows):
        y = 10 + 26 * index
        share = max(0.0, min(1.0, value))
        parts.append(f'<text x="0" y="{y + 14}">{escape(label[:30])}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{scale}" height="18" fill="#e6e9ef"/>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{share * scale:.1f}" height="18" fill="#1f3a5f"/>')
        parts.append(f'<text x="{label_width + scale + 6}" y="{y + 14}">{value * 100:.0f} %</text>')
    parts.append("</svg>")
    return "".join(parts)


def paired_bars(title: str, rows: list[tuple[str, float | None, float | None]], labels: tuple[str, str]) -> str:
    """Two bars per indicator: the school and the group."""
    width, label_width = 640, 260
    scale = width - label_width - 60
    height = 40 * len(rows) + 40
    ident = f"svg-{abs(hash(title))}"
    parts = [
        f'<svg role="img" aria-labelledby="{ident}" width="100%" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}">{escape(title)}</title>',
        f'<rect x="{label_width}" y="4" width="12" height="10" fill="#1f3a5f"/><text x="{label_width + 16}" y="13">'
        f"{escape(labels[0])}</text>",
        f'<rect x="{label_width + 160}" y="4" width="12" height="10" fill="#b0bec5"/><text x="{label_width + 176}" '
        f'y="13">{escape(labels[1])}</text>',
    ]
    for index, (label, school, group) in enumerate(rows):
        y = 24 + 40 * index
        parts.append(f'<text x="0" y="{y + 16}">{escape(label[:40])}</text>')
        for offset, value, colour in ((0, school, "#1f3a5f"), (18, group, "#b0bec5")):
            shown = "—" if value is None else f"{value * 100:.0f} %"
            share = 0.0 if value is None else max(0.0, min(1.0, value))
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{share * scale:.1f}" height="14" fill="{colour}"/>'
            )
            parts.append(f'<text x="{label_width + share * scale + 4:.1f}" y="{y + offset + 12}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rate_over_time(title: str, points: list[tuple[str, float]], *, width: int = 560, height: int = 160) -> str:
    """A line of the acknowledgement rate (0..1) by day, with each point's value in its title."""
    ident = f"svg-{abs(hash(title))}"
    left, bottom, top = 40, height - 24, 10
    span = max(len(points) - 1, 1)
    xs = [left + (width - left - 10) * i / span for i in range(len(points))]
    ys = [bottom - (bottom - top) * max(0.0, min(1.0, v)) for _d, v in points]
    parts = [
        f'<svg role="img" aria-labelledby="{ident}" width="100%" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}">{escape(title)}</title>',
        f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#4a4a4a"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#4a4a4a"/>',
        f'<text x="0" y="{top + 8}">100 %</text><text x="10" y="{bottom}">0 %</text>',
    ]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f3a5f" stroke-width="2"/>')
        for x, y, (day, value) in zip(xs, ys, points, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f3a5f"><title>{escape(day)} : '
                f"{value * 100:.0f} %</title></circle>"
            )
        parts.append(f'<text x="{left}" y="{height - 6}">{escape(points[0][0])}</text>')
        parts.append(f'<text x="{width - 90}" y="{height - 6}">{escape(points[-1][0])}</text>')
    parts.append("</svg>")
    return "".join(parts)
