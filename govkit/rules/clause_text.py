"""Whether a variant's clause text is its root's, except in the root's variables (pure).

The root clause text (as read from the root template: ``{{ ... }}`` variables, ``{% if %}`` and
``{% for %}`` tags, and docxtpl's ``{%p ... %}`` paragraph tags) becomes a pattern: a variable
matches any text, an ``if`` block (with its ``elif``/``else`` branches) may be present or not, a
``for`` block may repeat any number of times, every other tag matches nothing; the literal text
must be there, in order. Whitespace is left out on both sides (rendering keeps or drops whole
paragraphs and the spaces around tags). The match is computed over the set of positions the
pattern can reach, so it takes time in proportion to the text and pattern, never exponential.

What a variable matches is not checked: a variable's value may hold any text, so a change of the
literal text right next to a variable is found only when the variable's value could not hold it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_WORD = re.compile(r"\{%-?\s*(?:p|r|tr|tc)?\s+(\w+)|\{%-?\s*(\w+)")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Variable:
    pass


@dataclass(frozen=True)
class Optional:
    """An ``if`` block: one of its branches, or nothing."""

    branches: tuple[tuple[Element, ...], ...]


@dataclass(frozen=True)
class Repeat:
    """A ``for`` block: its body any number of times (or, when it has one, its ``else`` branch)."""

    body: tuple[Element, ...]
    otherwise: tuple[Element, ...] = ()


Element = Literal | Variable | Optional | Repeat


def _tag_word(tag: str) -> str:
    found = _WORD.match(tag)
    if not found:
        return ""
    return found.group(1) or found.group(2) or ""


@cache
def compile_pattern(root_text: str) -> tuple[Element, ...]:
    """The pattern of a root clause text; tags that do not close are treated as closed at the end."""
    # each open block: (kind, branches so far, current branch)
    stack: list[tuple[str, list[tuple[Element, ...]], list[Element]]] = [("top", [], [])]
    position = 0
    for match in _TAG.finditer(root_text):
        literal = _SPACE.sub("", root_text[position : match.start()])
        if literal:
            stack[-1][2].append(Literal(literal))
        position = match.end()
        tag = match.group(0)
        if tag.startswith("{{"):
            stack[-1][2].append(Variable())
            continue
        word = _tag_word(tag)
        if word in ("if", "for"):
            stack.append((word, [], []))
        elif word in ("elif", "else") and len(stack) > 1:
            kind, branches, current = stack[-1]
            branches.append(tuple(current))
            stack[-1] = (kind, branches, [])
        elif word in ("endif", "endfor") and len(stack) > 1:
            _close(stack)
    literal = _SPACE.sub("", root_text[position:])
    if literal:
        stack[-1][2].append(Literal(literal))
    while len(stack) > 1:
        _close(stack)
    return tuple(stack[0][2])


def _close(stack: list[tuple[str, list[tuple[Element, ...]], list[Element]]]) -> None:
    kind, branches, current = stack.pop()
    branches.append(tuple(current))
    if kind == "for":
        block: Element = Repeat(branches[0], tuple(e for b in branches[1:] for e in b))
    else:
        block = Optional(tuple(branches))
    stack[-1][2].append(block)


def _ends(pattern: tuple[Element, ...], text: str, starts: frozenset[int]) -> frozenset[int]:
    """Every position of ``text`` where ``pattern`` may end, having started at one of ``starts``."""
    current = starts
    for element in pattern:
        if not current:
            return current
        if isinstance(element, Literal):
            literal = element.text
            current = frozenset(p + len(literal) for p in current if text.startswith(literal, p))
        elif isinstance(element, Variable):
            current = frozenset(range(min(current), len(text) + 1))
        elif isinstance(element, Optional):
            reached = set(current)
            for branch in element.branches:
                reached |= _ends(branch, text, current)
            current = frozenset(reached)
        else:
            reached = set(current)
            frontier = current
            while frontier:
                frontier = _ends(element.body, text, frontier) - reached
                reached |= frontier
            if element.otherwise:
                reached |= _ends(element.otherwise, text, current)
            current = frozenset(reached)
    return current


def matches_root(root_text: str, text: str) -> bool:
    """Whether ``text`` (a rendered clause) is ``root_text`` (the root's clause) but for its variables."""
    plain = _SPACE.sub("", text)
    return len(plain) in _ends(compile_pattern(root_text), plain, frozenset({0}))


def changed_clauses(
    required: tuple[str, ...], clause_texts: tuple[tuple[str, str], ...], root_texts: tuple[tuple[str, str], ...]
) -> list[str]:
    """The required clauses whose text differs from the root's but for its variables (in order)."""
    texts, roots = dict(clause_texts), dict(root_texts)
    return [key for key in required if key in texts and key in roots and not matches_root(roots[key], texts[key])]
