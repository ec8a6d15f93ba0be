"""The text source of a root template (govkit/documents/templates/<lang>/<kind>.md), parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govkit.documents.kinds import TEMPLATES_DIR
from govkit.documents.markup import breaks, join_lines, line_style
from govkit.errors import InvalidInput, Problem

FRONT_KEYS = {"kind", "language", "title", "header", "footer"}
_CLAUSE_OPEN = re.compile(r"^:::\s*clause\s+([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\s*$")
_PROVISION = re.compile(r"^:::\s*provision\s+([a-z][a-z0-9_]*)\s*$")
#: The loop variable of a provision place: one paragraph of the school's approved text.
PROVISION_VARIABLE = "provision_paragraph"
_PTAG = re.compile(r"^\{%p\s+(\w+)")
_OPENERS = {"if": "endif", "for": "endfor"}
_CLOSERS = {"endif": "if", "endfor": "for"}


@dataclass(frozen=True)
class Paragraph:
    style: str  # Title, Heading 1, Heading 2, List Bullet, Normal, or Tag (a {%p %} line)
    text: str
    line: int


@dataclass(frozen=True)
class Clause:
    key: str
    paragraphs: tuple[Paragraph, ...]
    line: int


@dataclass
class Source:
    kind: str
    language: str
    title: str
    header: str
    footer: str
    blocks: list[Paragraph | Clause] = field(default_factory=list)

    provisions: list[str] = field(default_factory=list)

    def clause_keys(self) -> list[str]:
        return [b.key for b in self.blocks if isinstance(b, Clause)]


def provision_paragraphs(key: str, line: int) -> list[Paragraph]:
    """What ``::: provision KEY`` stands for: each paragraph of the school's approved text for that
    place (``provisions.KEY``, an empty list when it has none), as Normal paragraphs."""
    return [
        Paragraph("Tag", f"{{%p for {PROVISION_VARIABLE} in provisions.{key} %}}", line),
        Paragraph("Normal", f"{{{{ {PROVISION_VARIABLE} }}}}", line),
        Paragraph("Tag", "{%p endfor %}", line),
    ]


def parse_source(text: str, name: str = "<source>") -> Source:
    """Parse a template source; every structural mistake is reported with its line."""
    problems: list[Problem] = []
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not match:
        raise InvalidInput(f"{name}: the file must start with a --- frontmatter --- block")
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{name}: the frontmatter is not valid YAML ({exc})") from exc
    if not isinstance(front, dict) or set(front) != FRONT_KEYS or not all(isinstance(v, str) for v in front.values()):
        raise InvalidInput(f"{name}: the frontmatter must have exactly the text keys {', '.join(sorted(FRONT_KEYS))}")
    source = Source(**{k: front[k] for k in FRONT_KEYS})
    offset = text[: match.end()].count("\n")
    lines = text[match.end() :].split("\n")

    clause_key: str | None = None
    clause_line = 0
    clause_paragraphs: list[Paragraph] = []
    pending: list[str] = []
    pending_style = "Normal"
    pending_line = 0
    outer_stack: list[tuple[str, int]] = []
    inner_stack: list[tuple[str, int]] = []

    def target() -> list[Paragraph | Clause] | list[Paragraph]:
        return clause_paragraphs if clause_key is not None else source.blocks

    def flush() -> None:
        nonlocal pending
        if pending:
            target().append(Paragraph(pending_style, join_lines(pending), pending_line))
            pending = []

    for index, raw in enumerate(lines):
        number = offset + index + 1
        line = raw.rstrip()
        opened = _CLAUSE_OPEN.match(line)
        if opened:
            flush()
            if clause_key is not None:
                problems.append(Problem(f"line {number}", f"clause {opened.group(1)} opens inside clause {clause_key}"))
                continue
            clause_key, clause_line, clause_paragraphs, inner_stack = opened.group(1), number, [], []
            continue
        if line.strip() == ":::":
            flush()
            if clause_key is None:
                problems.append(Problem(f"line {number}", "':::' closes no clause"))
                continue
            for word, at in inner_stack:
                problems.append(
                    Problem(f"line {at}", f"{{%p {word} %}} inside clause {clause_key} is not closed in it")
                )
            source.blocks.append(Clause(clause_key, tuple(clause_paragraphs), clause_line))
            clause_key = None
            continue
        provision = _PROVISION.match(line)
        if provision:
            flush()
            if clause_key is not None:
                problems.append(
                    Problem(f"line {number}", f"provision place {provision.group(1)} is inside clause {clause_key}")
                )
                continue
            if provision.group(1) in source.provisions:
                problems.append(Problem(f"line {number}", f"provision place {provision.group(1)} appears twice"))
            source.provisions.append(provision.group(1))
            source.blocks.extend(provision_paragraphs(provision.group(1), number))
            continue
        if line.startswith(":::"):
            problems.append(
                Problem(
                    f"line {number}", f"unknown directive {line!r}: use '::: clause KEY', '::: provision KEY' or ':::'"
                )
            )
            continue
        tag = _PTAG.match(line.strip())
        if tag:
            flush()
            stack = inner_stack if clause_key is not None else outer_stack
            word = tag.group(1)
            if not line.strip().endswith("%}"):
                problems.append(Problem(f"line {number}", "a {%p ... %} tag must be alone on its line"))
            if word in _OPENERS:
                stack.append((word, number))
            elif word in _CLOSERS:
                if not stack or stack[-1][0] != _CLOSERS[word]:
                    problems.append(Problem(f"line {number}", f"{{%p {word} %}} closes nothing opened here"))
                else:
                    stack.pop()
            target().append(Paragraph("Tag", line.strip(), number))
            continue
        if not line.strip():
            flush()
            continue
        if pending and breaks(pending[-1]):  # the line after a line break continues its paragraph
            continued = line.strip()
            pending.append(line_style(continued)[1] if continued.startswith("\\") else continued)
            continue
        style, content = line_style(line.strip())
        if style != "Normal" or pending_style != "Normal":
            flush()
        if not pending:
            pending_style, pending_line = style, number
        pending.append(content)
        if style != "Normal" and not breaks(content):
            flush()
    flush()
    if clause_key is not None:
        problems.append(Problem(f"line {clause_line}", f"clause {clause_key} is never closed with ':::'"))
    for word, at in outer_stack:
        problems.append(Problem(f"line {at}", f"{{%p {word} %}} is never closed"))
    if problems:
        raise InvalidInput(f"{name}: the template source has structural mistakes", problems=problems)
    return source


def read_source(path: Path) -> Source:
    return parse_source(path.read_text(encoding="utf-8"), path.name)


def source_files(directory: Path = TEMPLATES_DIR) -> list[Path]:
    """The text sources of the root templates shipped with govkit (French first, then English)."""
    return sorted(directory.glob("fr/*.md")) + sorted(directory.glob("en/*.md"))
