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


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
AUTHOR = "Maître Dupont"
WHEN = "2026-03-02T10:00:00Z"


def _change(tag: str, change_id: int, runs: str, author: str = AUTHOR) -> str:
    return f'<w:{tag} w:id="{change_id}" w:author="{author}" w:date="{WHEN}">{runs}</w:{tag}>'


def _run(text: str, bold: bool = False, deleted: bool = False) -> str:
    node = "w:delText" if deleted else "w:t"
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<w:r>{properties}<{node} xml:space="preserve">{escaped}</{node}></w:r>'


def tracked_docx(
    kind: str = "internal",
    key: str = "vss.reporting",
    inserted: str = "dans les huit jours ",
    deleted: str = "Texte",
    new_paragraph: str = "Un paragraphe ajouté avec un mot important.",
    deleted_key: str | None = "vss.definitions",
    deleted_tag: str = "",
) -> bytes:
    """A root template as a lawyer sends it back from Word with "Track changes" on, in clause ``key``:
    the word ``deleted`` deleted and ``inserted`` inserted in its text paragraph, a whole paragraph
    inserted (its last word bold), and in clause ``deleted_key`` a whole paragraph deleted;
    ``deleted_tag``: a tag deleted too, before the word (text the lawyer's own copy had)."""
    data = minimal_docx(kind=kind)
    document = entry(data, "word/document.xml").decode()
    ids = iter(range(100, 200))

    def clause_text(clause: str) -> tuple[int, int]:
        """Start and end of the run of the clause's text paragraph (the one after its heading)."""
        start = document.index(f"Texte de la clause {clause} pour", document.index(f"govkit:clause:{clause}"))
        run_start = document.rindex("<w:r>", 0, start)
        return run_start, document.index("</w:r>", start) + len("</w:r>")

    start, end = clause_text(key)
    text = f"Texte de la clause {key} pour {{{{ school.short_name }}}}."
    head, _, tail = text.partition(deleted)
    runs = (
        _run(head)
        + _change("del", next(ids), _run(deleted_tag + deleted, deleted=True))
        + _change("ins", next(ids), _run(inserted))
        + _run(tail)
    )
    paragraph_end = document.index("</w:p>", end) + len("</w:p>")
    words, last = new_paragraph.rsplit(" ", 1)[0] + " ", new_paragraph.rsplit(" ", 1)[1]
    added = (
        f"<w:p><w:pPr><w:rPr>{_change('ins', next(ids), '')}</w:rPr></w:pPr>"
        + _change("ins", next(ids), _run(words) + _run(last, bold=True))
        + "</w:p>"
    )
    document = document[:start] + runs + document[end:paragraph_end] + added + document[paragraph_end:]
    if deleted_key:
        start, end = clause_text(deleted_key)
        paragraph_start = document.rindex("<w:p>", 0, start)
        paragraph_end = document.index("</w:p>", end) + len("</w:p>")
        body = document[start:end].replace("<w:t", "<w:delText").replace("</w:t>", "</w:delText>")
        removed = (
            f"<w:p><w:pPr><w:rPr>{_change('del', next(ids), '')}</w:rPr></w:pPr>"
            + _change("del", next(ids), body)
            + "</w:p>"
        )
        document = document[:paragraph_start] + removed + document[paragraph_end:]
    settings = entry(data, "word/settings.xml").decode()
    settings = settings.replace("<w:zoom ", "<w:trackRevisions/><w:zoom ", 1)
    return mutate(data, replace={"word/document.xml": document.encode(), "word/settings.xml": settings.encode()})
