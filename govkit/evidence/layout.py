"""The document a disciplinary board files, as a list of blocks (pure): headings, two-column tables
and paragraphs, drawn from the evidence file's JSON data (govkit.evidence.export.to_json).

Headings and labels are bilingual, the chosen language first; the text (statements, dates) is in the
chosen language, each statement followed by its translation. A renderer turns the blocks into a file:
govkit.evidence.document writes a Word document; a PDF renderer takes the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from govkit.labels import label

Style = Literal["normal", "strong", "emphasis", "small"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: the kind's section; 2: a part of it


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Style = "normal"


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, str], ...]  # (label, value)


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class Layout:
    title: str
    subject: str  # the document's properties: what it is about
    language: str
    blocks: tuple[Block, ...]


LANGUAGES = ("fr", "en")


class _Words:
    """Bilingual labels, the chosen language first, and values in the chosen language."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: fr or en")
        self.language = language

    def label(self, fr: str, en: str) -> str:
        return f"{fr} / {en}" if self.language == "fr" else f"{en} / {fr}"

    def pick(self, fr: str, en: str) -> str:
        return fr if self.language == "fr" else en

    def day(self, value: str | None, none: tuple[str, str] = ("—", "—")) -> str:
        if value is None:
            return self.pick(*none)
        parsed = date.fromisoformat(value)
        return parsed.strftime("%d/%m/%Y") if self.language == "fr" else parsed.isoformat()

    def moment(self, value: str) -> str:
        parsed = datetime.fromisoformat(value).astimezone(UTC)
        shown = parsed.strftime("%d/%m/%Y %H:%M:%S") if self.language == "fr" else parsed.strftime("%Y-%m-%d %H:%M:%S")
        return f"{shown} UTC"


_METHODS = {
    "electronic": ("électronique", "electronic"),
    "paper": ("visa papier", "paper visa"),
    "carried_forward": ("reportée (modification rédactionnelle)", "carried forward (editorial change)"),
}
_CHANGES = {"substantive": ("substantielle", "substantive"), "editorial": ("rédactionnelle", "editorial")}


def layout(data: dict[str, Any], language: str = "fr") -> Layout:
    """The blocks of the evidence file ``data`` (``export.to_json``) in ``language`` (fr or en)."""
    w = _Words(language)
    person, school = data["person"], data["school"]
    day = w.day(data["date"])
    title = w.label("Dossier de preuve", "Evidence file")
    blocks: list[Block] = [
        Paragraph(
            w.pick(
                f"Prise de connaissance des règlements par {person['name']}, au {day}.",
                f"Acknowledgement of the regulations by {person['name']}, on {day}.",
            ),
            "strong",
        ),
        Table(
            (
                (w.label("École", "School"), f"{school['name']} ({school['code']})"),
                (w.label("Personne", "Person"), f"{person['name']} ({person['external_id']})"),
                (w.label("Date examinée", "Date in question"), day),
                (
                    w.label(f"Populations au {w.day(data['date'])}", f"Populations on {w.day(data['date'])}"),
                    ", ".join(person["populations"]) or "—",
                ),
                (
                    w.label(f"À l'école le {day}", f"At the school on {day}"),
                    w.pick("oui", "yes") if person["present"] else w.pick("non", "no"),
                ),
                (w.label("Entrée", "Entry"), w.day(person["entry_date"])),
                (w.label("Départ", "Departure"), w.day(person["departure_date"])),
                (w.label("Langue", "Language"), person["preferred_language"]),
                *(
                    ((w.label("Données personnelles", "Personal data"), person["personal_data_erasure"]),)
                    if person.get("personal_data_erasure")
                    else ()
                ),
                (w.label("Exporté le", "Exported at"), w.moment(data["exported_at"])),
                (w.label("Exporté par", "Exported by"), data["exported_by"]),
                (w.label("Format", "Format"), data["format"]),
            )
        ),
        Heading(w.label("Synthèse", "Summary"), 1),
    ]
    if not data["kinds"]:
        blocks.append(
            Paragraph(
                w.pick(
                    f"Aucun règlement à prendre en connaissance ne concernait {person['name']} le {day} "
                    "(aucune population de l'école à cette date).",
                    f"No regulation to acknowledge concerned {person['name']} on {day} "
                    "(no population of the school on that date).",
                )
            )
        )
    for kind in data["kinds"]:
        blocks.append(Paragraph(_statement(w, kind)))
    for kind in data["kinds"]:
        blocks += _kind(w, kind, data["date"])
    blocks += _chain(w, data)
    return Layout(
        title=title,
        subject=f"{school['code']} {person['external_id']} {data['date']}",
        language=language,
        blocks=tuple(blocks),
    )


def _statement(w: _Words, kind: dict[str, Any]) -> str:
    return w.pick(kind["statement"]["fr"], kind["statement"]["en"])


def _kind(w: _Words, kind: dict[str, Any], day: str) -> list[Block]:
    title = w.label(kind["title"]["fr"], kind["title"]["en"])
    other = "en" if w.language == "fr" else "fr"
    blocks: list[Block] = [
        Heading(title, 1),
        Paragraph(_statement(w, kind), "strong"),
        Paragraph(kind["statement"][other], "emphasis"),
        Paragraph(
            w.label("Populations concernées", "Populations concerned") + " : " + (", ".join(kind["populations"]) or "—")
        ),
    ]
    version = kind["version"]
    if version is None:
        return blocks
    blocks += [
        Heading(w.label(f"Version en vigueur le {w.day(day)}", f"Version in force on {w.day(day)}"), 2),
        _version_table(w, version),
    ]
    if kind["translation"] is not None:
        blocks += [
            Heading(w.label("Version anglaise en vigueur", "English version in force"), 2),
            _version_table(w, kind["translation"]),
        ]
    for key, fr, en in (
        ("acknowledgement", "Prise de connaissance de cette version", "Acknowledgement of this version"),
        ("original", "Prise de connaissance d'origine (reportée)", "Original acknowledgement (carried forward)"),
        (
            "earlier",
            "Dernière prise de connaissance d'une version antérieure",
            "Latest acknowledgement of an earlier version",
        ),
    ):
        if kind[key] is not None:
            blocks += _acknowledgement(w, w.label(fr, en), kind[key])
    return blocks


