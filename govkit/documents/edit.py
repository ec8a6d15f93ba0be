"""Editing one clause of a root template: its text as lines, and a new .docx with the clause replaced (pure)."""

from __future__ import annotations

import copy

from lxml import etree

from govkit.documents.inspect import paragraph_text
from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, read_entries, rezip, w
from govkit.documents.render import SAFE_PARSER
from govkit.errors import NotFound

STYLES = {"Heading1": "## ", "Heading2": "### ", "ListBullet": "- "}


def _clause(root: etree._Element, key: str) -> etree._Element:
    found = root.xpath(f"//w:sdt[w:sdtPr/w:tag/@w:val='{CLAUSE_TAG_PREFIX}{key}']/w:sdtContent", namespaces=NS)
    if not found:
        raise NotFound(f"The template has no clause {key!r}.")
    return found[0]


def clause_source(data: bytes, key: str) -> str:
    """The clause as the lines a legal editor types: '## ' headings, '- ' bullets, tags as they are."""
    root = etree.fromstring(dict(read_entries(data))["word/document.xml"], SAFE_PARSER)
    lines = []
    for paragraph in _clause(root, key).iterfind("w:p", NS):
        style = paragraph.find("w:pPr/w:pStyle", NS)
        prefix = STYLES.get(style.get(w("val"), "") if style is not None else "", "")
        lines.append(prefix + paragraph_text(paragraph))
    return "\n".join(lines)


def replace_clause(data: bytes, key: str, text: str) -> bytes:
    """The same template with clause ``key`` holding ``text`` (one paragraph per non-empty line)."""
    entries = read_entries(data)
    document = dict(entries)["word/document.xml"]
    root = etree.fromstring(document, SAFE_PARSER)
    content = _clause(root, key)
    template = content.find("w:p", NS)
    template_properties = template.find("w:pPr", NS) if template is not None else None
    for paragraph in list(content):
        content.remove(paragraph)
    for line in (raw.rstrip() for raw in text.replace("\r\n", "\n").split("\n")):
        if not line.strip():
            continue
        style = next((s for s, p in STYLES.items() if line.startswith(p)), None)
        body = line[len(STYLES[style]) :] if style else line
        paragraph = etree.SubElement(content, w("p"))
        if template_properties is not None and template_properties.find("w:rPr", NS) is not None:
            copied = copy.deepcopy(template_properties)
            for old in copied.findall("w:pStyle", NS):
                copied.remove(old)
            paragraph.append(copied)
        if style:
            properties = paragraph.find("w:pPr", NS)
            if properties is None:
                properties = etree.SubElement(paragraph, w("pPr"))
            style_node = etree.Element(w("pStyle"))
            style_node.set(w("val"), style)
            properties.insert(0, style_node)
        run = etree.SubElement(paragraph, w("r"))
        text_node = etree.SubElement(run, w("t"))
        text_node.text = body
        text_node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rezip([(name, xml if name == "word/document.xml" else blob) for name, blob in entries])
