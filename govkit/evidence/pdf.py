"""An evidence file's layout (govkit.evidence.layout) as a sealed PDF/A-2b document: the same blocks
as the Word document (govkit.evidence.document), written with govkit.proof.pdf_text, then sealed
by govkit's sealing identity (PAdES, time-stamped when a TSA is configured).

    evidence_pdf(data, "fr", sealer)     # bytes; the PDF says whether it is sealed, and by whom
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fpdf import FPDF

from govkit.db import utcnow
from govkit.evidence.layout import Heading, Layout, Paragraph, Table, layout
from govkit.proof.pdf_text import MM_TO_PT, cut, new_pdfa, style, write

if TYPE_CHECKING:
    from govkit.proof.sealer import Sealer

__all__ = ["PDF_MEDIA_TYPE", "evidence_pdf", "render_pdf"]

PDF_MEDIA_TYPE = "application/pdf"
LABEL_W = 62.0
SEAL_W, SEAL_H = 130.0, 14.0
#: Sizes (pt) and greys of the paragraphs' styles.
STYLES = {"normal": (9.5, 0), "strong": (10.5, 0), "emphasis": (9.2, 90), "small": (7.2, 70)}


def render_pdf(page: Layout, sealer: Sealer) -> tuple[bytes, int, tuple[int, int, int, int]]:
    """The layout as an unsealed PDF/A, and where its seal goes (page index, box in points)."""
    text = " ".join(_texts(page)) + (sealer.sealer_name or "")
    pdf = new_pdfa(page.title, utcnow(), sealer.fonts, text, language=page.language)
    pdf.add_page()
    style(pdf, 16)
    write(pdf, pdf.l_margin, cut(pdf, page.title, pdf.epw), 8)
    pdf.ln(2)
    for block in page.blocks:
        if isinstance(block, Heading):
            _heading(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        else:
            _paragraph(pdf, block)
    return _seal_box(pdf, sealer, page.language)


def evidence_pdf(data: dict[str, Any], language: str, sealer: Sealer) -> bytes:
    """The evidence file ``data`` (govkit.evidence.export.to_json) as a sealed PDF in ``language``."""
    pdf, seal_page, box = render_pdf(layout(data, language), sealer)
    return sealer.seal(pdf, page=seal_page, box=box).pdf


def _texts(page: Layout) -> list[str]:
    found = [page.title]
    for block in page.blocks:
        if isinstance(block, Table):
            found += [part for row in block.rows for part in row]
        else:
            found.append(block.text)
    return found


def _room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def _heading(pdf: FPDF, block: Heading) -> None:
    size = 13.0 if block.level == 1 else 11.0
    style(pdf, size)
    lines = cut(pdf, block.text, pdf.epw)
    _room(pdf, len(lines) * size * 0.5 + 8)
    pdf.ln(3 if block.level == 1 else 2)
    write(pdf, pdf.l_margin, lines, size * 0.5)
    pdf.ln(1)


def _table(pdf: FPDF, block: Table) -> None:
    line = 4.3
    value_x = pdf.l_margin + LABEL_W + 2
    value_w = pdf.w - pdf.r_margin - value_x
    pdf.set_draw_color(200, 200, 200)
    for label, value in block.rows:
        style(pdf, 8.6, grey=40)
        labels = cut(pdf, label, LABEL_W)
        style(pdf, 9)
        values = cut(pdf, value, value_w)
        height = max(len(labels), len(values)) * line + 1.6
        _room(pdf, height)
        top = pdf.get_y()
        pdf.line(pdf.l_margin, top, pdf.w - pdf.r_margin, top)
        pdf.set_y(top + 0.8)
        style(pdf, 8.6, grey=40)
        write(pdf, pdf.l_margin, labels, line)
        pdf.set_y(top + 0.8)
        style(pdf, 9)
        write(pdf, value_x, values, line)
        pdf.set_y(top + height)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    size, grey = STYLES.get(block.style, STYLES["normal"])
    style(pdf, size, grey=grey)
    height = size * 0.47
    for line in cut(pdf, block.text, pdf.epw):
        _room(pdf, height)
        write(pdf, pdf.l_margin, [line], height)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)


def _seal_box(pdf: FPDF, sealer: Sealer, language: str) -> tuple[bytes, int, tuple[int, int, int, int]]:
    name = sealer.sealer_name
    if name is None:
        said = (
            "NON SCELLÉ : govkit n'a pas de certificat de scellement.",
            "NOT SEALED: govkit has no sealing certificate.",
        )
    else:
        said = (f"Scellé électroniquement par {name}.", f"Electronically sealed by {name}.")
    text = " / ".join(said if language == "fr" else reversed(said))
    style(pdf, 8.5)
    lines = cut(pdf, text, SEAL_W - 4)
    _room(pdf, SEAL_H + 6)
    pdf.ln(4)
    top = pdf.get_y()
    pdf.set_y(top + 2)
    write(pdf, pdf.l_margin + 2, lines, 4.2)
    x1, y1 = pdf.l_margin * MM_TO_PT, (pdf.h - top - SEAL_H) * MM_TO_PT
    box = (round(x1), round(y1), round(x1 + SEAL_W * MM_TO_PT), round(y1 + SEAL_H * MM_TO_PT))
    return bytes(pdf.output()), pdf.page - 1, box
