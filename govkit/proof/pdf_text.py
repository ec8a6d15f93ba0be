"""Writing PDF/A-2b documents with fpdf2, fast: one embedded font (govkit.proof.fonts), text placed
with ``text()``, lines cut by the font's own advance widths, and XMP metadata of our own (the
PDF/A identification, and the document's data when it carries some). The receipts
(govkit.proof.receipt_pdf) and the evidence files (govkit.evidence.pdf) are written with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from html import escape
from typing import Any

from fpdf import FPDF
from fpdf.fonts import TTFFont

from govkit.proof.fonts import ReceiptFonts

FONT = "govkit"
MM_TO_PT = 72 / 25.4
RECEIPT_NS = "urn:govkit:ns:receipt:1.0/"


def new_pdfa(
    title: str,
    made_at: datetime,
    fonts: ReceiptFonts,
    text: str,
    *,
    language: str = "fr",
    data: Mapping[str, Any] | None = None,
) -> FPDF:
    """An A4 PDF/A-2b document (mm) with its font (the small Latin copy when it covers ``text``),
    title, date and XMP metadata (``data``: put there as ``govkit:receipt`` JSON)."""
    pdf = FPDF(format="A4", unit="mm", enforce_compliance="PDF/A-2B")
    pdf.add_font(FONT, "", str(fonts.for_text(text + title)))
    # fpdf2 cuts the font to the glyphs used; the glyphs' boxes need not be computed again (the
    # font's own are right): most of the cost of that cut
    pdf.fonts[FONT].ttfont.recalcBBoxes = False  # type: ignore[union-attr]
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creation_date(made_at)
    pdf.set_xmp_metadata(xmp(title, made_at, data))
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    return pdf


def style(pdf: FPDF, size: float, grey: int = 0) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(grey, grey, grey)


def cut(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` cut into lines of at most ``width`` (mm) at the current font: greedy, by words (a
    word longer than a line, by characters). fpdf2's multi_cell measures each line again for every
    character it adds, which costs more than sealing the receipt."""
    measure = widths(pdf)
    space = measure(" ")
    found: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            size = measure(word)
            if line and used + space + size > width:
                found.append(" ".join(line))
                line, used = [], 0.0
            if size > width:
                for piece in _pieces(measure, word, width):
                    found.append(piece)
                continue
            used = used + space + size if line else size
            line.append(word)
        found.append(" ".join(line))
    return found


def widths(pdf: FPDF) -> Callable[[str], float]:
    """The width (mm) of a text at the current font and size, from the font's own advance widths
    (``get_string_width`` goes through fpdf2's text fragments for each word: ten times slower)."""
    font = pdf.current_font
    assert isinstance(font, TTFFont)  # the receipt's embedded font
    advances: dict[int, float] = font.cw  # 1/1000 em, by code point
    scale = pdf.font_size_pt * 0.001 / pdf.k
    return lambda text: sum(advances[ord(c)] for c in text) * scale


def _pieces(measure: Callable[[str], float], word: str, width: float) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and measure(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def write(pdf: FPDF, x: float, texts: list[str], height: float, *, link: str = "") -> None:
    """``texts`` (lines) from the current height down, ``height`` apart, at ``x``: placed with
    ``text()``, fpdf2's lightest way (``cell()`` costs ten times more, for what we do not use)."""
    top = pdf.get_y()
    for index, line in enumerate(texts):
        if line:
            pdf.text(x, top + index * height + 0.5 * height + 0.35 * pdf.font_size, line)
    if link:
        measure = widths(pdf)
        pdf.link(x, top, max(measure(line) for line in texts), height * len(texts), link)
    pdf.set_y(top + height * len(texts))


def xmp(title: str, made_at: datetime, data: Mapping[str, Any] | None = None) -> str:
    """The XMP packet: PDF/A-2b identification, title, dates, and ``data`` (JSON, ``govkit:receipt``,
    described by a PDF/A extension schema) when given."""
    when = made_at.astimezone(UTC).isoformat(timespec="seconds")
    carried = _carried(data) if data is not None else ""
    return f"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about=""
        xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
        xmlns:dc="http://purl.org/dc/elements/1.1/"
        xmlns:xmp="http://ns.adobe.com/xap/1.0/"
        xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
        xmlns:govkit="{RECEIPT_NS}"
        xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
        xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
        xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
      <pdfaid:part>2</pdfaid:part>
      <pdfaid:conformance>B</pdfaid:conformance>
      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title, quote=False)}</rdf:li></rdf:Alt></dc:title>
      <dc:creator><rdf:Seq><rdf:li>govkit</rdf:li></rdf:Seq></dc:creator>
      <xmp:CreatorTool>govkit</xmp:CreatorTool>
      <xmp:CreateDate>{when}</xmp:CreateDate>
      <xmp:ModifyDate>{when}</xmp:ModifyDate>
      <xmp:MetadataDate>{when}</xmp:MetadataDate>
      <pdf:Producer>govkit (fpdf2)</pdf:Producer>
{carried}    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>"""


def _carried(data: Mapping[str, Any]) -> str:
    """The XMP of ``data``: the JSON, and the extension schema PDF/A requires for its property."""
    payload = escape(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), quote=False)
    return f"""      <govkit:receipt>{payload}</govkit:receipt>
      <pdfaExtension:schemas>
        <rdf:Bag>
          <rdf:li rdf:parseType="Resource">
            <pdfaSchema:schema>govkit acknowledgement receipt</pdfaSchema:schema>
            <pdfaSchema:namespaceURI>{RECEIPT_NS}</pdfaSchema:namespaceURI>
            <pdfaSchema:prefix>govkit</pdfaSchema:prefix>
            <pdfaSchema:property>
              <rdf:Seq>
                <rdf:li rdf:parseType="Resource">
                  <pdfaProperty:name>receipt</pdfaProperty:name>
                  <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                  <pdfaProperty:category>external</pdfaProperty:category>
                  <pdfaProperty:description>The receipt's data as JSON</pdfaProperty:description>
                </rdf:li>
              </rdf:Seq>
            </pdfaSchema:property>
          </rdf:li>
        </rdf:Bag>
      </pdfaExtension:schemas>
"""
