"""The rules engine: a pure function of (rules, facts) → findings, in a deterministic order."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

import cel

from govkit.documents.kinds import catalogue
from govkit.rules.definitions import (
    MinAcknowledgementRate,
    MinMeetings,
    MinTrainingCoverage,
    ProfileCheck,
    RequireClauses,
    RequireCommitment,
    RequireLanguage,
    Rule,
)
from govkit.rules.facts import Facts, OrganisationFacts


class Violation(NamedTuple):
    """What a check found at one organisation (a tuple: thousands are made per run)."""

    key: str
    message_fr: str
    message_en: str
    evidence: dict[str, Any]


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


def _passes(program: Any, org: OrganisationFacts) -> bool:
    """Whether ``program`` holds at ``org``: false when it fails (a value it needs is unknown)."""
    try:
        return bool(program.execute(_context(org)))
    except Exception:
        return False


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: ``profile`` in a CEL expression, the fields it selects (``profile.a.b``), and a call after them.
_PROFILE_USE = re.compile(r"\bprofile\b((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)(\s*\()?")


def profile_paths(expressions: Iterable[str]) -> frozenset[tuple[str, ...]] | None:
    """The paths of profile fields the expressions select, or None when one uses the profile otherwise.

    ``profile.a.b`` reads the profile only through field ``b`` of field ``a``: the rest of
    the profile cannot change its value. ``profile.a.b.size()`` reads ``profile.a.b`` as a
    whole. Any other use (``profile["a"]``, ``size(profile)``, a macro on the profile, the
    word in a string) reads the whole profile.
    """
    paths: set[tuple[str, ...]] = set()
    for expression in expressions:
        for use in _PROFILE_USE.finditer(expression):
            path = tuple(_NAME.findall(use.group(1)))
            if use.group(2) is not None:
                path = path[:-1]  # the last name is a method called on the field before it
            if not path:
                return None
            paths.add(path)
    return frozenset(paths)


def profile_fields(expressions: Iterable[str]) -> frozenset[str] | None:
    """The top-level profile fields the expressions select, or None when one uses the profile otherwise."""
    paths = profile_paths(expressions)
    return None if paths is None else frozenset(path[0] for path in paths)


def _trie(paths: Iterable[tuple[str, ...]]) -> dict[str, Any]:
    """The paths as nested dicts; None where a path ends (everything below it is read)."""
    trie: dict[str, Any] = {}
    for path in sorted(paths, key=len):  # a shorter path first: it covers the longer ones below it
        node: dict[str, Any] = trie
        for name in path[:-1]:
            below = node.setdefault(name, {})
            if below is None:  # a shorter path ends here
                break
            node = below
        else:
            node[path[-1]] = None
    return trie


def _selected(value: dict[str, Any], trie: dict[str, Any]) -> dict[str, Any]:
    """What ``trie`` selects of ``value``, known values only (as _known leaves them)."""
    selected: dict[str, Any] = {}
    for name, below in trie.items():
        item = value.get(name)
        if item is None:
            continue
        selected[name] = _selected(item, below) if below is not None and isinstance(item, dict) else _known(item)
    return selected


class _Programs:
    """CEL programs evaluated on organisations, each once per distinct value of what it reads.

    A program reads the fields of the profile it selects (and ``org`` if it names it): two
    organisations alike in those give it the same result. Most schools share the few values
    a check reads (a flag, a percentage), so a thousand schools take a few evaluations, and
    the whole profile of each is never converted for CEL.
    """

    def __init__(self) -> None:
        self._reads: dict[int, tuple[dict[str, Any] | None, bool]] = {}  # by id(program)
        self._results: dict[tuple[int, str], bool] = {}

    def passes(self, program: Any, org: OrganisationFacts) -> bool:
        """``_passes(program, org)``."""
        reads = self._reads.get(id(program))
        if reads is None:
            paths = profile_paths([program.source])
            reads = (None if paths is None else _trie(paths), "org" in program.variables())
            self._reads[id(program)] = reads
        trie, reads_org = reads
        profile = _known(org.profile or {}) if trie is None else _selected(org.profile or {}, trie)
        variables = {"org": {"code": org.code, "type": org.type, "name": org.name}, "profile": profile}
        try:
            key = json.dumps(variables if reads_org else profile)  # types and order kept: 1, 1.0, true differ
        except (TypeError, ValueError):  # a value JSON does not hold: no reuse
            return self._execute(program, variables)
        result = self._results.get((id(program), key))
        if result is None:
            result = self._results[id(program), key] = self._execute(program, variables)
        return result

    @staticmethod
    def _execute(program: Any, variables: dict[str, Any]) -> bool:
        try:
            return bool(program.execute(cel.Context(variables)))
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


def check_profile(
    p: ProfileCheck, org: OrganisationFacts, facts: Facts, programs: _Programs | None = None
) -> Iterable[Violation]:
    # a value the check needs is unknown: the school must say
    passed = _passes(p.program, org) if programs is None else programs.passes(p.program, org)
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


#: evaluate's order of findings: by organisation, rule and key.
_FINDING_ORDER = attrgetter("organisation", "rule_id", "key")


def evaluate(rules: Sequence[Rule], facts: Facts) -> list[Finding]:
    """Every finding of every rule in force on ``facts.as_of``, sorted by organisation, rule and key."""
    findings: list[Finding] = []
    append = findings.append
    in_force = [rule for rule in rules if rule.effective <= facts.as_of]
    programs = _Programs()
    for rule in in_force:
        overdue = rule.deadline is None or facts.as_of > rule.deadline
        severity = rule.severity if overdue else "info"  # before the deadline, a reminder
        source = f"Axe {rule.source.axe} — {rule.source.objective}"
        types = {t.value for t in rule.scope.types}  # the rule's scope
        codes = set(rule.scope.codes)
        rule_id, check, parameters, guard = rule.id, CHECKS[rule.kind], rule.parameters, rule.guard
        cel_check = rule.kind == "profile_check"
        for org in facts.organisations:
            if org.type not in types or (codes and org.code not in codes):
                continue
            if guard is not None and not programs.passes(guard, org):
                continue
            violations = check_profile(parameters, org, facts, programs) if cel_check else check(parameters, org, facts)
            code = org.code
            for key, message_fr, message_en, evidence in violations:
                append(Finding(rule_id, code, severity, key, message_fr, message_en, evidence, source, overdue))
    findings.sort(key=_FINDING_ORDER)
    return findings
