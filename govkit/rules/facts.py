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
    #: how it is held: own | shared (named schools, one capacity) | group (the head office's, joined) |
    #: external (a provider under a convention) [govkit.organisations.arrangements]
    how: str = "own"
    holder: str | None = None  # the code of the organisation holding the record (None: itself)
    members: tuple[str, ...] = ()  # the schools a shared/group arrangement serves on the day
    provider: str | None = None  # the external provider under a convention
    arrangement_id: int | None = None  # the record's id (the arrangement's record in effect)
    capacity: tuple[tuple[str, Any], ...] = ()  # one capacity for all, e.g. (("time_share_percent", 20),)

    def in_effect(self, day: date) -> bool:
        """Not expired on ``day``."""
        return self.expires_on is None or day < self.expires_on


@dataclass(frozen=True)
class OptOutFact:
    """An organisation opted out of a group arrangement from ``since`` (and is not back in it)."""

    type: str
    title: str
    holder: str
    since: date | None
    arrangement_id: int | None = None


@dataclass(frozen=True)
class DocumentFact:
    kind: str
    language: str
    number: int
    effective_from: date
    published_at: datetime
    clauses: tuple[str, ...]
    sha256: str = ""  # of the published variant
    root_sha256: str = ""  # of the root template version it was rendered from
    #: (clause key, text) of the document and of its root template version: loaded for the document
    #: in force of each kind and language (govkit.rules.clause_facts), empty otherwise
    clause_texts: tuple[tuple[str, str], ...] = ()
    root_clause_texts: tuple[tuple[str, str], ...] = ()


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
    """A training of one audience in one academic year (its start year: 2021 is 2021/2022).

    ``trained``/``total`` are None when unknown; ``everyone``: the source says the whole audience
    took it; ``uncertain``: held on a date dated to a period that contains the day evaluated.
    """

    academic_year: int
    audience: str
    training: str
    trained: int | None
    total: int | None
    everyone: bool = False
    uncertain: bool = False
    title: str = ""

    @property
    def rate(self) -> float | None:
        """1.0 when the whole audience took it, trained/total when both are known, else None (unknown)."""
        if self.everyone:
            return 1.0
        if self.trained is not None and self.total:
            return self.trained / self.total
        return None


@dataclass(frozen=True)
class SurveyFact:
    """A survey of an organisation in a year (status planned, built, open or closed); counts None when unknown."""

    year: int
    audience: str
    status: str
    title: str
    invited: int | None = None
    respondents: int | None = None
    population_total: int | None = None
    uncertain: bool = False  # dated to its year, which contains the day evaluated

    @property
    def invited_share(self) -> float | None:
        """invited / population_total when both are known, else None."""
        if self.invited is not None and self.population_total:
            return min(self.invited / self.population_total, 1.0)
        return None


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
    surveys: tuple[SurveyFact, ...] = ()
    #: the group arrangements it has opted out of, on the day
    opted_out: tuple[OptOutFact, ...] = ()

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
class ParameterValue:
    """A rule parameter's value recorded by legal staff, from ``valid_from`` (govkit.rules.parameters):
    it overrides the rule file's value on the days from then, until a later one."""

    rule_id: str
    name: str
    value: Any  # as JSON: a number, a list of names, a date as YYYY-MM-DD
    valid_from: date
    source: dict[str, str]  # {kind: plan|law|default, text[, article]}
    recorded_at: datetime
    recorded_by: str = ""
    reason: str = ""
    id: int = 0


@dataclass(frozen=True)
class Facts:
    as_of: date
    known_at: datetime | None = None  # what govkit knew then (None: everything recorded so far)
    organisations: tuple[OrganisationFacts, ...] = field(default_factory=tuple)
    #: the rule parameters' values recorded by then (valid from ``as_of`` at the latest, known by ``known_at``)
    parameters: tuple[ParameterValue, ...] = ()
    #: the clauses each kind requires on ``as_of`` as known at ``known_at`` (the clause library,
    #: govkit.documents.clause_library); None: the seed's (documents/templates/kinds.yaml)
    required_clauses: dict[str, tuple[str, ...]] | None = None
    #: the clauses' titles (French, English) as known then; None: the seed's
    clause_titles: dict[str, tuple[str, str]] | None = None

    def required_of(self, kind: str) -> tuple[str, ...] | None:
        """The clauses ``kind`` requires on the day, or None when the facts do not say (the seed's apply)."""
        return None if self.required_clauses is None else self.required_clauses.get(kind, ())
