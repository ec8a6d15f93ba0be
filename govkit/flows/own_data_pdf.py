"""One's own data (govkit.flows.data_protection) as a readable PDF/A-2b document, written in-process
with fpdf2 and the receipts' font (govkit.proof.pdf_text), as the receipts and evidence files are:
a heading per section, then its data as two-column rows (what, value), nested data named by its
path. The words (headings, labels, values of vocabularies) are the caller's, in the page's language.

    own_data_pdf(data, words, fonts)   # bytes (not sealed: a copy for the person, not evidence)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import TTFFont

from govkit.proof.fonts import ReceiptFonts
from govkit.proof.pdf_text import cut, new_pdfa, style, write

__all__ = ["OwnDataWords", "own_data_pdf"]

LABEL_W = 62.0
LINE = 4.3


@dataclass(frozen=True)
class OwnDataWords:
    """What the document says, in one language."""

    language: str
    title: str
    intro: str
    exported: str  # "Exported on"
    nothing: str
    heading: Callable[[str], str]  # a section's key → its heading
    label: Callable[[str], str]  # a data key → its words
    value: Callable[[str, str, str], tuple[str, bool]]  # (section, key, value) → its words
    yes_no: tuple[str, str]


def _scalar(words: OwnDataWords, section: str, key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return words.yes_no[0] if value else words.yes_no[1]
    if isinstance(value, str):
        return words.value(section, key, value)[0]
    return str(value)


def rows(words: OwnDataWords, section: str, value: Any, path: str = "", key: str = "") -> Iterator[tuple[str, str]]:
    """The (label, value) rows of a section's data, nested data named by its path."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            said = words.label(name)
            yield from rows(words, section, item, f"{path} › {said}" if path else said, name)
    elif isinstance(value, list):
        if not value:
            if path:
                yield path, words.nothing
        elif all(not isinstance(item, Mapping | list) for item in value):
            yield path or "—", ", ".join(_scalar(words, section, key, v) for v in value)
        else:
            for number, item in enumerate(value, start=1):
                yield from rows(words, section, item, f"{path} {number}".strip() if path else f"{number}", key)
    else:
        yield path or "—", _scalar(words, section, key, value)


def _printable(pdf: FPDF, text: str) -> str:
    """``text`` with what the font cannot draw (and control characters) as "?"."""
    font = pdf.current_font
    assert isinstance(font, TTFFont)
    known = font.cw
    return "".join(c if c == "\n" or (c.isprintable() and ord(c) in known) else "?" for c in text)


def _room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def _heading(pdf: FPDF, text: str) -> None:
    style(pdf, 13)
    lines = cut(pdf, _printable(pdf, text), pdf.epw)
    _room(pdf, len(lines) * 6.5 + 10)
    pdf.ln(3)
    write(pdf, pdf.l_margin, lines, 6.5)
    pdf.ln(1)


def _table(pdf: FPDF, found: list[tuple[str, str]]) -> None:
    value_x = pdf.l_margin + LABEL_W + 2
    value_w = pdf.w - pdf.r_margin - value_x
    pdf.set_draw_color(200, 200, 200)
    for label, value in found:
        style(pdf, 8.6, grey=40)
        labels = cut(pdf, _printable(pdf, label), LABEL_W)
        style(pdf, 9)
        values = cut(pdf, _printable(pdf, value), value_w)
        height = max(len(labels), len(values)) * LINE + 1.6
        _room(pdf, height)
        top = pdf.get_y()
        pdf.line(pdf.l_margin, top, pdf.w - pdf.r_margin, top)
        pdf.set_y(top + 0.8)
        style(pdf, 8.6, grey=40)
        write(pdf, pdf.l_margin, labels, LINE)
        pdf.set_y(top + 0.8)
        style(pdf, 9)
        write(pdf, value_x, values, LINE)
        pdf.set_y(top + height)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def own_data_pdf(data: Mapping[str, Any], words: OwnDataWords, fonts: ReceiptFonts) -> bytes:
    """``data`` (govkit.flows.data_protection.gather) as a PDF/A in ``words.language``."""
    sections = [(key, words.heading(key), list(rows(words, key, value))) for key, value in data["sections"].items()]
    text = " ".join([words.title, words.intro, *(h for _k, h, _r in sections)])
    text += " ".join(f"{a} {b}" for _k, _h, found in sections for a, b in found)
    made = datetime.fromisoformat(data["exported_at"])
    pdf = new_pdfa(words.title, made, fonts, text, language=words.language)
    pdf.add_page()
    style(pdf, 16)
    write(pdf, pdf.l_margin, cut(pdf, _printable(pdf, words.title), pdf.epw), 8)
    style(pdf, 9.5)
    write(pdf, pdf.l_margin, cut(pdf, _printable(pdf, words.intro), pdf.epw), 4.5)
    write(pdf, pdf.l_margin, [_printable(pdf, f"{words.exported} {data['exported_at']}")], 4.5)
    for _key, heading, found in sections:
        _heading(pdf, heading)
        if found:
            _table(pdf, found)
        else:
            style(pdf, 9.5)
            write(pdf, pdf.l_margin, [words.nothing], 4.5)
    return bytes(pdf.output())
