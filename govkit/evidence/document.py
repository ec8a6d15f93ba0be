"""An evidence file's layout as a Word document (.docx), with python-docx (pure: bytes in memory).

The one module that knows the file format: a PDF renderer (sealed PDF/A, issue 18) takes the same
``govkit.evidence.layout.Layout`` and replaces this module."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from docx import Document
from docx.shared import Pt

from govkit.documents.ooxml import DOCX_MEDIA_TYPE, read_entries, rezip
from govkit.evidence.layout import Heading, Layout, Paragraph, Table, layout

__all__ = ["DOCX_MEDIA_TYPE", "evidence_docx", "render_docx"]

#: The package's timestamps: the same layout gives the same bytes.
FIXED = datetime(2021, 1, 1)


def render_docx(page: Layout) -> bytes:
    """The layout as a .docx: a title, headings, two-column tables with a grid, paragraphs."""
    document = Document()
    properties = document.core_properties
    properties.title = page.title
    properties.subject = page.subject
    properties.author = "govkit"
    properties.language = page.language
    properties.created = properties.modified = FIXED
    document.add_heading(page.title, level=0)
    for block in page.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Table):
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in block.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
                for run in cells[0].paragraphs[0].runs:
                    run.bold = True
            document.add_paragraph()
        else:
            _paragraph(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return rezip(read_entries(buffer.getvalue()))


def _paragraph(document: Any, block: Paragraph) -> None:
    run = document.add_paragraph().add_run(block.text)
    if block.style == "strong":
        run.bold = True
    elif block.style == "emphasis":
        run.italic = True
    elif block.style == "small":
        run.font.size = Pt(8)


def evidence_docx(data: dict[str, Any], language: str = "fr") -> bytes:
    """The evidence file ``data`` (govkit.evidence.export.to_json) as a .docx in ``language``."""
    return render_docx(layout(data, language))