def _version_table(w: _Words, version: dict[str, Any]) -> Table:
    change = _CHANGES.get(version["change_kind"], (version["change_kind"], version["change_kind"]))
    return Table(
        (
            (w.label("Version", "Version"), f"{version['number']} ({version['language']})"),
            (w.label("En vigueur à partir du", "In force from"), w.day(version["effective_from"])),
            (
                w.label("En vigueur jusqu'au (exclu)", "In force until (exclusive)"),
                w.day(version["effective_to"], ("toujours en vigueur", "still in force")),
            ),
            (w.label("Nature de la modification", "Change"), w.pick(*change)),
            (w.label("Note de version", "Changelog"), version["changelog"]),
            (w.label("Empreinte SHA-256 du document", "Document SHA-256"), version["sha256"]),
            (w.label("Téléchargement", "Download"), version["download_url"]),
            (w.label("Publiée le", "Published at"), w.moment(version["published_at"])),
            (w.label("Publiée par", "Published by"), version["published_by"]),
        )
    )


def _acknowledgement(w: _Words, heading: str, record: dict[str, Any]) -> list[Block]:
    method = _METHODS.get(record["method"], (record["method"], record["method"]))
    rows = [
        (w.label("Version", "Version"), f"{record['version']} ({record['language']})"),
        (w.label("Empreinte SHA-256 du document", "Document SHA-256"), record["document_sha256"]),
        (w.label("Mode", "Method"), w.pick(*method)),
        (w.label("Date et heure", "Date and time"), w.moment(record["acknowledged_at"])),
        (w.label("Document présenté", "Document shown"), _shown(w, record)),
        (w.label("Authentification", "Authentication"), record["authentication"]),
        (w.label("Enregistré par", "Recorded by"), record["recorded_by"]),
    ]
    if record["reason"]:
        rows.append((w.label("Motif", "Reason"), record["reason"]))
    rows += [
        (w.label("Code de vérification", "Verification code"), record["verification_code"]),
        (w.label("Vérification", "Verification"), record["verification_url"]),
    ]
    link = record["chain"]
    yes_no = w.pick("oui", "yes") if link["verified"] else w.pick("NON", "NO")
    return [
        Heading(heading, 2),
        Table(tuple(rows)),
        Paragraph(w.label("Texte accepté", "Wording accepted") + " :", "strong"),
        Paragraph(record["wording"], "emphasis"),
        Paragraph(w.label("Preuve de chaînage", "Chain proof") + " :", "strong"),
        Table(
            (
                (w.label("Position dans la chaîne", "Position in the chain"), str(link["position"])),
                (w.label("Empreinte de l'enregistrement", "Record hash"), link["record_hash"]),
                (w.label("Empreinte précédente", "Previous hash"), link["previous_hash"]),
                (w.label("Empreinte recalculée et liée", "Hash recomputed and linked"), yes_no),
            )
        ),
        Paragraph(w.label("Contenu haché", "Hashed content") + " : " + link["hashed_body"], "small"),
    ]


def _shown(w: _Words, record: dict[str, Any]) -> str:
    """When and how the version was delivered before it was accepted (proof of display)."""
    if record.get("shown_at"):
        via = record.get("shown_via") or ""
        return (
            f"{w.moment(record['shown_at'])} ({w.pick(label('shown_via', via, 'fr'), label('shown_via', via, 'en'))})"
        )
    if record["method"] == "paper":
        return w.pick("visa sur papier : présenté hors de govkit", "paper visa: shown outside govkit")
    if record["method"] == "carried_forward":
        return w.pick("report : pas de nouvelle présentation", "carried forward: no new display")
    return w.pick("non enregistré (avant l'enregistrement des présentations)", "not recorded (before deliveries were)")


def _chain(w: _Words, data: dict[str, Any]) -> list[Block]:
    head = data["chain_head"]
    return [
        Heading(w.label("Chaîne des prises de connaissance", "Acknowledgement chain"), 1),
        Table(
            (
                (w.label("Tête de la chaîne à l'export", "Chain head at export"), str(head["id"])),
                (w.label("Empreinte de la tête", "Head hash"), head["hash"]),
                (w.label("Enregistrements", "Records"), str(head["records"])),
            )
        ),
        Paragraph(
            w.pick(
                "Chaque enregistrement est lié au précédent : son empreinte est le SHA-256 (hexadécimal) de "
                "l'empreinte précédente, d'un saut de ligne et du contenu haché ci-dessus. Toute modification "
                "d'un enregistrement rompt la chaîne jusqu'à sa tête ; `govkit audit verify` la parcourt entière.",
                "Each record is linked to the one before it: its hash is the SHA-256 (hexadecimal) of the previous "
                "hash, a line feed and the hashed content above. Any change to a record breaks the chain up to its "
                "head; `govkit audit verify` walks all of it.",
            ),
            "small",
        ),
    ]
