"""The rules engine: a pure function of (rules, facts) → findings, in a deterministic order.

The checks of each kind are in govkit.rules.checks, the CEL programs in govkit.rules.programs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from operator import attrgetter
from typing import Any, NamedTuple

from govkit.rules.checks import CHECKS, NOT_DOCUMENTED, Violation, check_profile
from govkit.rules.definitions import Rule
from govkit.rules.facts import Facts
from govkit.rules.parameters import in_effect, resolve
from govkit.rules.programs import _passes, _Programs, profile_fields, profile_paths

__all__ = [
    "NOT_DOCUMENTED",
    "Finding",
    "Violation",
    "_Programs",
    "_passes",
    "evaluate",
    "profile_fields",
    "profile_paths",
]


class Finding(NamedTuple):
    """A rule's finding at one organisation (a tuple: thousands are made per run)."""

    rule_id: str
    organisation: str
    severity: str
    key: str
    message_fr: str
    message_en: str
    evidence: dict[str, Any]
    source: str  # "Axe N — objective"
    overdue: bool  # the rule's deadline has passed

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.rule_id}|{self.organisation}|{self.key}".encode()).hexdigest()


#: evaluate's order of findings: by organisation, rule and key.
_FINDING_ORDER = attrgetter("organisation", "rule_id", "key")


def evaluate(rules: Sequence[Rule], facts: Facts) -> list[Finding]:
    """Every finding of every rule in force on ``facts.as_of``, sorted by organisation, rule and key.

    Each rule with its parameters on that day (the values recorded in ``facts.parameters``, else its
    file's: govkit.rules.parameters); what findings show of them, with their sources, is
    ``parameters_shown`` (stored once per run, not in each finding's evidence).
    """
    findings: list[Finding] = []
    append = findings.append
    in_force = [rule for rule in rules if rule.effective <= facts.as_of]
    programs = _Programs()
    recorded = in_effect(facts)
    for rule in in_force:
        parameters, deadline, _shown = resolve(rule, recorded.get(rule.id))
        overdue = deadline is None or facts.as_of > deadline
        severity = rule.severity if overdue else "info"  # before the deadline, a reminder
        source = f"Axe {rule.source.axe} — {rule.source.objective}"
        types = {t.value for t in rule.scope.types}  # the rule's scope
        codes = set(rule.scope.codes)
        rule_id, check, guard = rule.id, CHECKS[rule.kind], rule.guard
        cel_check = rule.kind == "profile_check"
        for org in facts.organisations:
            if org.type not in types or (codes and org.code not in codes):
                continue
            if guard is not None and not programs.passes(guard, org):
                continue
            violations = check_profile(parameters, org, facts, programs) if cel_check else check(parameters, org, facts)
            code = org.code
            for key, message_fr, message_en, evidence, own_severity in violations:
                append(
                    Finding(
                        rule_id, code, own_severity or severity, key, message_fr, message_en, evidence, source, overdue
                    )
                )
    findings.sort(key=_FINDING_ORDER)
    return findings
