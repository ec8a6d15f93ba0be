"""The small markup of clause text, read from and written to Word paragraphs and runs (pure).

The markup of the root template sources (govkit/documents/templates/README.md), one
paragraph a block:

- ``# `` title, ``## `` heading 1, ``### `` heading 2, ``- `` bullet item, a line of its
  own ``{%p … %}`` a docxtpl paragraph tag; any other line is text, and consecutive text
  lines form one paragraph (a blank line separates paragraphs);
- inside a paragraph ``**bold**``, ``*italic*`` (``***both***``), a line ending with ``\\``
  a line break; ``\\*`` and ``\\\\`` are a literal star and backslash, and a ``\\`` before a
  line's first character keeps that line from being read as markup (``\\- not a bullet``);
- Jinja tags (``{{ … }}``, ``{% … %}``, ``{# … #}``) are copied as they are: no markup and
  no escapes inside them, and a tag is never split between two formattings.

``format_blocks`` writes the canonical markup of some blocks and ``parse_blocks`` reads it
back: parse(format(blocks)) == blocks for blocks whose paragraphs have no leading or trailing
white space and are not empty, and format(parse(text)) == text for canonical text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from govkit.documents.ooxml import NS, w

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
PARAGRAPH_TAG = re.compile(r"^\{%p\s.*%\}$")
#: Line prefixes and the paragraph style each one gives, longest first.
PREFIXES = (("### ", "Heading 2"), ("## ", "Heading 1"), ("# ", "Title"), ("- ", "List Bullet"))
PREFIX_OF = {style: prefix for prefix, style in PREFIXES}
#: What a text line may not start with unless escaped with a backslash.
_MARKERS = (*(p for p, _s in PREFIXES), "{%p", ":::")
#: Word style ids read as each markup style (English and French built-in ids); the first is written.
STYLE_IDS = {
    "Title": ("Title", "Titre"),
    "Heading 1": ("Heading1", "Titre1"),
    "Heading 2": ("Heading2", "Titre2"),
    "List Bullet": ("ListBullet", "Listepuces"),
}
_STYLE_OF_ID = {sid.lower(): style for style, ids in STYLE_IDS.items() for sid in ids}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    """One paragraph: its style (Normal, Title, Heading 1, Heading 2, List Bullet, or Tag) and runs."""

    style: str
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def merge(runs: Iterable[Run]) -> tuple[Run, ...]:
    """Adjacent runs of the same formatting joined, empty runs dropped."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return tuple(merged)


# --- inline markup ------------------------------------------------------------------


def parse_inline(text: str) -> tuple[Run, ...]:
    """The runs of one paragraph's markup (line breaks already turned into newlines)."""
    runs: list[Run] = []
    bold = italic = False
    piece: list[str] = []
    position = 0

    def cut() -> None:
        if piece:
            runs.append(Run("".join(piece), bold, italic))
            piece.clear()

    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1] in "*\\":
            piece.append(text[position + 1])
            position += 2
            continue
        if char == "{":
            tag = TAG.match(text, position)
            if tag:
                piece.append(tag.group())
                position = tag.end()
                continue
        if char == "*":
            stars = len(text) - position - len(text[position:].lstrip("*"))
            cut()
            if stars >= 2:
                bold = not bold
            if stars != 2:
                italic = not italic
            position += min(stars, 3)
            continue
        piece.append(char)
        position += 1
    cut()
    return merge(runs)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


def _even_tags(runs: Sequence[Run]) -> list[Run]:
    """The runs with every Jinja tag in the formatting of its first character (a tag is never split)."""
    text = "".join(r.text for r in runs)
    formats = [(r.bold, r.italic) for r in runs for _c in r.text]
    for tag in TAG.finditer(text):
        for index in range(tag.start() + 1, tag.end()):
            formats[index] = formats[tag.start()]
    return list(merge(Run(c, *formats[i]) for i, c in enumerate(text)))


