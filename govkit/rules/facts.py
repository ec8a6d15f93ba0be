"""The facts rules are evaluated on: plain, frozen data, loaded in a few batch queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class CommitmentFact:
    type: str
    status: str
    title: str
    effective_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class DocumentFact:
    kind: str
    language: str
    number: int
    effective_from: date
    published_at: datetime
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class PopulationRate:
    population: str
    concerned: int
    acknowledged: int

    @property
    def rate(self) -> float:
        return self.acknowledged / self.concerned if self.concerned else 1.0


@dataclass(frozen=True)
class CampaignFact:
    kind: str
    version: int
    opened_on: date
    deadline: date
    populations: tuple[PopulationRate, ...]


@dataclass(frozen=True)
class TrainingFact:
    year: int
    population: str
    training: str
    trained: int
    total: int

    @property
    def rate(self) -> float:
        return self.trained / self.total if self.total else 0.0


@dataclass(frozen=True)
class OrganisationFacts:
    code: str
    type: str
    name: str
    profile: dict[str, Any] | None = None
    commitments: tuple[CommitmentFact, ...] = ()
    documents: tuple[DocumentFact, ...] = ()
    campaigns: tuple[CampaignFact, ...] = ()
    training: tuple[TrainingFact, ...] = ()

    def document(self, kind: str, language: str) -> DocumentFact | None:
        found = [d for d in self.documents if d.kind == kind and d.language == language]
        return max(found, key=lambda d: d.number, default=None)

    def commitments_of(self, type_: str) -> list[CommitmentFact]:
        return [c for c in self.commitments if c.type == type_]


@dataclass(frozen=True)
class Facts:
    as_of: date
    organisations: tuple[OrganisationFacts, ...] = field(default_factory=tuple)
