"""Tracked changes (Word's w:ins / w:del, how lawyers work): read clause by clause, and resolved —
every change accepted, or every change refused (pure, on guarded packages).

A deleted paragraph mark joins its paragraph to the next one when the deletion is accepted (an
inserted mark, when the insertion is refused). Formatting changes (w:rPrChange, w:pPrChange…) keep
the new formatting either way: the review is about the words.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, is_jinja_part, read_entries, rezip, story_parts, w
from govkit.documents.render import SAFE_PARSER

INSERTED = (w("ins"), w("moveTo"))
DELETED = (w("del"), w("moveFrom"))
_MARKS = {w(n) for n in ("ins", "del", "moveFrom", "moveTo")}
_FORMAT_CHANGES = [
    w(n)
    for n in (
        "rPrChange",
        "pPrChange",
        "sectPrChange",
        "tblPrChange",
        "tblPrExChange",
        "trPrChange",
        "tcPrChange",
        "tblGridChange",
        "numberingChange",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "cellIns",
        "cellDel",
        "cellMerge",
    )
]
_CLAUSE_TAG = etree.XPath("string(w:sdtPr/w:tag/@w:val)", namespaces=NS)


@dataclass(frozen=True)
class Change:
    kind: str  # insertion or deletion
    text: str
    author: str
    date: str | None
    paragraph: int  # 1-based, in the clause (or among the paragraphs outside clauses)


@dataclass(frozen=True)
class Segment:
    kind: str  # same, insertion or deletion
    text: str


@dataclass
class ChangedParagraph:
    part: str
    number: int  # 1-based among the part's paragraphs, as the guard counts them
    segments: list[Segment] = field(default_factory=list)

    def text(self, keep: str) -> tuple[str, list[bool]]:
        """The paragraph's text with the ``keep`` changes (insertion: accepted, deletion: refused),
        and for each character whether it comes from a change."""
        chars: list[bool] = []
        text = ""
        for segment in self.segments:
            if segment.kind in ("same", keep):
                text += segment.text
                chars += [segment.kind == keep] * len(segment.text)
        return text, chars


@dataclass
class ClauseChanges:
    key: str | None  # None: outside the clauses
    part: str
    changes: list[Change] = field(default_factory=list)
    paragraphs: list[ChangedParagraph] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClauseChanges:
        return cls(
            key=data["key"],
            part=data["part"],
            changes=[Change(**c) for c in data["changes"]],
            paragraphs=[
                ChangedParagraph(p["part"], p["number"], [Segment(**s) for s in p["segments"]])
                for p in data["paragraphs"]
            ],
        )


def _is_mark(node: etree._Element) -> bool:
    """A change of a paragraph mark or a table row (w:pPr/w:rPr/w:ins, w:trPr/w:del), not of text."""
    parent = node.getparent()
    return parent is not None and parent.tag in (w("rPr"), w("trPr"), w("numPr"))


def has_tracked_changes(entries: dict[str, bytes]) -> bool:
    return any(
        is_jinja_part(name)
        and name != "docProps/core.xml"
        and any(True for _ in etree.fromstring(content, SAFE_PARSER).iter(*_MARKS))
        for name, content in entries.items()
    )


def _change_of(node: etree._Element) -> etree._Element | None:
    for ancestor in node.iterancestors():
        if ancestor.tag in INSERTED or ancestor.tag in DELETED:
            return ancestor
        if ancestor.tag == w("p"):
            return None
    return None


def _pieces(run: etree._Element) -> str:
    text = ""
    for node in run:
        if node.tag in (w("t"), w("delText")):
            text += node.text or ""
        elif node.tag == w("tab"):
            text += "\t"
        elif node.tag in (w("br"), w("cr")):
            text += "\n"
    return text


def read_changes(entries: dict[str, bytes]) -> list[ClauseChanges]:
    """The tracked changes of a package, clause by clause, in reading order."""
    found: dict[tuple[str, str | None], ClauseChanges] = {}
    for part in story_parts(entries):
        root = etree.fromstring(entries[part], SAFE_PARSER)
        counters: dict[str | None, int] = {}
        for number, paragraph in enumerate(root.iter(w("p")), 1):
            key = _clause_of(paragraph)
            counters[key] = counters.get(key, 0) + 1
            changed = ChangedParagraph(part, number)
            changes: list[Change] = []
            for run in paragraph.iter(w("r")):
                if next(run.iterancestors(w("p"))) is not paragraph:
                    continue  # a paragraph nested in this one (a text box) counts on its own
                node = _change_of(run)
                kind = "same" if node is None else ("insertion" if node.tag in INSERTED else "deletion")
                text = _pieces(run)
                if not text:
                    continue
                if changed.segments and changed.segments[-1].kind == kind:
                    changed.segments[-1] = Segment(kind, changed.segments[-1].text + text)
                else:
                    changed.segments.append(Segment(kind, text))
                if node is not None:
                    author, day = node.get(w("author"), "?"), node.get(w("date"))
                    last = changes[-1] if changes else None
                    if last and last.kind == kind and (last.author, last.date) == (author, day):
                        changes[-1] = Change(kind, last.text + text, author, day, counters[key])
                    else:
                        changes.append(Change(kind, text, author, day, counters[key]))
            for mark in paragraph.findall("w:pPr/w:rPr/*", NS):
                if mark.tag in INSERTED or mark.tag in DELETED:
                    kind = "insertion" if mark.tag in INSERTED else "deletion"
                    changes.append(Change(kind, "¶", mark.get(w("author"), "?"), mark.get(w("date")), counters[key]))
            if changes:
                entry = found.setdefault((part, key), ClauseChanges(key=key, part=part))
                entry.changes += changes
                entry.paragraphs.append(changed)
    return list(found.values())


def _unwrap(node: etree._Element) -> None:
    parent = node.getparent()
    assert parent is not None
    index = parent.index(node)
    for offset, child in enumerate(list(node)):
        parent.insert(index + offset, child)
    parent.remove(node)


def _join_with_next(paragraph: etree._Element) -> None:
    """Remove a paragraph mark: the paragraph's content moves to the start of the next paragraph (the
    last paragraph of its container, left empty, goes; one that keeps some text keeps its mark)."""
    following = paragraph.getnext()
    parent = paragraph.getparent()
    assert parent is not None
    if following is None or following.tag != w("p"):
        if not any((t.text or "").strip() for t in paragraph.iter(w("t"), w("delText"))):
            parent.remove(paragraph)
        return
    content = [c for c in paragraph if c.tag != w("pPr")]
    at = 1 if following.find("w:pPr", NS) is not None else 0
    for offset, child in enumerate(content):
        following.insert(at + offset, child)
    parent.remove(paragraph)


def _dropped(node: etree._Element, accept: bool) -> bool:
    """Whether a change goes with its content: an accepted deletion, a refused insertion."""
    return node.tag in (DELETED if accept else INSERTED)


def _resolve_part(root: etree._Element, accepting: Callable[[etree._Element], bool]) -> None:
    joined = [p for p in root.iter(w("p")) if any(_dropped(m, accepting(m)) for m in p.findall("w:pPr/w:rPr/*", NS))]
    for row in list(root.iter(w("tr"))):
        if any(_dropped(m, accepting(m)) for m in row.findall("w:trPr/*", NS)):
            row.getparent().remove(row)  # type: ignore[union-attr]
    changes = [(n, accepting(n)) for n in root.iter(*_MARKS)]  # decided before any is removed
    for node, accepted in changes:
        parent = node.getparent()
        if parent is None or _is_mark(node):
            continue
        if _dropped(node, accepted):
            parent.remove(node)
        else:
            _unwrap(node)
    for text in root.iter(w("delText"), w("delInstrText")):  # what remains of them was refused deletions
        text.tag = w("t") if text.tag == w("delText") else w("instrText")
    for paragraph in joined:
        _join_with_next(paragraph)
    for node in list(root.iter(*_MARKS, *_FORMAT_CHANGES)):  # the marks of paragraphs and rows kept
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)


def _clause_of(node: etree._Element) -> str | None:
    for ancestor in node.iterancestors(w("sdt")):
        tag = str(_CLAUSE_TAG(ancestor))
        if tag.startswith(CLAUSE_TAG_PREFIX):
            return tag[len(CLAUSE_TAG_PREFIX) :]
    return None


def resolve(data: bytes, *, accept: bool, clauses: Collection[str | None] | None = None) -> bytes:
    """The package with every tracked change accepted (``accept``) or refused; with ``clauses``, the
    changes of those clauses (None: the text outside the clauses) get ``accept``, the others the opposite."""

    def accepting(node: etree._Element) -> bool:
        return accept if clauses is None or _clause_of(node) in clauses else not accept

    entries = read_entries(data)
    resolved = []
    for name, content in entries:
        if is_jinja_part(name) and name != "docProps/core.xml":
            root = etree.fromstring(content, SAFE_PARSER)
            if any(True for _ in root.iter(*_MARKS, *_FORMAT_CHANGES)):
                _resolve_part(root, accepting)
                resolved.append((name, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)))
                continue
        resolved.append((name, content))
    return rezip(resolved)
