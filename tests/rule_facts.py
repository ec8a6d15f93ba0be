"""Build rule facts from the YAML of tests/rules_cases (and from hypothesis)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from govkit.documents.kinds import catalogue
from govkit.rules.facts import (
    CampaignFact,
    CommitmentFact,
    DocumentFact,
    Facts,
    OrganisationFacts,
    PopulationRate,
    TrainingFact,
)


def _day(value: Any) -> date | None:
    return None if value is None else value if isinstance(value, date) else date.fromisoformat(str(value))


def _clauses(kind: str, spec: Any) -> tuple[str, ...]:
    if isinstance(spec, list):
        return tuple(spec)
    required = list(catalogue().kind(kind).required_clauses)
    if spec == "required":
        return tuple(required)
    if isinstance(spec, str) and spec.startswith("required - "):
        removed = {c.strip() for c in spec.removeprefix("required - ").split(",")}
        return tuple(c for c in required if c not in removed)
    raise ValueError(f"clauses: a list, 'required' or 'required - key[, key]', not {spec!r}")


def organisation(data: dict[str, Any]) -> OrganisationFacts:
    profile = data.get("profile")
    if profile is not None:
        profile = {"housing": {"has_residences": None, "residences": []}, **profile}
    return OrganisationFacts(
        code=data["code"],
        type=data["type"],
        name=data.get("name", data["code"]),
        profile=profile,
        commitments=tuple(
            CommitmentFact(c["type"], c["status"], c["title"], _day(c.get("effective_on")), _day(c.get("expires_on")))
            for c in data.get("commitments", [])
        ),
        documents=tuple(
            DocumentFact(
                d["kind"],
                d["language"],
                d["number"],
                _day(d["effective_from"]),  # type: ignore[arg-type]
                d["published_at"]
                if isinstance(d["published_at"], datetime)
                else datetime.fromisoformat(str(d["published_at"]).replace("Z", "+00:00")),
                _clauses(d["kind"], d["clauses"]),
            )
            for d in data.get("documents", [])
        ),
        campaigns=tuple(
            CampaignFact(
                c["kind"],
                c["version"],
                _day(c["opened_on"]),
                _day(c["deadline"]),  # type: ignore[arg-type]
                tuple(PopulationRate(p["population"], p["concerned"], p["acknowledged"]) for p in c["populations"]),
            )
            for c in data.get("campaigns", [])
        ),
        training=tuple(
            TrainingFact(t["year"], t["population"], t["training"], t["trained"], t["total"])
            for t in data.get("training", [])
        ),
    )


def facts(data: dict[str, Any]) -> Facts:
    return Facts(as_of=_day(data["as_of"]), organisations=tuple(organisation(o) for o in data["organisations"]))  # type: ignore[arg-type]
