"""The texts of the notices: templates/<kind>.<language>.txt rendered in a sandboxed Jinja
environment (plain text: no HTML escaping; a missing value is an error, never a blank).

A template's first line is the subject, then an empty line, then the body. The body of a
message to a person holds ``LINK`` where their one-click sign-in link goes (issued at sending).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from govkit.notifications.vocabulary import NoticeKind

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fr", "en")
#: Where the person's sign-in link goes in a stored body (replaced when the message is sent).
LINK = "[lien personnel / personal link]"
SUBJECT_CHARS = 300

_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date, language: str) -> str:
    """« 15 janvier 2027 », "15 January 2027"."""
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def template_name(kind: NoticeKind | str, language: str) -> str:
    return f"{NoticeKind(kind).value}.{language if language in LANGUAGES else 'fr'}.txt"


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # text/plain messages
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Rendered:
    template: str
    language: str
    subject: str
    body: str


def render(kind: NoticeKind | str, language: str, values: dict[str, Any]) -> Rendered:
    """The subject and body of a notice of ``kind`` in ``language`` (French when it has none)."""
    return render_named(template_name(kind, language), values)


def render_named(name: str, values: dict[str, Any]) -> Rendered:
    """The subject and body of the template ``name`` (``<what>.<language>.txt``) of templates/."""
    text = _environment().get_template(name).render(**values)
    subject, _, body = text.partition("\n\n")
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_CHARS:
        subject = subject[: SUBJECT_CHARS - 1] + "…"
    return Rendered(name.removesuffix(".txt"), name.split(".")[1], subject, body.strip("\n") + "\n")


@dataclass(frozen=True)
class TemplateText:
    kind: str
    language: str
    name: str
    source: str


def template_sources() -> list[TemplateText]:
    """Every template's source, by kind then language (what legal staff read)."""
    return [
        TemplateText(
            kind.value,
            language,
            template_name(kind, language),
            (TEMPLATES / template_name(kind, language)).read_text(encoding="utf-8"),
        )
        for kind in NoticeKind
        for language in LANGUAGES
    ]
