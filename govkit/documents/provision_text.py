"""The text of a local provision: plain paragraphs, checked before it is stored, and tried in the
same sandbox and guard as any template text.

A provision is data, never template source: at its place the root template prints each paragraph
as a value (``{{ provision_paragraph }}``), which the sandbox escapes and never evaluates. Text that
looks like a template anyway — Jinja or docxtpl tags, clause markers — is refused with the
paragraph that holds it, so that what legal staff approve is what the school's readers see.
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from govkit.documents.guard import _story_problems
from govkit.documents.inspect import paragraph_text
from govkit.documents.ooxml import NS
from govkit.documents.render import SAFE_PARSER
from govkit.documents.sandbox import TemplateSandbox, wrap
from govkit.errors import InvalidInput, Problem

MAX_PARAGRAPHS = 20
MAX_CHARACTERS = 6000  # of one language's text
#: What would be template syntax in a root template (Jinja, docxtpl's escapes) or a source's markers.
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\{_|_\}|^\s*:::", re.M)
#: One paragraph printed as the root template's provision places print it.
_TRIAL = (
    f'<w:body xmlns:w="{NS["w"]}">{{% for paragraph in paragraphs %}}'
    '<w:p><w:r><w:t xml:space="preserve">{{ paragraph }}</w:t></w:r></w:p>{% endfor %}</w:body>'
)
_SANDBOX = TemplateSandbox()


def _refused_character(text: str) -> str | None:
    for character in text:
        if character in "\n\t":
            continue
        category = unicodedata.category(character)
        if category in ("Cc", "Cs", "Co", "Cn") or character in "\ufffe\uffff":
            return f"U+{ord(character):04X}"
    return None


def paragraphs_of(text: str, language: str) -> list[str]:
    """The paragraphs of a provision's text (one per non-empty line), or InvalidInput naming each problem."""
    label = {"fr": "French", "en": "English"}[language]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    problems: list[Problem] = []
    if not paragraphs:
        problems.append(Problem(f"text_{language}", f"the {label} text is empty"))
    if len(text) > MAX_CHARACTERS:
        problems.append(Problem(f"text_{language}", f"the {label} text is over {MAX_CHARACTERS} characters"))
    if len(paragraphs) > MAX_PARAGRAPHS:
        problems.append(Problem(f"text_{language}", f"the {label} text has over {MAX_PARAGRAPHS} paragraphs"))
    for number, paragraph in enumerate(paragraphs, 1):
        where = f"text_{language} ¶{number}"
        refused = _refused_character(paragraph)
        if refused:
            problems.append(Problem(where, f"control or unassigned character {refused} is not accepted"))
        syntax = _TEMPLATE_SYNTAX.search(paragraph)
        if syntax:
            problems.append(
                Problem(
                    where,
                    f"{syntax.group(0).strip()!r} is template or clause syntax: a provision is plain text "
                    "(it cannot hold tags, variables or clause markers)",
                )
            )
    if problems:
        raise InvalidInput(
            f"The {label} text of the provision is refused: " + "; ".join(f"{p.path}: {p.message}" for p in problems),
            problems=problems,
            key="provision_text_refused",
            params={"language": language, "problems": "; ".join(f"{p.path}: {p.message}" for p in problems)},
        )
    trial(paragraphs)
    return paragraphs


def trial(paragraphs: list[str]) -> None:
    """Print ``paragraphs`` in the sandbox as a root template does, read them back through the guard's
    checks of a story part: InvalidInput unless they come back exactly, as plain text."""
    xml = _SANDBOX.from_string(_TRIAL).render(paragraphs=wrap(paragraphs, "provision"))
    try:
        root = etree.fromstring(xml.encode("utf-8"), SAFE_PARSER)
    except etree.XMLSyntaxError as exc:  # not expected once the characters are checked
        raise InvalidInput(f"The provision's text does not print as plain text ({exc}).") from exc
    found = _story_problems("provision", root)
    read_back = [paragraph_text(p) for p in root.iter(f"{{{NS['w']}}}p")]
    if found or read_back != paragraphs:
        said = "; ".join(f.message for f in found) or "it does not read back as written"
        raise InvalidInput(f"The provision's text does not print as plain text: {said}.")
