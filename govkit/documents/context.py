"""The rendering context of a variant: a school's profile as template variables."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govkit.documents.kinds import catalogue
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.vocabulary import ResidenceManager

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "managed_by": {
        "fr": {
            "school": "gérée par l'école",
            "alumni_association": "gérée par l'association des anciens élèves",
            "student_association": "gérée par une association d'élèves",
            "crous": "gérée par le CROUS",
            "private": "gérée par un gestionnaire privé",
            "other": "gérée par un tiers",
        },
        "en": {
            "school": "run by the school",
            "alumni_association": "run by the alumni association",
            "student_association": "run by a student association",
            "crous": "run by the CROUS",
            "private": "run by a private operator",
            "other": "run by a third party",
        },
    },
    "listening_cell": {
        "fr": {
            "internal": "interne à l'école",
            "external": "assurée par un partenaire extérieur",
            "shared": "mutualisée avec d'autres établissements",
            "mixed": "interne et assurée avec des partenaires",
        },
        "en": {
            "internal": "run by the school",
            "external": "provided by an external partner",
            "shared": "shared with other institutions",
            "mixed": "run by the school with partners",
        },
    },
    "reporting_channel": {
        "fr": {
            "platform": "plateforme de signalement en ligne",
            "email": "adresse électronique dédiée",
            "in_person": "entretien avec une personne désignée",
            "form": "formulaire de signalement",
        },
        "en": {
            "platform": "online reporting platform",
            "email": "dedicated e-mail address",
            "in_person": "interview with a designated person",
            "form": "reporting form",
        },
    },
}

#: Top-level variables and their shape, for checking templates before any render.
CONTEXT_ROOTS = ("school", "campuses", "residences_by_school", "residences_by_others", "document", "provisions")
RESIDENCE_EXTRA = ("managed_by_label",)
DOCUMENT_FIELDS = ("kind", "language", "title", "root_version")
CAMPUS_FIELDS = ("code", "name")
RENDER_CONTEXT_VERSION = "2"  # 2: the school's local provisions (``provisions``)


@dataclass(frozen=True)
class DocumentInfo:
    kind: str
    language: str
    title: str
    root_version: int


def build_context(
    *,
    code: str,
    profile: SchoolProfile,
    campuses: list[tuple[str, str]],
    document: DocumentInfo,
    provisions: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Plain data (JSON-able) for a variant; ``None`` means unknown.

    ``provisions``: the paragraphs of the school's approved local provisions by place
    (govkit.documents.provisions); every place of the kind is present, an empty list when it has none.
    """
    language = document.language
    school = profile.model_dump(mode="json")
    school["code"] = code
    if school.get("listening_cell"):
        school["listening_cell"]["kind_label"] = LABELS["listening_cell"][language][school["listening_cell"]["kind"]]
    if school.get("reporting_channel"):
        kind = school["reporting_channel"]["kind"]
        school["reporting_channel"]["kind_label"] = LABELS["reporting_channel"][language][kind]
    residences = school["housing"]["residences"]
    for residence in residences:
        residence["managed_by_label"] = LABELS["managed_by"][language][residence["managed_by"]]
    return {
        "school": school,
        "campuses": [{"code": c, "name": n} for c, n in campuses],
        "residences_by_school": [r for r in residences if r["managed_by"] == ResidenceManager.SCHOOL.value],
        "residences_by_others": [r for r in residences if r["managed_by"] != ResidenceManager.SCHOOL.value],
        "document": {
            "kind": document.kind,
            "language": language,
            "title": document.title,
            "root_version": document.root_version,
        },
        "provisions": {place: list((provisions or {}).get(place, ())) for place in provision_places(document.kind)},
    }


def provision_places(kind: str) -> tuple[str, ...]:
    """The keys of the provision places of ``kind`` (none for a kind the catalogue does not know)."""
    spec = catalogue().kinds.get(kind)
    return tuple(p.key for p in spec.provision_places) if spec else ()


def context_sha256(context: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(context, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
