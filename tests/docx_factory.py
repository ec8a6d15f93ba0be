"""Small, valid root templates for tests, and ways to make them hostile."""

from __future__ import annotations

from govkit.documents.build import build_docx
from govkit.documents.kinds import catalogue
from govkit.documents.ooxml import read_entries, rezip
from govkit.documents.source import parse_source


def minimal_source(kind: str = "internal", language: str = "fr", body: str = "", extra_clause: str = "") -> str:
    spec = catalogue().kind(kind)
    clauses = []
    for key in spec.required_clauses:
        text = f"Texte de la clause {key} pour {{{{ school.short_name }}}}."
        if key == extra_clause:
            text += "\n\n" + body
        clauses.append(f"::: clause {key}\n## {key}\n{text}\n:::\n")
    head = (
        f'---\nkind: {kind}\nlanguage: {language}\ntitle: "Essai {{{{ school.short_name }}}}"\n'
        f'header: "{{{{ school.official_name }}}}"\nfooter: "Version {{{{ document.root_version }}}}"\n---\n'
        "# Titre de {{ school.official_name }}\n\n"
    )
    return head + (body + "\n\n" if body and not extra_clause else "") + "\n".join(clauses)


def minimal_docx(kind: str = "internal", language: str = "fr", body: str = "", extra_clause: str = "") -> bytes:
    return build_docx(parse_source(minimal_source(kind, language, body, extra_clause)), catalogue())


def mutate(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The same package with some entries replaced or added (after the existing ones)."""
    entries = [(name, (replace or {}).get(name, content)) for name, content in read_entries(data)]
    entries += list((add or {}).items())
    return rezip(entries)


def entry(data: bytes, name: str) -> bytes:
    return dict(read_entries(data))[name]
