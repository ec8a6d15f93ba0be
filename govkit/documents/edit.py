"""Editing one clause of a root template (pure): its text in the markup of govkit.documents.markup
(bold, italics, bullets, headings, paragraphs, docxtpl tags as they are), and a new .docx with the
clause holding new text. Paragraphs the edit leaves as they were keep their Word XML untouched."""

from __future__ import annotations

import difflib

from lxml import etree

from govkit.documents.markup import Block, Models, format_blocks, normalise, parse_blocks, read_block, write_block
from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, read_entries, rezip, w
from govkit.documents.render import SAFE_PARSER
from govkit.errors import InvalidInput, NotFound

MAX_CLAUSE_CHARACTERS = 100_000
#: What a clause may hold besides paragraphs and still be edited as text (marks Word leaves around).
_INVISIBLE = {w(n) for n in ("bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd")} | {
    w(n) for n in ("commentRangeStart", "commentRangeEnd")
}
_NAMES = {w("tbl"): "a table", w("sdt"): "a nested content control", w("customXml"): "custom XML"}


def _clause(root: etree._Element, key: str) -> etree._Element:
    found = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val=$tag]/w:sdtContent", tag=CLAUSE_TAG_PREFIX + key, namespaces=NS)
    if not found:
        raise NotFound(f"The template has no clause {key!r}.", key="no_clause", params={"key": key})
    return found[0]


def clause_blocks(content: etree._Element) -> list[Block]:
    return [read_block(p) for p in content.iterfind("w:p", NS)]


def clause_source(data: bytes, key: str) -> str:
    """The clause as legal staff edit it: the markup of its paragraphs."""
    root = etree.fromstring(dict(read_entries(data))["word/document.xml"], SAFE_PARSER)
    return format_blocks(clause_blocks(_clause(root, key)))


def _editable(content: etree._Element, key: str) -> None:
    for child in content:
        if child.tag != w("p") and child.tag not in _INVISIBLE:
            what = _NAMES.get(str(child.tag), f"a {etree.QName(child).localname} element")
            raise InvalidInput(
                f"Clause {key} holds {what}, which the clause editor cannot keep: "
                "edit it in Word and upload the .docx.",
                key="clause_not_editable",
                params={"key": key, "what": what},
            )


def replace_clause(data: bytes, key: str, text: str) -> bytes:
    """The same template with clause ``key`` holding ``text`` (markup): the paragraphs whose markup
    is unchanged stay as they are, the others are written as Word paragraphs and runs."""
    if len(text) > MAX_CLAUSE_CHARACTERS:
        raise InvalidInput(
            f"A clause is limited to {MAX_CLAUSE_CHARACTERS} characters.",
            key="clause_long",
            params={"most": MAX_CLAUSE_CHARACTERS},
        )
    wanted = parse_blocks(text)
    if not any(b.style != "Tag" for b in wanted):
        raise InvalidInput("The clause text is empty: a clause keeps at least one paragraph.", key="clause_empty")
    entries = read_entries(data)
    root = etree.fromstring(dict(entries)["word/document.xml"], SAFE_PARSER)
    content = _clause(root, key)
    _editable(content, key)
    old = list(content.iterfind("w:p", NS))
    models = Models.of(old)
    before = [normalise(read_block(p)) for p in old]
    placed: dict[int, list[etree._Element]] = {i: [] for i in range(len(old) + 1)}
    matcher = difflib.SequenceMatcher(a=before, b=wanted, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            for offset in range(a2 - a1):
                placed[a1 + offset].append(old[a1 + offset])
        else:
            placed[a1].extend(write_block(block, models) for block in wanted[b1:b2])
    children = list(content)
    for child in children:
        content.remove(child)
    index = 0
    for child in children:
        if child.tag == w("p"):
            for paragraph in placed[index]:
                content.append(paragraph)
            index += 1
        else:
            content.append(child)
    for paragraph in placed[len(old)]:
        content.append(paragraph)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rezip([(name, xml if name == "word/document.xml" else blob) for name, blob in entries])
