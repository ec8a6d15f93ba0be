"""A root template .docx written back as its text source (the .md format of govkit/documents/templates):
the version legal staff edited in govkit, as a readable file for git (pure).

``build_docx(parse_source(export_source(data, ...)))`` gives the same clauses, text and formatting:
the markup holds bold, italics, headings, bullets, line breaks and docxtpl tags. What it cannot hold
(tables, images, fonts, colours) is named in the warnings and left out.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from govkit.documents.markup import Block, format_blocks, read_block
from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, w
from govkit.documents.render import SAFE_PARSER

_TAG = etree.XPath("string(w:sdtPr/w:tag/@w:val)", namespaces=NS)
_FIELDLESS_TEXT = etree.XPath(".//w:t[not(ancestor::w:fldSimple)]", namespaces=NS)


@dataclass
class Exported:
    text: str
    warnings: list[str] = field(default_factory=list)


def _story_text(archive: zipfile.ZipFile, prefix: str) -> str:
    """The text of the first header (or footer) part, fields (page numbers) left out."""
    names = sorted(n for n in archive.namelist() if n.startswith(f"word/{prefix}") and n.endswith(".xml"))
    if not names:
        return ""
    root = etree.fromstring(archive.read(names[0]), SAFE_PARSER)
    lines = ["".join(t.text or "" for t in _FIELDLESS_TEXT(p)) for p in root.iterfind(".//w:p", NS)]
    return " ".join(line.strip() for line in lines if line.strip()).removesuffix(" —").strip()


def _title(archive: zipfile.ZipFile) -> str:
    if "docProps/core.xml" not in archive.namelist():
        return ""
    found = etree.fromstring(archive.read("docProps/core.xml"), SAFE_PARSER).find("dc:title", NS)
    return (found.text or "") if found is not None else ""


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a YAML double-quoted string


def export_source(data: bytes, *, kind: str, language: str) -> Exported:
    """The text source of a guarded root template .docx (a stored version)."""
    warnings: list[str] = []
    with zipfile.ZipFile(BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml"), SAFE_PARSER).find("w:body", NS)
        title, header, footer = _title(archive), _story_text(archive, "header"), _story_text(archive, "footer")
    assert body is not None  # a guarded package's document has a body
    pieces: list[str] = []
    loose: list[Block] = []

    def flush() -> None:
        if loose:
            text = format_blocks(loose)
            if text:
                pieces.append(text)
            loose.clear()

    for child in body:
        if child.tag == w("p"):
            loose.append(read_block(child))
        elif child.tag == w("sdt") and str(_TAG(child)).startswith(CLAUSE_TAG_PREFIX):
            flush()
            key = str(_TAG(child))[len(CLAUSE_TAG_PREFIX) :]
            content = child.find("w:sdtContent", NS)
            children = list(content) if content is not None else []
            for other in {etree.QName(c).localname for c in children if c.tag != w("p")}:
                if other not in ("bookmarkStart", "bookmarkEnd", "proofErr"):
                    warnings.append(f"clause {key}: a {other} element is not exported")
            blocks = [read_block(p) for p in children if p.tag == w("p")]
            pieces.append(f"::: clause {key}\n{format_blocks(blocks)}\n:::")
        elif child.tag != w("sectPr"):
            warnings.append(f"a {etree.QName(child).localname} element outside the clauses is not exported")
    flush()
    front = "\n".join(
        [
            "---",
            f"kind: {kind}",
            f"language: {language}",
            f"title: {_quoted(title)}",
            f"header: {_quoted(header)}",
            f"footer: {_quoted(footer)}",
            "---",
        ]
    )
    return Exported(text=front + "\n" + "\n\n".join(pieces) + "\n", warnings=warnings)