def format_inline(runs: Sequence[Run]) -> str:
    """The markup of some runs: stars where the formatting changes, escapes outside tags."""
    out: list[str] = []
    bold = italic = False
    for run in _even_tags(merge(runs)):
        marks = ("**" if run.bold != bold else "") + ("*" if run.italic != italic else "")
        out.append(marks)
        bold, italic = run.bold, run.italic
        position = 0
        for tag in TAG.finditer(run.text):
            out.append(_escape(run.text[position : tag.start()]) + tag.group())
            position = tag.end()
        out.append(_escape(run.text[position:]))
    out.append(("**" if bold else "") + ("*" if italic else ""))
    return "".join(out)


# --- blocks -------------------------------------------------------------------------


def line_style(line: str) -> tuple[str, str]:
    """The style a stripped source line gives its paragraph, and the line without its prefix or escape."""
    if line.startswith("\\") and line[1:].startswith(_MARKERS):
        return "Normal", line[1:]
    for prefix, style in PREFIXES:
        if line.startswith(prefix):
            return style, line[len(prefix) :].strip()
    return "Normal", line


def breaks(line: str) -> bool:
    """Whether a line ends with a line break (an odd number of backslashes)."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def join_lines(lines: Sequence[str]) -> str:
    """The lines of one paragraph as one text: a space between them, a newline after a break."""
    text = ""
    for index, line in enumerate(lines):
        if index and breaks(lines[index - 1]):
            text = text[:-1] + "\n" + line
        else:
            text += (" " if index else "") + line
    return text


def parse_blocks(text: str) -> list[Block]:
    """The paragraphs of some markup (the text of a clause, as the editor shows it)."""
    blocks: list[Block] = []
    pending: list[str] = []
    pending_style = "Normal"

    def flush() -> None:
        if pending:
            blocks.append(Block(pending_style, parse_inline(join_lines(pending))))
            pending.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if PARAGRAPH_TAG.match(line):
            flush()
            blocks.append(Block("Tag", (Run(line),)))
            continue
        if pending and breaks(pending[-1]):  # the line after a line break continues its paragraph
            pending.append(line_style(line)[1] if line.startswith("\\") else line)
            continue
        style, content = line_style(line)
        if style != "Normal" or pending_style != "Normal":
            flush()
        if not pending:
            pending_style = style
        pending.append(content)
        if style != "Normal" and not breaks(content):
            flush()
    flush()
    return blocks


def _line_start(text: str) -> str:
    return "\\" + text if text.startswith(_MARKERS) else text


def trim(runs: Sequence[Run]) -> tuple[Run, ...]:
    """The runs without white space at the ends of the paragraph and around its line breaks."""
    text = "".join(r.text for r in runs)
    formats = [(r.bold, r.italic) for r in runs for _c in r.text]
    dropped: set[int] = set()
    for space in re.finditer(r"[^\S\n]+", text):
        start, end = space.span()
        if start == 0 or end == len(text) or text[start - 1] == "\n" or text[end] == "\n":
            dropped.update(range(start, end))
    kept = [(c, *formats[i]) for i, c in enumerate(text) if i not in dropped]
    while kept and kept[0][0] == "\n":
        kept.pop(0)
    while kept and kept[-1][0] == "\n":
        kept.pop()
    return merge(Run(c, b, i) for c, b, i in kept)


def format_block(block: Block) -> str:
    """One paragraph's markup, on one line (or several, after line breaks)."""
    if block.style == "Tag":
        return block.text.strip()
    first, *rest = format_inline(trim(block.runs)).split("\n")
    head = PREFIX_OF[block.style] + first if block.style in PREFIX_OF else _line_start(first)
    return "\\\n".join([head, *(_line_start(line) for line in rest)])


def _separator(before: Block, after: Block) -> str:
    if before.style in ("Heading 1", "Heading 2") or "Tag" in (before.style, after.style):
        return "\n"
    if before.style == after.style == "List Bullet":
        return "\n"
    return "\n\n"


def format_blocks(blocks: Sequence[Block]) -> str:
    """The canonical markup of some paragraphs: a blank line between paragraphs, none after a
    heading, between bullet items or around a paragraph tag."""
    out: list[str] = []
    blocks = [b for b in blocks if b.style == "Tag" or trim(b.runs)]
    for index, block in enumerate(blocks):
        if index:
            out.append(_separator(blocks[index - 1], block))
        out.append(format_block(block))
    return "".join(out)


