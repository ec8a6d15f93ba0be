"""Synthetic students and staff for the demo: deterministic, obviously fictitious."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from govkit.vocabulary import Population

GIVEN_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Emma",
    "Sarah",
    "Zoé",
    "Lina",
    "Alice",
    "Clara",
    "Anaïs",
    "Nour",
    "Maëlle",
    "Lucas",
    "Hugo",
    "Louis",
    "Nathan",
    "Gabriel",
    "Arthur",
    "Jules",
    "Adam",
    "Raphaël",
    "Paul",
    "Yanis",
    "Noah",
    "Sacha",
    "Malo",
    "Tom",
    "Amadou",
    "Mei",
    "Yuki",
    "Sofia",
    "Ana",
    "Mateo",
    "Omar",
    "Priya",
    "Elif",
    "Jonas",
    "Ines",
    "Kofi",
    "Leila",
    "Dang",
]
FAMILY_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Nguyen",
    "Diallo",
    "Haddad",
    "Kowalski",
    "Rossi",
    "Silva",
    "Tanaka",
    "Yilmaz",
    "Benali",
    "Le",
    "Gall",
    "Kerjean",
    "Quéméner",
]

#: (population, share of a school's persons, extra populations sometimes held)
MIX: tuple[tuple[Population, float], ...] = (
    (Population.STUDENT, 0.56),
    (Population.APPRENTICE, 0.10),
    (Population.DOCTORAL_STUDENT, 0.08),
    (Population.STAFF, 0.20),
    (Population.ADJUNCT, 0.04),
    (Population.CONTRACTOR, 0.02),
)
PREFIX = {
    Population.STUDENT: "E",
    Population.APPRENTICE: "A",
    Population.DOCTORAL_STUDENT: "D",
    Population.STAFF: "P",
    Population.ADJUNCT: "V",
    Population.CONTRACTOR: "C",
}


@dataclass(frozen=True)
class SyntheticPerson:
    external_id: str
    given_name: str
    family_name: str
    email: str
    populations: tuple[Population, ...]
    entry_date: date
    residence_code: str | None
    preferred_language: str


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def generate(school_code: str, residences: list[str], count: int = 300) -> list[SyntheticPerson]:
    """``count`` persons for a school; the same inputs always give the same persons."""
    rng = random.Random(f"govkit-demo:{school_code}")  # noqa: S311 - reproducible, not secret
    people: list[SyntheticPerson] = []
    serial = 0
    for population, share in MIX:
        for _ in range(max(1, round(count * share))):
            serial += 1
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            populations = [population]
            residence = None
            learner = population in (Population.STUDENT, Population.APPRENTICE)
            if learner and residences and rng.random() < 0.35:
                residence = rng.choice(residences)
                populations.append(Population.RESIDENT)
            if population is Population.DOCTORAL_STUDENT and rng.random() < 0.3:
                populations.append(Population.STAFF)  # doctoral students employed by the school
            year = (
                rng.randint(2021, 2025)
                if learner or population is Population.DOCTORAL_STUDENT
                else rng.randint(2001, 2025)
            )
            people.append(
                SyntheticPerson(
                    external_id=f"{PREFIX[population]}{serial:05d}",
                    given_name=given,
                    family_name=family,
                    email=f"{_ascii(given)}.{_ascii(family)}.{serial}@{school_code}.example",
                    populations=tuple(populations),
                    entry_date=date(year, 9, 1) if learner else date(year, rng.randint(1, 12), 1),
                    residence_code=residence,
                    preferred_language="en" if rng.random() < 0.12 else "fr",
                )
            )
    return people
