"""A PDF's body text (pypdf), compared with a .docx's clauses: whitespace is ignored (PDF text
breaks lines anywhere, a URL included), and each page's header and footer are taken out (a page
break puts them in the middle of a clause)."""

from __future__ import annotations

import io
import re
import zipfile

import pypdf
from lxml import etree

from govkit.documents.inspect import paragraph_text, read_clauses
from govkit.documents.kinds import catalogue
from govkit.documents.ooxml import NS
from govkit.documents.render import SAFE_PARSER

_MARGIN_PART = re.compile(r"word/(header|footer)\d*\.xml$")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def margins(docx: bytes) -> list[str]:
    """The paragraphs of the headers and footers (a page number field reads 1 in the .docx)."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in archive.namelist():
            if _MARGIN_PART.match(name):
                root = etree.fromstring(archive.read(name), SAFE_PARSER)
                found += [compact(paragraph_text(p)) for p in root.iterfind(".//w:p", NS)]
    return [m for m in found if m]


def body_text(pdf: bytes, docx: bytes) -> str:
    """The PDF's text without whitespace, each page's header and footer (page number included) removed."""
    pages = []
    lines = margins(docx)
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, start=1):
        text = compact(page.extract_text())
        for line in lines:
            text = text.replace(line[:-1] + str(number) if line.endswith("1") else line, "", 1)
        pages.append(text)
    return "".join(pages)


def missing_clauses(pdf: bytes, docx: bytes, kind: str) -> list[str]:
    """The required clauses of ``kind`` whose paragraphs (in the .docx) are not all in the PDF's
    text; a required clause absent from the .docx counts as missing too."""
    text = body_text(pdf, docx)
    required = catalogue().kind(kind).required_clauses
    clauses = {c.key: c.text for c in read_clauses(docx)}
    missing = []
    for key in required:
        paragraphs = [compact(p) for p in clauses.get(key, "").split("\n") if p.strip()]
        if not paragraphs or any(p not in text for p in paragraphs):
            missing.append(key)
    return missing
