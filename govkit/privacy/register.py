"""The register of processing (GDPR art. 30), generated from the code: for each category of personal
data (govkit.privacy.categories) its purpose, legal basis, recipients, retention, where it is erased,
and every (table, column) the models declare personal of that category (govkit.privacy.declarations).

Pure functions: ``build`` reads a metadata (``SQLModel.metadata`` once govkit.models is imported),
``as_json`` and ``as_markdown`` render the register in French or English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from govkit.access.policy import Scope
from govkit.labels import label
from govkit.privacy.categories import CATEGORIES, Description, Recipient, Text, recipients
from govkit.privacy.declarations import Category, declaration_of
from govkit.settings import Settings

__all__ = [
    "LANGUAGES",
    "Entry",
    "PersonalColumn",
    "Register",
    "as_json",
    "as_markdown",
    "build",
    "personal_columns",
    "words",
]

LANGUAGES = ("fr", "en")

WORDS: dict[str, Text] = {
    "title": Text(fr="Registre des traitements de données personnelles", en="Register of processing of personal data"),
    "intro": Text(
        fr="Ce registre est produit à partir du code de govkit : chaque colonne des tables qui concernent des "
        "personnes déclare si elle contient des données personnelles, et de quelle catégorie. Responsable du "
        "traitement : l'école ou le groupe qui utilise govkit ; pour exercer vos droits (accès, rectification, "
        "effacement, opposition), adressez-vous à son délégué à la protection des données ; vous pouvez aussi "
        "saisir la CNIL.",
        en="This register is generated from govkit's code: every column of the tables that concern persons "
        "declares whether it holds personal data, and of which category. Controller: the school or the group "
        "that uses govkit; to exercise your rights (access, correction, erasure, objection), write to its data "
        "protection officer; you may also complain to the CNIL.",
    ),
    "purpose": Text(fr="Finalité", en="Purpose"),
    "legal_basis": Text(fr="Base légale", en="Legal basis"),
    "recipients": Text(fr="Destinataires", en="Recipients"),
    "retention": Text(fr="Durée de conservation", en="Retention"),
    "erased_by": Text(fr="Effacement", en="Erased by"),
    "columns": Text(fr="Colonnes", en="Columns"),
    "table": Text(fr="Table", en="Table"),
    "column": Text(fr="Colonne", en="Column"),
    "no_columns": Text(fr="Aucune colonne pour l'instant.", en="No column yet."),
    "nowhere": Text(fr="Pas d'effacement : voir la durée de conservation.", en="Not erased: see the retention."),
    "setting": Text(fr="réglage", en="setting"),
    "default": Text(fr="par défaut", en="default"),
    "years": Text(fr="ans", en="years"),
    "days": Text(fr="jours", en="days"),
    Scope.ANYWHERE.value: Text(fr="toutes les écoles", en="every school"),
    Scope.OWN_ORGANISATION.value: Text(fr="sa propre école", en="their own school"),
    "needs_scope": Text(fr="avec la portée nommée", en="with the named scope"),
}


@dataclass(frozen=True, order=True)
class PersonalColumn:
    table: str
    column: str


@dataclass(frozen=True)
class Entry:
    """One category of the register: what categories.py says of it, and its columns."""

    description: Description
    recipients: tuple[Recipient, ...]
    columns: tuple[PersonalColumn, ...]


@dataclass(frozen=True)
class Register:
    entries: tuple[Entry, ...]

    def columns(self) -> set[tuple[str, str, str]]:
        """Every (table, column, category) of the register."""
        return {(c.table, c.column, e.description.category.value) for e in self.entries for c in e.columns}


def personal_columns(metadata: sa.MetaData) -> dict[Category, list[PersonalColumn]]:
    """The columns of ``metadata`` declared personal, by category, sorted."""
    found: dict[Category, list[PersonalColumn]] = {category: [] for category in Category}
    for table in metadata.tables.values():
        for column in table.columns:
            declaration = declaration_of(column)
            if declaration and declaration.get("personal"):
                found[Category(declaration["category"])].append(PersonalColumn(table.name, column.name))
    return {category: sorted(columns) for category, columns in found.items()}


def build(metadata: sa.MetaData) -> Register:
    """The register of ``metadata``'s declarations: one entry per category, in ``Category`` order."""
    columns = personal_columns(metadata)
    return Register(
        tuple(
            Entry(CATEGORIES[category], tuple(recipients(category)), tuple(columns[category])) for category in Category
        )
    )


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def _retention(entry: Entry, language: str, settings: Settings | None) -> dict[str, Any]:
    retention = entry.description.retention
    default = retention.default
    value = getattr(settings, retention.setting) if settings is not None and retention.setting else default
    return {
        "text": retention.text.in_language(language).replace("{n}", str(value)),
        "setting": retention.setting,
        "environment": f"GOVKIT_{retention.setting.upper()}" if retention.setting else None,
        "value": value,
        "default": default,
        "unit": retention.unit,
    }