def normalise(block: Block) -> Block:
    """The block as its markup reads back (white space at the ends of lines dropped)."""
    found = parse_blocks(format_block(block))
    return found[0] if found else Block(block.style, ())


# --- Word paragraphs ----------------------------------------------------------------

_RUNS = etree.XPath(".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)]", namespaces=NS)


def _on(properties: etree._Element | None, name: str) -> bool:
    if properties is None:
        return False
    found = properties.find(f"w:{name}", NS)
    return found is not None and found.get(w("val"), "true").lower() not in ("0", "false", "off", "none")


def paragraph_style(paragraph: etree._Element) -> str:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    found = _STYLE_OF_ID.get((style.get(w("val"), "") if style is not None else "").lower())
    if found is None and paragraph.find("w:pPr/w:numPr", NS) is not None:
        return "List Bullet"
    return found or "Normal"


def read_block(paragraph: etree._Element) -> Block:
    """A Word paragraph as a block: its style and its runs' text, bold and italic."""
    runs: list[Run] = []
    for run in _RUNS(paragraph):
        properties = run.find("w:rPr", NS)
        bold, italic = _on(properties, "b"), _on(properties, "i")
        for node in run:
            if node.tag == w("t"):
                runs.append(Run(node.text or "", bold, italic))
            elif node.tag == w("tab"):
                runs.append(Run("\t", bold, italic))
            elif node.tag in (w("br"), w("cr")):
                runs.append(Run("\n", bold, italic))
            elif node.tag == w("noBreakHyphen"):
                runs.append(Run("-", bold, italic))
    block = Block(paragraph_style(paragraph), merge(runs))
    if PARAGRAPH_TAG.match(block.text.strip()):
        return Block("Tag", (Run(block.text.strip()),))
    return block


@dataclass
class Models:
    """What new paragraphs copy from the paragraphs they replace: paragraph properties per
    style (numbering, spacing…) and the base run properties (fonts, language…)."""

    paragraph: dict[str, etree._Element]
    run: etree._Element | None = None

    @classmethod
    def of(cls, paragraphs: Iterable[etree._Element]) -> Models:
        found = cls(paragraph={})
        for paragraph in paragraphs:
            style = read_block(paragraph).style
            properties = paragraph.find("w:pPr", NS)
            if properties is not None and style not in found.paragraph:
                found.paragraph[style] = properties
            run = paragraph.find(".//w:r/w:rPr", NS)
            if run is not None and found.run is None:
                found.run = copy.deepcopy(run)
                for name in ("b", "bCs", "i", "iCs", "rStyle"):
                    for node in found.run.findall(f"w:{name}", NS):
                        found.run.remove(node)
        return found


def _text_node(run: etree._Element, text: str) -> None:
    node = etree.SubElement(run, w("t"))
    node.text = text
    node.set(XML_SPACE, "preserve")


def write_block(block: Block, models: Models | None = None) -> etree._Element:
    """A new Word paragraph holding ``block``: its style, and one run per formatting."""
    models = models or Models(paragraph={})
    paragraph = etree.Element(w("p"))
    style = "Normal" if block.style == "Tag" else block.style
    model = models.paragraph.get(style)
    if model is not None:
        paragraph.append(copy.deepcopy(model))
    elif style != "Normal":
        properties = etree.SubElement(paragraph, w("pPr"))
        etree.SubElement(properties, w("pStyle")).set(w("val"), STYLE_IDS[style][0])
    for run in block.runs:
        element = etree.SubElement(paragraph, w("r"))
        properties = copy.deepcopy(models.run) if models.run is not None else etree.Element(w("rPr"))
        at = len(properties.findall("w:rStyle", NS) + properties.findall("w:rFonts", NS))
        for name, on in (("i", run.italic), ("b", run.bold)):  # after w:rStyle and w:rFonts, w:b before w:i
            if on:
                properties.insert(at, etree.Element(w(name)))
        if len(properties):
            element.append(properties)
        for index, piece in enumerate(re.split(r"(\n|\t)", run.text)):
            if index % 2:
                etree.SubElement(element, w("br") if piece == "\n" else w("tab"))
            elif piece:
                _text_node(element, piece)
    return paragraph
