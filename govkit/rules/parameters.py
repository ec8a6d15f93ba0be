"""Rule parameters (OpenFisca-style): each threshold, delay, population and deadline of a rule is a named
parameter with a source and a value history. Pure: no database here (the values recorded by legal staff
come with the facts, ``Facts.parameters``; they are recorded by govkit.rules.parameter_service).

The value of a parameter on day D is the rule file's value (from the beginning), overridden by the
latest value recorded with ``valid_from`` <= D (the latest recorded among those of the same day), of
those recorded by ``known_at`` when the question is what govkit knew then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from pydantic import ValidationError

from govkit.errors import InvalidInput
from govkit.rules.definitions import PARAMETERS, ParameterSource, Rule
from govkit.rules.facts import Facts, ParameterValue
from govkit.seed import normalise

DEADLINE = "deadline"


def source_problems(rule: Rule, seed: str) -> Iterator[tuple[str, str]]:
    """(field, message) for each mistake of ``rule.sources``: a parameter without a source, a source
    of no parameter, a quote not in ``seed``."""
    names = rule.parameter_names
    for name in names:
        if name not in rule.sources:
            yield f"sources.{name}", "no source: give {plan: quote}, {law: text, article: …} or {default: why}"
    for name, source in rule.sources.items():
        if name not in names:
            known = ", ".join(names) or "none"
            yield f"sources.{name}", f"not a parameter of this rule (its parameters: {known})"
        elif source.plan is not None and normalise(source.plan) not in seed:
            yield f"sources.{name}.plan", "not found in the action plan"


def source_json(source: ParameterSource | None) -> dict[str, str] | None:
    return None if source is None else source.as_json()


def file_value(rule: Rule, name: str) -> Any:
    """The rule file's value of parameter ``name``, as JSON."""
    if name == DEADLINE:
        return None if rule.deadline is None else rule.deadline.isoformat()
    return rule.params.get(name)


def on_day(
    values: Iterable[ParameterValue], day: date, known_at: datetime | None = None
) -> dict[str, dict[str, ParameterValue]]:
    """The recorded value in effect on ``day`` of each parameter, by rule id then name: the latest
    ``valid_from`` by then (ties: the latest recorded), of those recorded by ``known_at`` when given."""
    latest: dict[str, dict[str, ParameterValue]] = {}
    for value in values:
        if value.valid_from > day or (known_at is not None and value.recorded_at > known_at):
            continue
        of_rule = latest.setdefault(value.rule_id, {})
        current = of_rule.get(value.name)
        if current is None or (value.valid_from, value.recorded_at, value.id) > (
            current.valid_from,
            current.recorded_at,
            current.id,
        ):
            of_rule[value.name] = value
    return latest


def in_effect(facts: Facts) -> dict[str, dict[str, ParameterValue]]:
    """``on_day`` of the facts' recorded values, on ``facts.as_of`` as known at ``facts.known_at``."""
    return on_day(facts.parameters, facts.as_of, facts.known_at) if facts.parameters else {}


class Resolved(NamedTuple):
    """A rule's parameters on a day: its kind's parameters, its deadline, and what findings show of them."""

    parameters: Any
    deadline: date | None
    shown: list[dict[str, Any]]  # [{name, value, source, valid_from}]: what a run stores of the rule


@lru_cache(maxsize=512)
def _validated(kind: str, params: str) -> Any:
    """The parameters of ``kind`` from their JSON text (one model per distinct values)."""
    return PARAMETERS[kind].model_validate(json.loads(params))


def resolve(rule: Rule, recorded: Mapping[str, ParameterValue] | None = None) -> Resolved:
    """``rule``'s parameters with the values ``recorded`` for it (by name) in place of the file's (a value
    recorded for a name the rule file no longer gives is left aside)."""
    if recorded:
        recorded = {n: v for n, v in recorded.items() if n in rule.parameter_names}
    shown: list[dict[str, Any]] = []
    for name in rule.parameter_names:
        value = recorded.get(name) if recorded else None
        if value is None:
            shown.append(
                {
                    "name": name,
                    "value": file_value(rule, name),
                    "source": source_json(rule.sources.get(name)),
                    "valid_from": None,
                }
            )
        else:
            shown.append(
                {"name": name, "value": value.value, "source": value.source, "valid_from": value.valid_from.isoformat()}
            )
    if not recorded:
        return Resolved(rule.parameters, rule.deadline, shown)
    deadline = rule.deadline
    if DEADLINE in recorded:
        deadline = date.fromisoformat(str(recorded[DEADLINE].value))
    changed = {n: v.value for n, v in recorded.items() if n != DEADLINE}
    parameters = rule.parameters
    if changed:
        parameters = _validated(rule.kind, json.dumps({**rule.params, **changed}, sort_keys=True, default=str))
    return Resolved(parameters, deadline, shown)