def as_json(register: Register, language: str = "fr", settings: Settings | None = None) -> dict[str, Any]:
    """The register as JSON-serialisable data, its texts in ``language``; the retention periods are
    those of ``settings`` (a deployment's), their defaults without."""
    language = _language(language)
    return {
        "title": WORDS["title"].in_language(language),
        "language": language,
        "introduction": WORDS["intro"].in_language(language),
        "categories": [
            {
                "id": entry.description.category.value,
                "title": entry.description.title.in_language(language),
                "purpose": entry.description.purpose.in_language(language),
                "legal_basis": entry.description.legal_basis.in_language(language),
                "recipients": [
                    {
                        "role": r.role.value,
                        "label": label("role", r.role.value, language),
                        "scope": r.scope.value,
                        "scope_label": WORDS[r.scope.value].in_language(language)
                        + (f" — {WORDS['needs_scope'].in_language(language)} {r.needs_scope}" if r.needs_scope else ""),
                        "needs_scope": r.needs_scope,
                    }
                    for r in entry.recipients
                ],
                "recipients_note": entry.description.recipients_note.in_language(language),
                "retention": _retention(entry, language, settings),
                "erased_by": list(entry.description.erased_by),
                "columns": [{"table": c.table, "column": c.column} for c in entry.columns],
            }
            for entry in register.entries
        ],
    }


def words(language: str) -> dict[str, str]:
    """The register's headings and words in ``language`` (for the pages)."""
    return {key: text.in_language(_language(language)) for key, text in WORDS.items()}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(register: Register, language: str = "fr", settings: Settings | None = None) -> str:
    """The register as a Markdown document, its texts in ``language`` (retention: as ``as_json``)."""
    data = as_json(register, language, settings)

    def w(key: str) -> str:
        return WORDS[key].in_language(language)

    lines = [f"# {data['title']}", "", data["introduction"], ""]
    for category in data["categories"]:
        retention = category["retention"]
        if retention["setting"]:
            unit = w(retention["unit"])
            setting = (
                f" ({w('setting')} `{retention['environment']}` = {retention['value']} {unit},"
                f" {w('default')} {retention['default']})"
            )
        else:
            setting = ""
        roles = ", ".join(f"{r['label']} ({r['scope_label']})" for r in category["recipients"])
        erased = ", ".join(f"`{name}`" for name in category["erased_by"]) or w("nowhere")
        colon = " :" if language == "fr" else ":"
        lines += [
            f"## {category['title']} (`{category['id']}`)",
            "",
            f"- **{w('purpose')}**{colon} {category['purpose']}",
            f"- **{w('legal_basis')}**{colon} {category['legal_basis']}",
            f"- **{w('recipients')}**{colon} {roles}. {category['recipients_note']}",
            f"- **{w('retention')}**{colon} {retention['text']}{setting}",
            f"- **{w('erased_by')}**{colon} {erased}",
            "",
        ]
        if category["columns"]:
            lines += [f"| {w('table')} | {w('column')} |", "| --- | --- |"]
            lines += [f"| `{_cell(c['table'])}` | `{_cell(c['column'])}` |" for c in category["columns"]]
        else:
            lines.append(w("no_columns"))
        lines.append("")
    return "\n".join(lines)
