"""Reading documents back: the clauses a .docx really contains, and their text.

Works on guarded packages with zipfile and lxml only (no python-docx): fast, and
the same on a root template and on a rendered variant.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lxml import etree

from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, story_parts, w
from govkit.documents.render import SAFE_PARSER, clause_keys_in

_CLAUSES = etree.XPath("//w:sdt[w:sdtPr/w:tag[starts-with(@w:val, $prefix)]]", namespaces=NS)
_PARAGRAPHS = etree.XPath(".//w:p", namespaces=NS)
_TEXTS = etree.XPath(".//w:t|.//w:tab|.//w:br", namespaces=NS)
_TAG = etree.XPath("string(w:sdtPr/w:tag/@w:val)", namespaces=NS)


@dataclass(frozen=True)
class ClauseText:
    key: str
    part: str
    text: str  # paragraphs joined by newlines


def paragraph_text(paragraph: etree._Element) -> str:
    pieces = []
    for node in _TEXTS(paragraph):
        if node.tag == w("t"):
            pieces.append(node.text or "")
        elif node.tag == w("tab"):
            pieces.append("\t")
        else:
            pieces.append("\n")
    return "".join(pieces)


def _story_parts(archive: zipfile.ZipFile) -> list[str]:
    return story_parts(archive.namelist())


def read_clauses(data: bytes) -> list[ClauseText]:
    """Every clause content control, in document order (body first, then headers and footers)."""
    found: list[ClauseText] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in _story_parts(archive):
            root = etree.fromstring(archive.read(part), SAFE_PARSER)
            for sdt in _CLAUSES(root, prefix=CLAUSE_TAG_PREFIX):
                key = str(_TAG(sdt))[len(CLAUSE_TAG_PREFIX) :]
                text = "\n".join(paragraph_text(p) for p in _PARAGRAPHS(sdt))
                found.append(ClauseText(key=key, part=part, text=text))
    return found


def clause_keys(data: bytes) -> list[str]:
    """The clause keys in document order, without extracting any text (fast path of read_clauses)."""
    keys: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in _story_parts(archive):
            keys += clause_keys_in(etree.fromstring(archive.read(part), SAFE_PARSER))
    return keys


def body_paragraphs(data: bytes) -> list[tuple[str | None, str, str]]:
    """(clause key or None, style id, text) of each body paragraph: the reading view of a document."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), SAFE_PARSER)
    result: list[tuple[str | None, str, str]] = []
    for paragraph in _PARAGRAPHS(root):
        key = None
        for ancestor in paragraph.iterancestors(w("sdt")):
            tag = str(_TAG(ancestor))
            if tag.startswith(CLAUSE_TAG_PREFIX):
                key = tag[len(CLAUSE_TAG_PREFIX) :]
                break
        style = paragraph.find("w:pPr/w:pStyle", NS)
        result.append((key, style.get(w("val")) if style is not None else "Normal", paragraph_text(paragraph)))
    return result
