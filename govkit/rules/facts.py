"""The facts rules are evaluated on: plain, frozen data, loaded in a few batch queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class CommitmentFact:
    """A commitment's record in effect on the day evaluated (valid time).

    ``uncertain``: the record may not have been true yet on that day — dated only to a period
    (a year, an academic year, a month) that contains the day, or undated and recorded after
    it (govkit.timeline.is_uncertain). The rules report such a fact "not documented", never
    "missing".
    """

    type: str
    status: str
    title: str
    effective_on: date | None
    expires_on: date | None  # valid to (exclusive)
    uncertain: bool = False
    precision: str | None = None  # of effective_on: day, month, year, academic_year

    def in_effect(self, day: date) -> bool:
        """Not expired on ``day``."""
        return self.expires_on is None or day < self.expires_on


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
    #: the profile revision in effect is dated to a period containing the day: its values are uncertain
    profile_uncertain: bool = False
    commitments: tuple[CommitmentFact, ...] = ()
    documents: tuple[DocumentFact, ...] = ()
    campaigns: tuple[CampaignFact, ...] = ()
    training: tuple[TrainingFact, ...] = ()

    def document(self, kind: str, language: str) -> DocumentFact | None:
        return self._indexes()[0].get((kind, language))

    def commitments_of(self, type_: str) -> list[CommitmentFact]:
        return list(self._indexes()[1].get(type_, ()))

    def _indexes(self) -> tuple[dict[tuple[str, str], DocumentFact], dict[str, list[CommitmentFact]]]:
        """The document in force of each kind and language (the greatest effective date, then number),
        the commitments by type: built on first use."""
        indexes = self.__dict__.get("_index")
        if indexes is None:
            latest: dict[tuple[str, str], DocumentFact] = {}
            for d in self.documents:
                current = latest.get((d.kind, d.language))
                if current is None or (d.effective_from, d.number) > (current.effective_from, current.number):
                    latest[d.kind, d.language] = d
            by_type: dict[str, list[CommitmentFact]] = {}
            for c in self.commitments:
                by_type.setdefault(c.type, []).append(c)
            indexes = (latest, by_type)
            object.__setattr__(self, "_index", indexes)  # frozen: a cache, not a field
        return indexes


@dataclass(frozen=True)
class Facts:
    as_of: date
    known_at: datetime | None = None  # what govkit knew then (None: everything recorded so far)
    organisations: tuple[OrganisationFacts, ...] = field(default_factory=tuple)
