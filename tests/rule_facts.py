"""Build rule facts from the YAML of tests/rules_cases (and from hypothesis).

Facts are given as recorded, with their valid time; ``facts(case, as_of)`` keeps what is in effect
on that day as load_facts does (govkit.rules.queries):

- a commitment's ``effective_on`` is a date or a dated text (``2021``, ``2021-09``, ``2021/2022``:
  govkit.timeline.parse_dated) and may carry ``precision`` and ``recorded_at`` (a date; by default the
  day evaluated): in effect from it, uncertain inside its period (or before it was recorded when
  undated); the latest record of each (type, title) in valid time wins;
- ``profile`` is in effect on every day; ``profiles`` — a list of ``{valid_from, data}`` — gives
  revisions, the latest valid by the day in effect (uncertain inside its period);
- documents count from ``effective_from``, campaigns from ``opened_on``; training records from the start
  of their academic year (``_training``), surveys from their year (``_surveys``);
- a commitment may say ``how`` (own, shared, group, external), ``members`` (codes, for a shared one),
  ``provider``, ``capacity``, or ``holder`` (held by another organisation); ``member_of`` on an
  organisation joins a group arrangement (see ``_memberships``);
- a commitment may carry ``id``, its record's id (by default its place in the list): as in load_facts,
  of two records of one (type, title) valid from the same day, the later recorded (higher id) wins,
  so a record keeps its id wherever it is listed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from govkit.documents.kinds import catalogue
from govkit.rules.facts import (
    CampaignFact,
    CommitmentFact,
    DocumentFact,
    Facts,
    OptOutFact,
    OrganisationFacts,
    PopulationRate,
    SurveyFact,
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
        record_id = c.get("id", index)  # as load_facts' commitment id: the record's, not its place
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
            how=c.get("how", "own"),
            holder=c.get("holder"),
            members=tuple(sorted(c.get("members", ()))),
            provider=c.get("provider"),
            arrangement_id=record_id,
            capacity=tuple(sorted((c.get("capacity") or {}).items())),
        )
        key = (c["type"], c["title"].casefold()) if c["type"] != "referent_meeting" else (c["type"], str(record_id))
        rank = (valid_from or recorded.date(), record_id)
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
                # texts: {clause: [root text, text]} (govkit.rules.clause_text)
                clause_texts=tuple((k, v[1]) for k, v in d.get("texts", {}).items()),
                root_clause_texts=tuple((k, v[0]) for k, v in d.get("texts", {}).items()),
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
        training=_training(data.get("training", []), day),
        surveys=_surveys(data.get("surveys", []), day),
    )


def _training(items: list[dict[str, Any]], day: date) -> tuple[TrainingFact, ...]:
    """Training records of the academic years begun by ``day`` (as govkit.rules.training_facts): an
    ``academic_year`` (its start year), ``audience``, ``training`` (default vss_awareness), counts
    (``trained``, ``total``: unknown when absent), ``everyone``, ``held_on`` (a dated text; by default
    the whole academic year: uncertain during it)."""
    found = []
    started = day.year if day.month >= 9 else day.year - 1
    for t in items:
        year = t["academic_year"]
        if year > started:
            continue
        if "held_on" in t:
            start, precision = _dated(t["held_on"], t.get("precision"))
            assert start is not None
            if start > day:
                continue
        else:
            start, precision = date(year, 9, 1), "academic_year"
        found.append(
            TrainingFact(
                year,
                t["audience"],
                t.get("training", "vss_awareness"),
                t.get("trained"),
                t.get("total"),
                t.get("everyone", False),
                is_uncertain(start, precision, _recorded(None, day), day),
                t.get("title", t.get("training", "vss_awareness")),
            )
        )
    return tuple(found)


def _surveys(items: list[dict[str, Any]], day: date) -> tuple[SurveyFact, ...]:
    """Surveys of ``day``'s year and before (uncertain during their year)."""
    return tuple(
        SurveyFact(
            s["year"],
            s["audience"],
            s["status"],
            s.get("title", "Enquête"),
            s.get("invited"),
            s.get("respondents"),
            s.get("population_total"),
            day < date(s["year"], 12, 31),
        )
        for s in items
        if s["year"] <= day.year
    )


def _memberships(data: dict[str, Any], built: list[OrganisationFacts], day: date) -> list[OrganisationFacts]:
    """Add the arrangements each organisation is a member of on ``day`` (``member_of``: a list of
    ``{arrangement: <title>, holder: <code>, from: <date>, opted_out_from: <date>}``), or the
    opt-out; the holder's record gets the members (with those its ``members`` lists)."""
    by_code = {o.code: o for o in built}
    joined: dict[tuple[str, str], set[str]] = {}
    for o in data["organisations"]:
        for m in o.get("member_of", []):
            start, until = _day(m.get("from")), _day(m.get("opted_out_from"))
            if (start is None or start <= day) and (until is None or day < until):
                joined.setdefault((m["holder"], m["arrangement"].casefold()), set()).add(o["code"])

    def with_members(holder: str, record: CommitmentFact) -> CommitmentFact:
        members = set(record.members) | joined.get((holder, record.title.casefold()), set())
        return replace(record, members=tuple(sorted(members)))

    result = []
    for o, org in zip(data["organisations"], built, strict=True):
        own = tuple(with_members(org.code, c) if c.how != "own" else c for c in org.commitments)
        served: list[CommitmentFact] = []
        left: list[OptOutFact] = []
        for m in o.get("member_of", []):
            holder = by_code[m["holder"]]
            record = next((c for c in holder.commitments if c.title.casefold() == m["arrangement"].casefold()), None)
            if record is None:
                continue
            start, until = _day(m.get("from")), _day(m.get("opted_out_from"))
            if until is not None and until <= day:
                left.append(OptOutFact(record.type, record.title, holder.code, until, record.arrangement_id))
            elif start is None or start <= day:
                later = start is not None and (record.effective_on is None or start > record.effective_on)
                served.append(
                    replace(
                        with_members(holder.code, record),
                        holder=holder.code,
                        effective_on=start if later else record.effective_on,
                        precision="day" if later else record.precision,
                    )
                )
        for other in built:  # a shared record serves the schools it lists
            if other.code != org.code:
                served += [
                    replace(c, holder=other.code)
                    for c in other.commitments
                    if c.how == "shared" and c.holder is None and org.code in c.members
                ]
        result.append(replace(org, commitments=own + tuple(served), opted_out=tuple(left)))
    return result


def facts(data: dict[str, Any], as_of: Any = None) -> Facts:
    """The facts of a case as of ``as_of`` (by default the case's ``as_of``)."""
    day = _day(as_of if as_of is not None else data["as_of"])
    assert day is not None
    built = [organisation(o, day) for o in data["organisations"]]
    return Facts(as_of=day, organisations=tuple(_memberships(data, built, day)))
