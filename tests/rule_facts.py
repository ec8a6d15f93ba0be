"""Build rule facts from the YAML of tests/rules_cases (and from hypothesis).

Facts are given as recorded, with their valid time; ``facts(case, as_of)`` keeps what is in effect
on that day as load_facts does (govkit.rules.queries):

- a commitment's ``effective_on`` is a date or a dated text (``2021``, ``2021-09``, ``2021/2022``:
  govkit.timeline.parse_dated) and may carry ``precision`` and ``recorded_at`` (a date; by default the
  day evaluated): in effect from it, uncertain inside its period (or before it was recorded when
  undated); the latest record of each (type, title) in valid time wins;
- ``profile`` is in effect on every day; ``profiles`` — a list of ``{valid_from, data}`` — gives
  revisions, the latest valid by the day in effect (uncertain inside its period);
- documents count from ``effective_from``, campaigns from ``opened_on``, training up to its year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
from govkit.timeline import is_uncertain, parse_dated


def _day(value: Any) -> date | None:
    return None if value is None else value if isinstance(value, date) else date.fromisoformat(str(value))


def _dated(value: Any, precision: str | None) -> tuple[date | None, str | None]:
    """A valid-from date and its precision: a date (precision as given, else day) or a dated text."""
    if value is None:
        return None, precision
    if isinstance(value, date):
        return value, precision or "day"
    text = str(value)
    try:
        return date.fromisoformat(text), precision or "day"
    except ValueError:
        start, parsed = parse_dated(text)
        return start, precision or parsed.value


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


def _recorded(value: Any, day: date) -> datetime:
    recorded = _day(value) or day
    return datetime(recorded.year, recorded.month, recorded.day, 12, tzinfo=UTC)


def _commitments(items: list[dict[str, Any]], day: date) -> tuple[CommitmentFact, ...]:
    latest: dict[tuple[str, str], tuple[tuple[date, int], CommitmentFact]] = {}
    for index, c in enumerate(items):
        valid_from, precision = _dated(c.get("effective_on"), c.get("precision"))
        if valid_from is not None and valid_from > day:
            continue  # not in effect yet
        recorded = _recorded(c.get("recorded_at"), day)
        fact = CommitmentFact(
            c["type"],
            c["status"],
            c["title"],
            valid_from,
            _day(c.get("expires_on")),
            is_uncertain(valid_from, precision, recorded, day),
            precision,
        )
        key = (c["type"], c["title"].casefold()) if c["type"] != "referent_meeting" else (c["type"], str(index))
        rank = (valid_from or recorded.date(), index)
        if key not in latest or rank > latest[key][0]:
            latest[key] = (rank, fact)
    return tuple(fact for _rank, fact in latest.values())


def _profile(data: dict[str, Any], day: date) -> tuple[dict[str, Any] | None, bool]:
    """The profile in effect on ``day`` and whether it is uncertain."""
    if "profiles" in data:
        dated = [(_dated(p["valid_from"], p.get("precision")), p["data"]) for p in data["profiles"]]
        in_effect = [(start, precision, d) for (start, precision), d in dated if start is not None and start <= day]
        if not in_effect:
            return None, False
        start, precision, profile = max(in_effect, key=lambda p: p[0])
        uncertain = is_uncertain(start, precision, _recorded(None, day), day)
    else:
        profile, uncertain = data.get("profile"), False
    if profile is not None:
        profile = {"housing": {"has_residences": None, "residences": []}, **profile}
    return profile, uncertain


def organisation(data: dict[str, Any], day: date) -> OrganisationFacts:
    profile, profile_uncertain = _profile(data, day)
    return OrganisationFacts(
        code=data["code"],
        type=data["type"],
        name=data.get("name", data["code"]),
        profile=profile,
        profile_uncertain=profile_uncertain,
        commitments=_commitments(data.get("commitments", []), day),
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
            if _day(d["effective_from"]) <= day  # type: ignore[operator]
        ),
        campaigns=tuple(
            CampaignFact(
                c["kind"],
                c["version"],
                _day(c["opened_on"]),  # type: ignore[arg-type]
                _day(c["deadline"]),  # type: ignore[arg-type]
                tuple(PopulationRate(p["population"], p["concerned"], p["acknowledged"]) for p in c["populations"]),
            )
            for c in data.get("campaigns", [])
            if _day(c["opened_on"]) <= day  # type: ignore[operator]
        ),
        training=tuple(
            TrainingFact(t["year"], t["population"], t["training"], t["trained"], t["total"])
            for t in data.get("training", [])
            if t["year"] <= day.year
        ),
    )


def facts(data: dict[str, Any], as_of: Any = None) -> Facts:
    """The facts of a case as of ``as_of`` (by default the case's ``as_of``)."""
    day = _day(as_of if as_of is not None else data["as_of"])
    assert day is not None
    return Facts(as_of=day, organisations=tuple(organisation(o, day) for o in data["organisations"]))
