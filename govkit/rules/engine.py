"""The rules engine: a pure function of (rules, facts) → findings, in a deterministic order."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, NamedTuple

import cel

from govkit.documents.kinds import catalogue
from govkit.rules.facts import Facts, OrganisationFacts
from govkit.rules.model import (
    MinAcknowledgementRate,
    MinMeetings,
    MinTrainingCoverage,
    ProfileCheck,
    RequireClauses,
    RequireCommitment,
    RequireLanguage,
    Rule,
)


class Violation(NamedTuple):
    """What a check found at one organisation (a tuple: thousands are made per run)."""

    key: str
    message_fr: str
    message_en: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Finding:
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


def _known(value: Any) -> Any:
    """Drop unknown (None) values so that CEL's has() tells known from unknown."""
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_known(v) for v in value]
    return value


def _context(org: OrganisationFacts, fields: frozenset[str] | None = None) -> dict[str, Any]:
    """The CEL variables of ``org``; with ``fields``, only those fields of its profile."""
    profile = org.profile or {}
    if fields is not None:
        profile = {k: v for k, v in profile.items() if k in fields}
    return {"org": {"code": org.code, "type": org.type, "name": org.name}, "profile": _known(profile)}


#: ``profile`` in a CEL expression, and the field it selects (``profile.field``) unless it is called.
_PROFILE_USE = re.compile(r"\bprofile\b(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)(\s*\()?)?")


def profile_fields(expressions: Iterable[str]) -> frozenset[str] | None:
    """The profile fields the expressions select, or None when one uses the profile otherwise.

    An expression reads ``profile.field`` (and deeper) only through the field it selects: the
    other fields need not be converted for CEL. Any other use (``profile["x"]``, a macro on
    the profile, the word in a string) keeps the whole profile.
    """
    fields: set[str] = set()
    for expression in expressions:
        for use in _PROFILE_USE.finditer(expression):
            if use.group(1) is None or use.group(2) is not None:
                return None
            fields.add(use.group(1))
    return frozenset(fields)


class _Contexts:
    """The CEL context of each organisation, converted once for every expression evaluated on it."""

    def __init__(self, fields: frozenset[str] | None) -> None:
        self._fields = fields
        self._built: dict[int, Any] = {}

    def of(self, org: OrganisationFacts) -> Any:
        context = self._built.get(id(org))
        if context is None:
            context = self._built[id(org)] = cel.Context(_context(org, self._fields))
        return context


def _guard(rule: Rule, org: OrganisationFacts, context: Any = None) -> bool:
    if rule.guard is None:
        return True
    try:
        return bool(rule.guard.execute(_context(org) if context is None else context))
    except Exception:
        return False


@cache
def _title(kind: str, language: str) -> str:
    spec = catalogue().kinds.get(kind)
    return spec.title.get(language) if spec else kind


