"""Rule definitions: what a rule file may say (kinds, guards, parameters), validated field by field."""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator, model_validator

from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType, OrganisationType
from govkit.vocabulary import Population, SurveyAudience, TrainingAudience

Severity = Literal["error", "warning", "info"]
Language = Literal["fr", "en"]
_FRENCH: list[Language] = ["fr"]
_BOTH: tuple[Language, ...] = ("fr", "en")
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: of a kind's parameters: the names of its thresholds, delays and populations, each a named rule
    #: parameter with a source and a value history when the rule gives it (govkit.rules.parameters)
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ()


class Bilingual(_Strict):
    fr: Annotated[str, StringConstraints(min_length=3, max_length=300)]
    en: Annotated[str, StringConstraints(min_length=3, max_length=300)]


class Source(_Strict):
    """Where the rule comes from in the action plan: the quote must be in the seed."""

    axe: int = Field(ge=1, le=5)
    objective: Annotated[str, StringConstraints(min_length=3, max_length=300)]
    quote: Annotated[str, StringConstraints(min_length=20, max_length=400)]


class ParameterSource(_Strict):
    """Where a rule parameter's value comes from: exactly one of a quote of the plan (``plan``, in the
    seed), a legal text (``law`` with its ``article``), or a govkit default (``default``: why this value)."""

    plan: Annotated[str, StringConstraints(min_length=10, max_length=400)] | None = None
    law: Annotated[str, StringConstraints(min_length=3, max_length=300)] | None = None
    article: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    default: Annotated[str, StringConstraints(min_length=10, max_length=400)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ParameterSource:
        given = [k for k in ("plan", "law", "default") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a source is exactly one of {plan: quote}, {law: text, article: …}, {default: why}")
        if (self.article is None) != (self.law is None):
            raise ValueError("a legal source gives its law and its article")
        return self

    @property
    def kind(self) -> str:
        """plan, law or default."""
        return "plan" if self.plan is not None else "law" if self.law is not None else "default"

    @property
    def text(self) -> str:
        return self.plan or self.law or self.default or ""

    def as_json(self) -> dict[str, str]:
        """``{kind, text[, article]}``: as findings and the API show it."""
        shown = {"kind": self.kind, "text": self.text}
        if self.article is not None:
            shown["article"] = self.article
        return shown


class Scope(_Strict):
    types: list[OrganisationType] = Field(default_factory=lambda: [OrganisationType.SCHOOL], min_length=1)
    codes: list[str] = Field(default_factory=list)  # restricts to these organisations when given


# --- parameters of each kind --------------------------------------------------------------


class RequireClauses(_Strict):
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ()  # its deadline only
    kinds: list[str] = Field(min_length=1)
    languages: list[Language] = Field(default_factory=_FRENCH.copy, min_length=1)
    clauses: list[str] | None = None  # default: each kind's required clauses


class RequireClauseText(_Strict):
    """The required clauses of the documents in force read as their root's, except in the root's
    variables (govkit.rules.clause_text): a local provision never overrides them."""

    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ()
    kinds: list[str] | None = None  # default: every kind
    languages: list[Language] = Field(default_factory=lambda: list(_BOTH), min_length=1)


class RequireCommitment(_Strict):
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ("max_age_years",)  # when the rule gives it
    type: CommitmentType
    statuses: list[CommitmentStatus] = Field(default_factory=lambda: [CommitmentStatus.IN_PLACE], min_length=1)
    max_age_years: int | None = Field(default=None, ge=1, le=20)

    @cached_property
    def accepted(self) -> frozenset[str]:
        """The values of ``statuses`` (computed once: the check runs at every organisation)."""
        return frozenset(s.value for s in self.statuses)


class RequireLanguage(_Strict):
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ()
    kinds: list[str] = Field(min_length=1)
    language: Literal["en"] = "en"
    not_older: bool = True


class MinAcknowledgementRate(_Strict):
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ("rate", "after_days", "populations")
    rate: float = Field(ge=0, le=1)
    after_days: int = Field(ge=0, le=365)
    kinds: list[str] | None = None
    populations: list[Population] | None = None


class MinMeetings(_Strict):
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ("per_year",)
    per_year: int = Field(ge=1, le=52)
    commitment_type: CommitmentType = CommitmentType.REFERENT_MEETING


class MinTrainingCoverage(_Strict):
    """A share of an audience trained in an academic year (its start year: 2021 is 2021/2022): from
    ``from_year``, each year when ``recurring``, else that year only (govkit.rules.training_checks)."""

    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ("audience", "rate", "from_year")

    audience: TrainingAudience
    training: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")] | None = None  # None: any training
    rate: float = Field(ge=0, le=1)
    from_year: int = Field(ge=2015, le=2100)
    recurring: bool = False


class SurveyBuilt(_Strict):
    """A survey for ``audience`` built (or opened, or closed) by the organisation, from ``from_year``."""

    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ("audience", "from_year")

    audience: SurveyAudience
    from_year: int = Field(ge=2015, le=2100)


class MinSurveyInvitation(_Strict):
    """A share of ``audience`` invited to a survey in ``from_year`` (each year from then when ``recurring``)."""

    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ("audience", "rate", "from_year")

    audience: SurveyAudience
    rate: float = Field(ge=0, le=1)
    from_year: int = Field(ge=2015, le=2100)
    recurring: bool = False


class ProfileCheck(_Strict):
    PARAMETER_NAMES: ClassVar[tuple[str, ...]] = ()
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
    "require_clause_text": RequireClauseText,
    "require_language": RequireLanguage,
    "min_acknowledgement_rate": MinAcknowledgementRate,
    "min_meetings": MinMeetings,
    "min_training_coverage": MinTrainingCoverage,
    "survey_built": SurveyBuilt,
    "min_survey_invitation": MinSurveyInvitation,
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
    #: the source of each of its parameters (``parameter_names``): a quote of the plan, a law, or a default
    sources: dict[str, ParameterSource] = Field(default_factory=dict)

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
    def parameter_names(self) -> tuple[str, ...]:
        """Its named parameters: ``deadline`` when it has one, then its kind's PARAMETER_NAMES given in ``params``."""
        names = tuple(n for n in PARAMETERS[self.kind].PARAMETER_NAMES if n in self.params)
        return ("deadline", *names) if self.deadline is not None else names

    @property
    def guard(self) -> Any:
        return self._when

    @property
    def file(self) -> str:
        return self._file


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
