"""Load the rule files (govkit/rules/catalogue/*.yaml): every mistake is named with its file, rule id and field."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cel
import yaml
from pydantic import ValidationError

from govkit.documents.kinds import catalogue
from govkit.errors import InvalidInput, Problem
from govkit.rules.definitions import PARAMETERS, ProfileCheck, Rule
from govkit.rules.parameters import source_problems
from govkit.seed import normalise, seed_text

#: The rules of the action plan, one YAML file per theme: package data, found in an installed wheel too.
RULES_DIR = Path(__file__).resolve().parent / "catalogue"
#: yaml.safe_load's loader, in C when libyaml is there (the same values, several times faster).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: The variables a CEL expression may read: the organisation and its profile.
CEL_VARIABLES = {"org", "profile"}


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    sha256: str


def _where(file: str, rule_id: str, field: str) -> str:
    return f"{file}: {rule_id}: {field}"


def _compile(expression: str, where: str, problems: list[Problem]) -> Any:
    try:
        program = cel.compile(expression)
    except ValueError as exc:
        problems.append(Problem(where, f"invalid CEL expression: {str(exc).splitlines()[0]}"))
        return None
    unknown = sorted({v.split(".")[0] for v in program.variables()} - CEL_VARIABLES)
    if unknown:
        problems.append(Problem(where, f"unknown CEL variable(s) {', '.join(unknown)} (use org, profile)"))
        return None
    return program


def load_rules(directory: Path = RULES_DIR) -> RuleSet:
    """Read and validate every rule file; raise InvalidInput listing every mistake."""
    problems: list[Problem] = []
    rules: list[Rule] = []
    digest = hashlib.sha256()
    seen: dict[str, str] = {}
    seed = seed_text()
    kinds = catalogue()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise InvalidInput(f"No rule files (*.yaml) in {directory}")
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        try:
            data = yaml.load(raw, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            problems.append(Problem(path.name, f"not valid YAML ({exc})"))
            continue
        if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
            problems.append(Problem(path.name, "a rule file has one key, rules, holding a list"))
            continue
        for index, item in enumerate(data["rules"]):
            rule_id = str(item.get("id", f"#{index + 1}")) if isinstance(item, dict) else f"#{index + 1}"
            try:
                rule = Rule.model_validate(item)
            except ValidationError as exc:
                for error in exc.errors():
                    field = ".".join(str(p) for p in error["loc"]) or "(rule)"
                    problems.append(
                        Problem(_where(path.name, rule_id, field), error["msg"].removeprefix("Value error, "))
                    )
                continue
            if rule.id in seen:
                problems.append(Problem(_where(path.name, rule.id, "id"), f"already defined in {seen[rule.id]}"))
                continue
            seen[rule.id] = path.name
            try:
                parameters = PARAMETERS[rule.kind].model_validate(rule.params)
            except ValidationError as exc:
                for error in exc.errors():
                    field = "params." + ".".join(str(p) for p in error["loc"])
                    problems.append(
                        Problem(_where(path.name, rule.id, field), error["msg"].removeprefix("Value error, "))
                    )
                continue
            for name in getattr(parameters, "kinds", None) or []:
                if name not in kinds.kinds:
                    problems.append(
                        Problem(_where(path.name, rule.id, "params.kinds"), f"unknown document kind {name!r}")
                    )
            for clause in getattr(parameters, "clauses", None) or []:
                if clause not in kinds.clauses:
                    problems.append(Problem(_where(path.name, rule.id, "params.clauses"), f"unknown clause {clause!r}"))
            if normalise(rule.source.quote) not in seed:
                problems.append(Problem(_where(path.name, rule.id, "source.quote"), "not found in the action plan"))
            for field, message in source_problems(rule, seed):  # every parameter gives its source
                problems.append(Problem(_where(path.name, rule.id, field), message))
            if rule.deadline and rule.deadline < rule.effective:
                problems.append(Problem(_where(path.name, rule.id, "deadline"), "is before the effective date"))
            rule._parameters = parameters
            rule._file = path.name
            if rule.when:
                rule._when = _compile(rule.when, _where(path.name, rule.id, "when"), problems)
            if isinstance(parameters, ProfileCheck):  # the parameters of kind profile_check
                parameters._program = _compile(parameters.check, _where(path.name, rule.id, "params.check"), problems)
            rules.append(rule)
    if problems:
        raise InvalidInput(f"The rules have {len(problems)} mistake(s)", problems=problems)
    return RuleSet(tuple(sorted(rules, key=lambda r: r.id)), digest.hexdigest())
