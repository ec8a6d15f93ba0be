"""Rule definitions: what a rule file may say (kinds, guards, parameters), validated field by field."""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator

from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType, OrganisationType
from govkit.vocabulary import Population

Severity = Literal["error", "warning", "info"]
Language = Literal["fr", "en"]
_FRENCH: list[Language] = ["fr"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    fr: Annotated[str, StringConstraints(min_length=3, max_length=300)]
    en: Annotated[str, StringConstraints(min_length=3, max_length=300)]


class Source(_Strict):
    """Where the rule comes from in the action plan: the quote must be in the seed."""

    axe: int = Field(ge=1, le=5)
    objective: Annotated[str, StringConstraints(min_length=3, max_length=300)]
    quote: Annotated[str, StringConstraints(min_length=20, max_length=400)]


class Scope(_Strict):
    types: list[OrganisationType] = Field(default_factory=lambda: [OrganisationType.SCHOOL], min_length=1)
    codes: list[str] = Field(default_factory=list)  # restricts to these organisations when given


# --- parameters of each kind --------------------------------------------------------------


class RequireClauses(_Strict):
    kinds: list[str] = Field(min_length=1)
    languages: list[Language] = Field(default_factory=_FRENCH.copy, min_length=1)
    clauses: list[str] | None = None  # default: each kind's required clauses


class RequireCommitment(_Strict):
    type: CommitmentType
    statuses: list[CommitmentStatus] = Field(default_factory=lambda: [CommitmentStatus.IN_PLACE], min_length=1)
    max_age_years: int | None = Field(default=None, ge=1, le=20)

    @cached_property
    def accepted(self) -> frozenset[str]:
        """The values of ``statuses`` (computed once: the check runs at every organisation)."""
        return frozenset(s.value for s in self.statuses)


class RequireLanguage(_Strict):
    kinds: list[str] = Field(min_length=1)
    language: Literal["en"] = "en"
    not_older: bool = True


class MinAcknowledgementRate(_Strict):
    rate: float = Field(ge=0, le=1)
    after_days: int = Field(ge=0, le=365)
    kinds: list[str] | None = None
    populations: list[Population] | None = None


class MinMeetings(_Strict):
    per_year: int = Field(ge=1, le=52)
    commitment_type: CommitmentType = CommitmentType.REFERENT_MEETING


class MinTrainingCoverage(_Strict):
    training: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    population: Population
    rate: float = Field(ge=0, le=1)


class ProfileCheck(_Strict):
    check: Annotated[str, StringConstraints(min_length=3, max_length=500)]  # CEL over org and profile
    message_fr: str
    message_en: str

    _program: Any = PrivateAttr(default=None)

    @property
    def program(self) -> Any:
        return self._program


PARAMETERS: dict[str, type[_Strict]] = {
    "require_clauses": RequireClauses,
    "require_commitment": RequireCommitment,
    "require_language": RequireLanguage,
    "min_acknowledgement_rate": MinAcknowledgementRate,
    "min_meetings": MinMeetings,
    "min_training_coverage": MinTrainingCoverage,
    "profile_check": ProfileCheck,
}


class Rule(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$", max_length=80)]
    title: Bilingual
    source: Source
    severity: Severity
    scope: Scope = Field(default_factory=Scope)
    effective: date
    deadline: date | None = None
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    when: str | None = None  # CEL, compiled at load time

    _parameters: Any = PrivateAttr(default=None)
    _when: Any = PrivateAttr(default=None)
    _file: str = PrivateAttr(default="")

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in PARAMETERS:
            raise ValueError(f"unknown kind {value!r} (known: {', '.join(PARAMETERS)})")
        return value

    @property
    def parameters(self) -> Any:
        return self._parameters

    @property
    def guard(self) -> Any:
        return self._when

    @property
    def file(self) -> str:
        return self._file


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
