"""Document kinds and the clause library, read from the package data in documents/templates/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govkit.errors import InvalidInput, Problem
from govkit.vocabulary import Population

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fr", "en")
AUDIENCES = ("student_victim", "student_witness", "staff_victim", "staff_witness", "decision_makers")
BASE_KINDS = ("internal", "study", "housing", "equality_annex", "reflex_sheet")


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


class ProvisionPlace(BaseModel):
    """A place in a kind's root template where a school may add its own provisions (govkit.documents.provisions):
    outside every clause, rendered with the school's approved text, or nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    title: Bilingual


class KindSpec(BaseModel):
    """One document kind: a regulation, the annex, or a reflex sheet for one audience."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    kind: str
    audience: str | None = None
    title: Bilingual
    acknowledgement: bool
    populations: tuple[Population, ...]
    required_clauses: tuple[str, ...]
    provision_places: tuple[ProvisionPlace, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> KindSpec:
        if self.kind not in BASE_KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if (self.kind == "reflex_sheet") != (self.audience is not None):
            raise ValueError("a reflex sheet, and only a reflex sheet, has an audience")
        if self.audience is not None and self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r}")
        expected = self.kind if self.audience is None else f"{self.kind}.{self.audience}"
        if self.key != expected:
            raise ValueError(f"key must be {expected!r}")
        if len(set(self.required_clauses)) != len(self.required_clauses):
            raise ValueError("required clauses repeat")
        places = [p.key for p in self.provision_places]
        if len(set(places)) != len(places):
            raise ValueError("provision places repeat")
        return self

    def provision_place(self, key: str) -> ProvisionPlace:
        found = next((p for p in self.provision_places if p.key == key), None)
        if found is None:
            known = ", ".join(p.key for p in self.provision_places) or "none"
            raise InvalidInput(
                f"Kind {self.key} has no provision place {key!r} (places: {known}).",
                key="unknown_provision_place",
                params={"kind": self.key, "place": key},
            )
        return found


@dataclass(frozen=True)
class Catalogue:
    """The kinds with their required clauses, and the clause library's titles: this file's (the
    seed), or the library stored on a day (govkit.documents.clause_library.catalogue_on)."""

    kinds: dict[str, KindSpec]
    clauses: dict[str, Bilingual]
    #: the clauses each kind will require from a later day: (key, from)
    planned: dict[str, tuple[tuple[str, date], ...]] = field(default_factory=dict)

    def kind(self, key: str) -> KindSpec:
        try:
            return self.kinds[key]
        except KeyError:
            raise InvalidInput(f"Unknown document kind {key!r}: choose one of {', '.join(self.kinds)}.") from None

    def clause_title(self, key: str, language: str) -> str:
        title = self.clauses.get(key)
        return title.get(language) if title else key


def load_catalogue(directory: Path = TEMPLATES_DIR) -> Catalogue:
    """Read and check kinds.yaml and clauses.yaml; every mistake is named."""
    problems: list[Problem] = []
    raw_clauses = yaml.safe_load((directory / "clauses.yaml").read_text(encoding="utf-8"))["clauses"]
    clauses: dict[str, Bilingual] = {}
    for key, value in raw_clauses.items():
        try:
            clauses[key] = Bilingual.model_validate(value)
        except ValidationError as exc:
            problems.append(Problem(f"clauses.yaml:{key}", str(exc.errors()[0]["msg"])))
    raw_kinds = yaml.safe_load((directory / "kinds.yaml").read_text(encoding="utf-8"))["kinds"]
    kinds: dict[str, KindSpec] = {}
    for key, value in raw_kinds.items():
        try:
            spec = KindSpec.model_validate({"key": key, "kind": value.pop("kind", key), **value})
        except ValidationError as exc:
            problems += [Problem(f"kinds.yaml:{key}.{'.'.join(map(str, e['loc']))}", e["msg"]) for e in exc.errors()]
            continue
        problems += [
            Problem(f"kinds.yaml:{key}.required_clauses", f"{c!r} is not in clauses.yaml")
            for c in spec.required_clauses
            if c not in clauses
        ]
        kinds[key] = spec
    if problems:
        raise InvalidInput("The document kinds or the clause library are invalid", problems=problems)
    return Catalogue(kinds=kinds, clauses=clauses)


@cache
def catalogue() -> Catalogue:
    return load_catalogue()
