"""Where people without an account find the documents: the public addresses and their file names.

Two addresses per document, each in three formats (``pdf``, ``html``, ``docx``):

- **in force**, ``/public/{school}/{kind}.{language}.{format}``, e.g.
  ``/public/imt-atlantique/internal.fr.pdf``: always the version in force today (a new version
  takes over the same address on its effective date); the address an intranet or a public web
  page links to;
- **permanent**, ``/public/documents/{sha256}.{format}``: one published version, by the SHA-256 of
  its .docx, for ever (what an acknowledgement, an e-mail or an archive cites).

``{kind}`` is the catalogue's key of the kind (govkit/documents/templates/kinds.yaml), the same key
the GraphQL ``kind`` arguments take. A reflex sheet's key carries its audience after a dot, so its
addresses do too: ``/public/imt-atlantique/reflex_sheet.student_victim.fr.pdf``. Language and
format never contain a dot, so a file name reads unambiguously from its end. The index of a
school's documents in force is ``/public/{school}`` (HTML) and ``/public/{school}.json``.

Which kinds are public is ``GOVKIT_PUBLIC_KINDS`` (kind keys, or base kinds standing for each of
their keys: ``reflex_sheet`` is every audience). URLs are absolute with ``GOVKIT_PUBLIC_URL``
(relative when it is empty).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, cast

from govkit.documents.kinds import LANGUAGES, catalogue
from govkit.documents.published import slug
from govkit.errors import NotFound
from govkit.settings import PUBLIC_KINDS, Settings

Format = Literal["pdf", "html", "docx"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The formats of a public document and their content types.
MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "docx": DOCX}
FORMATS: tuple[Format, ...] = ("pdf", "html", "docx")
PREFIX = "/public"
#: The folder of the permanent addresses (a school's code cannot be this word).
PERMANENT = "documents"

_FILE = re.compile(r"(?P<kind>[a-z_]{1,40}(?:\.[a-z_]{1,40})?)\.(?P<language>[a-z]{2})\.(?P<format>[a-z]{3,4})")
_PERMANENT_FILE = re.compile(r"(?P<sha256>[0-9a-f]{64})\.(?P<format>[a-z]{3,4})")


def public_kinds(entries: Iterable[str]) -> frozenset[str]:
    """The kind keys named by ``entries`` (keys, or base kinds for all their keys); ValueError
    naming an entry that is neither."""
    kinds = catalogue().kinds
    found: set[str] = set()
    for entry in entries:
        matching = [key for key, spec in kinds.items() if entry in (key, spec.kind)]
        if not matching:
            raise ValueError(
                f"GOVKIT_PUBLIC_KINDS: unknown document kind {entry!r} (kinds: {', '.join(kinds)}; "
                "or a base kind such as reflex_sheet)"
            )
        found.update(matching)
    return frozenset(found)


@dataclass(frozen=True)
class Addresses:
    """The public addresses of documents, absolute under ``base`` (``GOVKIT_PUBLIC_URL``)."""

    base: str = ""
    public: frozenset[str] = field(default_factory=lambda: public_kinds(PUBLIC_KINDS))

    @classmethod
    def of(cls, settings: Settings) -> Addresses:
        """The addresses of ``settings`` (ValueError for an unknown kind in GOVKIT_PUBLIC_KINDS)."""
        return _addresses(settings.public_url, tuple(settings.public_kinds))

    def absolute(self, path: str) -> str:
        """``path`` (starting with /) under the public URL."""
        return f"{self.base}{path}"

    def is_public(self, kind: str) -> bool:
        return kind in self.public

    def in_force(self, school: str, kind: str, language: str, fmt: Format) -> str:
        return self.absolute(f"{PREFIX}/{school}/{kind}.{language}.{fmt}")

    def permanent(self, sha256: str, fmt: Format) -> str:
        return self.absolute(f"{PREFIX}/{PERMANENT}/{sha256}.{fmt}")

    def index(self, school: str, *, json: bool = False) -> str:
        return self.absolute(f"{PREFIX}/{school}{'.json' if json else ''}")

    def links(self, school: str, kind: str, language: str, sha256: str) -> dict[str, str | None]:
        """Every public URL of a version (the in-force ones as of today's version): None each for a
        kind that is not public."""
        public = self.is_public(kind)
        return {
            "public_url": self.in_force(school, kind, language, "html") if public else None,
            "pdf_url": self.in_force(school, kind, language, "pdf") if public else None,
            "html_url": self.in_force(school, kind, language, "html") if public else None,
            "docx_url": self.in_force(school, kind, language, "docx") if public else None,
            "permanent_url": self.permanent(sha256, "pdf") if public else None,
        }


@lru_cache(maxsize=16)
def _addresses(public_url: str, kinds: tuple[str, ...]) -> Addresses:
    return Addresses(base=public_url.rstrip("/"), public=public_kinds(kinds))


@dataclass(frozen=True)
class Wanted:
    """What a public in-force address names."""

    kind: str
    language: str
    format: Format


def check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise NotFound(f"No format {fmt!r}: a public document is .pdf, .html or .docx.")
    return cast(Format, fmt)


def read_file_name(name: str) -> Wanted:
    """The kind, language and format of ``{kind}.{language}.{format}``; NotFound saying what is wrong."""
    match = _FILE.fullmatch(name)
    if match is None:
        raise NotFound(
            f"No public document {name[:80]!r}: an address reads /public/<school>/<kind>.<language>.<format>, "
            "e.g. /public/imt-atlantique/internal.fr.pdf."
        )
    kind, language = match["kind"], match["language"]
    if kind not in catalogue().kinds:
        raise NotFound(f"No document kind {kind!r}: the kinds are {', '.join(catalogue().kinds)}.")
    if language not in LANGUAGES:
        raise NotFound(f"No language {language!r}: documents are in {' or '.join(LANGUAGES)}.")
    return Wanted(kind, language, check_format(match["format"]))


def read_permanent_name(name: str) -> tuple[str, Format]:
    """The SHA-256 and format of ``{sha256}.{format}``; NotFound saying what is wrong."""
    match = _PERMANENT_FILE.fullmatch(name)
    if match is None:
        raise NotFound(
            f"No public document {name[:80]!r}: a permanent address reads "
            "/public/documents/<the 64 hexadecimal characters of its SHA-256>.<pdf|html|docx>."
        )
    return match["sha256"], check_format(match["format"])


def file_name(*, school: str, kind: str, language: str, version: int, fmt: str) -> str:
    """A readable name for the downloaded file: ``reglement-interieur-imt-atlantique-v3.fr.pdf``."""
    title = catalogue().kind(kind).title.get(language)
    return f"{slug(title)}-{school}-v{version}.{language}.{fmt}"