def check_require_clauses(p: RequireClauses, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    for kind in p.kinds:
        required = p.clauses or list(catalogue().kind(kind).required_clauses)
        for language in p.languages:
            document = org.document(kind, language)
            if document is None:
                yield Violation(
                    f"{kind}/{language}",
                    f"Aucun « {_title(kind, 'fr')} » ({language}) n'est en vigueur.",
                    f"No {_title(kind, 'en').lower()} ({language}) is in force.",
                    {"kind": kind, "language": language},
                )
                continue
            for clause in required:
                if clause not in document.clauses:
                    title_fr, title_en = catalogue().clause_title(clause, "fr"), catalogue().clause_title(clause, "en")
                    yield Violation(
                        f"{kind}/{language}/{clause}",
                        f"La clause « {title_fr} » ({clause}) manque à la version {document.number} du "
                        f"« {_title(kind, 'fr')} » ({language}).",
                        f"Clause “{title_en}” ({clause}) is missing from version {document.number} of the "
                        f"{_title(kind, 'en').lower()} ({language}).",
                        {"kind": kind, "language": language, "version": document.number, "clause": clause},
                    )


COMMITMENT_LABELS: dict[str, tuple[str, str]] = {
    "equality_charter": ("la charte Égalité FH dans l'ESR signée", "the gender equality charter signed"),
    "equality_referent": ("un référent égalité nommé", "an equality referent appointed"),
    "vss_action_plan": ("un plan d'action VSS formalisé", "a formal VSS action plan"),
    "intranet_vss_section": ("une rubrique VSS sur l'intranet", "a VSS section on the intranet"),
    "public_equality_section": ("une rubrique égalité F-H sur le site internet", "an equality section on the website"),
    "listening_cell": ("une cellule d'écoute", "a listening cell"),
    "reporting_channel": ("un dispositif de recueil des signalements", "a reporting channel"),
    "network_membership": ("l'adhésion à la CPED", "membership of the CPED"),
    "communication_plan": ("la thématique VSS dans le plan de communication", "VSS in the communication plan"),
    "vss_protocol": ("un protocole de gestion des VSS formalisé", "a formal VSS handling protocol"),
    "regulation_vss_amendment": ("un règlement toiletté pour intégrer les VSS", "a regulation amended to cover VSS"),
    "vss_survey": ("une enquête VSS", "a VSS survey"),
    "other_charter": ("une autre charte", "another charter"),
    "referent_meeting": ("une réunion du réseau des référents", "a referents' network meeting"),
}


def check_require_commitment(p: RequireCommitment, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    type_ = p.type.value
    records = org.commitments_of(type_)
    statuses = {s.value for s in p.statuses}
    current = [c for c in records if c.status in statuses and (c.expires_on is None or c.expires_on >= facts.as_of)]
    if p.max_age_years is not None:
        limit = facts.as_of - timedelta(days=365 * p.max_age_years)
        current = [c for c in current if c.effective_on is not None and c.effective_on >= limit]
    if current:
        return
    state = ", ".join(sorted({f"{c.title} : {c.status}" for c in records})) or None
    label_fr, label_en = COMMITMENT_LABELS.get(type_, (type_, type_))
    yield Violation(
        type_,
        f"Manque {label_fr}" + (f" (état enregistré : {state})." if state else " : rien n'est enregistré."),
        f"Missing {label_en}" + (f" (recorded: {state})." if state else ": nothing is recorded."),
        {
            "type": type_,
            "recorded": sorted(
                ({"title": c.title, "status": c.status} for c in records), key=lambda r: (r["title"], r["status"])
            ),
        },
    )


def check_require_language(p: RequireLanguage, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    for kind in p.kinds:
        french = org.document(kind, "fr")
        translated = org.document(kind, p.language)
        if french is None:
            continue  # the missing French text is another rule's finding
        if translated is None:
            yield Violation(
                f"{kind}/{p.language}",
                f"Pas de version anglaise du « {_title(kind, 'fr')} ».",
                f"No English version of the {_title(kind, 'en').lower()}.",
                {"kind": kind, "french_version": french.number},
            )
        elif p.not_older and translated.published_at < french.published_at:
            yield Violation(
                f"{kind}/{p.language}/stale",
                f"La version anglaise du « {_title(kind, 'fr')} » est plus ancienne que la version française "
                f"(v{translated.number} du {translated.published_at:%d/%m/%Y}, "
                f"v{french.number} du {french.published_at:%d/%m/%Y}).",
                f"The English {_title(kind, 'en').lower()} is older than the French one.",
                {"kind": kind, "english_version": translated.number, "french_version": french.number},
            )


def check_min_acknowledgement_rate(
    p: MinAcknowledgementRate, org: OrganisationFacts, facts: Facts
) -> Iterable[Violation]:
    wanted = {x.value for x in p.populations} if p.populations else None
    after = timedelta(days=p.after_days)
    for campaign in org.campaigns:
        if p.kinds and campaign.kind not in p.kinds:
            continue
        if campaign.opened_on + after > facts.as_of:
            continue
        for population in campaign.populations:
            if wanted is not None and population.population not in wanted:
                continue
            rate = population.rate
            if population.concerned and rate < p.rate:
                yield Violation(
                    f"{campaign.kind}/v{campaign.version}/{population.population}",
                    f"Prise de connaissance du « {_title(campaign.kind, 'fr')} » v{campaign.version} : "
                    f"{rate:.0%} des {population.population} "
                    f"({population.acknowledged}/{population.concerned}) "
                    f"{p.after_days} jours après l'ouverture, pour un objectif de {p.rate:.0%}.",
                    f"Acknowledgement of the {_title(campaign.kind, 'en').lower()} v{campaign.version}: "
                    f"{rate:.0%} of {population.population} "
                    f"({population.acknowledged}/{population.concerned}), "
                    f"target {p.rate:.0%} after {p.after_days} days.",
                    {
                        "kind": campaign.kind,
                        "version": campaign.version,
                        "population": population.population,
                        "concerned": population.concerned,
                        "acknowledged": population.acknowledged,
                        "rate": round(rate, 4),
                        "target": p.rate,
                    },
                )


def check_min_meetings(p: MinMeetings, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    start = facts.as_of - timedelta(days=365)
    held = sorted(
        c.effective_on
        for c in org.commitments_of(p.commitment_type.value)
        if c.effective_on is not None and start < c.effective_on <= facts.as_of and c.status == "in_place"
    )
    if len(held) < p.per_year:
        yield Violation(
            p.commitment_type.value,
            f"{len(held)} réunion(s) du réseau des référents sur les douze derniers mois, pour {p.per_year} attendues.",
            f"{len(held)} referents' network meeting(s) in the last twelve months; {p.per_year} expected.",
            {"held": [d.isoformat() for d in held], "expected": p.per_year},
        )


def check_min_training_coverage(p: MinTrainingCoverage, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    population = p.population.value
    records = [t for t in org.training if t.training == p.training and t.population == population]
    latest = max(records, key=lambda t: t.year, default=None)
    if latest is None:
        yield Violation(
            f"{p.training}/{population}/unrecorded",
            f"Couverture de la formation « {p.training} » des {population} non renseignée.",
            f"Coverage of training “{p.training}” for {population} is not recorded.",
            {"training": p.training, "population": population},
        )
    elif latest.rate < p.rate:
        yield Violation(
            f"{p.training}/{population}",
            f"Formation « {p.training} » : {latest.rate:.0%} des {population} formés en {latest.year}, "
            f"pour un objectif de {p.rate:.0%}.",
            f"Training “{p.training}”: {latest.rate:.0%} of {population} trained in {latest.year}; "
            f"target {p.rate:.0%}.",
            {
                "training": p.training,
                "population": population,
                "year": latest.year,
                "trained": latest.trained,
                "total": latest.total,
                "target": p.rate,
            },
        )


def check_profile(p: ProfileCheck, org: OrganisationFacts, facts: Facts, context: Any = None) -> Iterable[Violation]:
    try:
        passed = bool(p.program.execute(_context(org) if context is None else context))
    except Exception:
        passed = False  # a value the check needs is unknown: the school must say
    if not passed:
        yield Violation("profile", p.message_fr, p.message_en, {"check": p.check})


CHECKS: dict[str, Callable[[Any, OrganisationFacts, Facts], Iterable[Violation]]] = {
    "require_clauses": check_require_clauses,
    "require_commitment": check_require_commitment,
    "require_language": check_require_language,
    "min_acknowledgement_rate": check_min_acknowledgement_rate,
    "min_meetings": check_min_meetings,
    "min_training_coverage": check_min_training_coverage,
    "profile_check": check_profile,
}


def evaluate(rules: Sequence[Rule], facts: Facts) -> list[Finding]:
    """Every finding of every rule in force on ``facts.as_of``, sorted by organisation, rule and key."""
    findings: list[Finding] = []
    in_force = [rule for rule in rules if rule.effective <= facts.as_of]
    programs = [r.guard for r in in_force if r.guard is not None]
    programs += [r.parameters.program for r in in_force if r.kind == "profile_check"]
    contexts = _Contexts(profile_fields(p.source for p in programs if p is not None))
    for rule in rules:
        if rule.effective > facts.as_of:
            continue
        overdue = rule.deadline is None or facts.as_of > rule.deadline
        severity = rule.severity if overdue else "info"  # before the deadline, a reminder
        source = f"Axe {rule.source.axe} — {rule.source.objective}"
        types = {t.value for t in rule.scope.types}  # the rule's scope
        codes = set(rule.scope.codes)
        check, parameters, guard = CHECKS[rule.kind], rule.parameters, rule.guard
        cel_check = rule.kind == "profile_check"
        for org in facts.organisations:
            if org.type not in types or (codes and org.code not in codes):
                continue
            if guard is not None and not _guard(rule, org, contexts.of(org)):
                continue
            violations = (
                check_profile(parameters, org, facts, contexts.of(org)) if cel_check else check(parameters, org, facts)
            )
            for violation in violations:
                findings.append(
                    Finding(
                        rule_id=rule.id,
                        organisation=org.code,
                        severity=severity,
                        key=violation.key,
                        message_fr=violation.message_fr,
                        message_en=violation.message_en,
                        evidence=violation.evidence,
                        source=source,
                        overdue=overdue,
                    )
                )
    return sorted(findings, key=lambda f: (f.organisation, f.rule_id, f.key))