def parameters_shown(rules: Iterable[Rule], facts: Facts) -> dict[str, list[dict[str, Any]]]:
    """Each rule in force on ``facts.as_of`` with its parameters that day as ``resolve`` shows them
    ({name, value, source, valid_from}), by rule id: stored once per run (``RuleRun.parameters``), not
    in each finding's evidence."""
    recorded = in_effect(facts)
    return {rule.id: resolve(rule, recorded.get(rule.id)).shown for rule in rules if rule.effective <= facts.as_of}


def checked_value(rule: Rule, name: str, value: Any) -> Any:
    """``value`` for parameter ``name`` of ``rule`` as stored (JSON), once its kind's model accepts it;
    InvalidInput naming the rule and the parameter otherwise."""
    names = rule.parameter_names
    if name not in names:
        raise InvalidInput(
            f"La règle {rule.id} n'a pas de paramètre {name!r} (ses paramètres : {', '.join(names) or 'aucun'}). / "
            f"Rule {rule.id} has no parameter {name!r} (its parameters: {', '.join(names) or 'none'}).",
            key="parameter_value",
            params={"rule": rule.id, "name": name},
        )
    where = f"Rule {rule.id}, parameter {name}"
    if name == DEADLINE:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidInput(
                f"{where}: give a date (YYYY-MM-DD), not {value!r}.",
                key="parameter_value",
                params={"rule": rule.id, "name": name},
            )
        if day < rule.effective:
            raise InvalidInput(
                f"{where}: {day} is before the rule takes effect ({rule.effective}).",
                key="parameter_deadline_early",
                params={"rule": rule.id, "effective": rule.effective},
            )
        return day.isoformat()
    try:
        model = PARAMETERS[rule.kind].model_validate_json(json.dumps({**rule.params, name: value}), strict=True)
    except (ValidationError, TypeError, ValueError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"loc": (name,), "msg": str(exc)}]
        said = "; ".join(
            str(e["msg"]).removeprefix("Value error, ") for e in errors if e["loc"] and e["loc"][0] == name
        ) or "; ".join(str(e["msg"]) for e in errors)
        raise InvalidInput(
            f"{where}: {said} (given {json.dumps(value, default=str)[:80]}).",
            key="parameter_value",
            params={"rule": rule.id, "name": name},
        ) from None
    return model.model_dump(mode="json")[name]


def checked_source(source: Mapping[str, Any], seed: str) -> ParameterSource:
    """A recorded value's source, validated as the rule files' are (a plan quote must be in ``seed``)."""
    try:
        checked = ParameterSource.model_validate(dict(source))
    except ValidationError as exc:
        said = "; ".join(
            ".".join(["source", *(str(x) for x in e["loc"])]) + ": " + str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise InvalidInput(f"{said}.", key="parameter_source") from None
    if checked.plan is not None and normalise(checked.plan) not in seed:
        raise InvalidInput(
            "La citation n'est pas dans le plan d'action. / The quote is not found in the action plan.",
            key="parameter_quote",
        )
    return checked


# --- how a finding's thresholds are shown -----------------------------------------------------


def shown_value(name: str, value: Any, language: str) -> str:
    if value is None:
        return "—"
    if name == DEADLINE and isinstance(value, str) and language == "fr":
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    if isinstance(value, float) and "rate" in name:
        return f"{value:.0%}".replace("%", " %") if language == "fr" else f"{value:.0%}"
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)


def _short(text: str, width: int = 40) -> str:
    """The start of a quote, cut between words and marked « [...] » (the table never shows an ellipsis:
    an ellipsis there means an identifier was cut)."""
    text = normalise(text.replace("**", ""))  # the plan's bold marks
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut} [...]"


def shown_source(source: Mapping[str, Any] | None, language: str) -> str:
    french = language == "fr"
    if not source:
        return "source non donnée" if french else "no source given"
    kind, text = source.get("kind"), str(source.get("text", ""))
    if kind == "plan":
        return f"plan « {_short(text)} »" if french else f"plan “{_short(text)}”"
    if kind == "law":
        article = source.get("article")
        return f"{_short(text, 28)}, art. {article}" if article else _short(text, 28)
    return "défaut govkit" if french else "govkit default"


def describe(parameters: Iterable[Mapping[str, Any]], language: str) -> str:
    """One short line naming a finding's thresholds and their sources, e.g.
    ``seuils : rate 100 % (défaut govkit), deadline 31/12/2022 (plan « 2022 : Disposer [...] »)``."""
    since = "depuis le" if language == "fr" else "from"
    parts = []
    for p in parameters:
        name = p["name"]
        part = f"{name} {shown_value(name, p.get('value'), language)} ({shown_source(p.get('source'), language)})"
        if p.get("valid_from"):
            part += f" {since} {shown_value(DEADLINE, p['valid_from'], language)}"
        parts.append(part)
    if not parts:
        return ""
    return ("seuils : " if language == "fr" else "thresholds: ") + ", ".join(parts)
