"""The checks of each rule kind: (parameters, organisation, facts) → violations (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

from govkit.documents.kinds import catalogue
from govkit.french import de
from govkit.labels import label
from govkit.rules.clause_text import changed_clauses
from govkit.rules.definitions import (
    MinAcknowledgementRate,
    MinMeetings,
    ProfileCheck,
    RequireClauses,
    RequireClauseText,
    RequireCommitment,
    RequireLanguage,
)
from govkit.rules.facts import CommitmentFact, Facts, OrganisationFacts
from govkit.rules.programs import _passes, _Programs, unknown_paths
from govkit.rules.training_checks import check_min_survey_invitation, check_min_training_coverage, check_survey_built
from govkit.rules.violations import NOT_DOCUMENTED, Violation
from govkit.timeline import format_dated


@cache
def _title(kind: str, language: str) -> str:
    spec = catalogue().kinds.get(kind)
    return spec.title.get(language) if spec else kind


def required_clauses(facts: Facts, kind: str) -> tuple[str, ...]:
    """The clauses ``kind`` requires on the facts' day (the clause library's), else the seed's."""
    found = facts.required_of(kind)
    return catalogue().kind(kind).required_clauses if found is None else found


def clause_title(facts: Facts, key: str, language: str) -> str:
    titles = (facts.clause_titles or {}).get(key)
    if titles is None:
        return catalogue().clause_title(key, language)
    return titles[0] if language == "fr" else titles[1]


def check_require_clauses(p: RequireClauses, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    """Each clause missing from the version in force: those the rule names, else those the kind
    requires on the day (a clause required from a later day is not missing yet)."""
    for kind in p.kinds:
        required = p.clauses or list(required_clauses(facts, kind))
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
                    title_fr, title_en = clause_title(facts, clause, "fr"), clause_title(facts, clause, "en")
                    yield Violation(
                        f"{kind}/{language}/{clause}",
                        f"La clause « {title_fr} » ({clause}) manque à la version {document.number} du "
                        f"« {_title(kind, 'fr')} » ({language}).",
                        f"Clause “{title_en}” ({clause}) is missing from version {document.number} of the "
                        f"{_title(kind, 'en').lower()} ({language}).",
                        {"kind": kind, "language": language, "version": document.number, "clause": clause},
                    )


def check_require_clause_text(p: RequireClauseText, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    """A document in force whose required clause text differs from its root's but for the variables."""
    for kind in p.kinds or list(catalogue().kinds):
        spec = catalogue().kinds.get(kind)
        for language in p.languages:
            document = org.document(kind, language)
            if spec is None or document is None or not document.clause_texts:
                continue
            for clause in changed_clauses(spec.required_clauses, document.clause_texts, document.root_clause_texts):
                title_fr, title_en = catalogue().clause_title(clause, "fr"), catalogue().clause_title(clause, "en")
                yield Violation(
                    f"{kind}/{language}/{clause}/text",
                    f"Le texte de la clause « {title_fr} » ({clause}) de la version {document.number} du "
                    f"« {_title(kind, 'fr')} » ({language}) diffère de celui du document racine.",
                    f"The text of clause “{title_en}” ({clause}) in version {document.number} of the "
                    f"{_title(kind, 'en').lower()} ({language}) differs from the root document's.",
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
    "reporting_platform": ("l'accès à une plateforme de signalement", "access to a reporting platform"),
    "network_membership": ("l'adhésion à la CPED", "membership of the CPED"),
    "communication_plan": ("la thématique VSS dans le plan de communication", "VSS in the communication plan"),
    "vss_protocol": ("un protocole de gestion des VSS formalisé", "a formal VSS handling protocol"),
    "regulation_vss_amendment": ("un règlement toiletté pour intégrer les VSS", "a regulation amended to cover VSS"),
    "vss_survey": ("une enquête VSS", "a VSS survey"),
    "other_charter": ("une autre charte", "another charter"),
    "referent_meeting": ("une réunion du réseau des référents", "a referents' network meeting"),
}


def _dated(c: CommitmentFact, language: str) -> str:
    """When a record says it took effect: its period as dated (« 2021 », « 2021/2022 »), or unknown."""
    if c.effective_on is None:
        return "date inconnue" if language == "fr" else "date unknown"
    return format_dated(c.effective_on, c.precision)


def not_documented(type_: str, uncertain: list[CommitmentFact], day: date) -> Violation:
    """The info finding of a required commitment recorded only with a date that does not tell
    whether it was in place on ``day`` (« non documenté »): never reported as missing."""
    label_fr, label_en = COMMITMENT_LABELS.get(type_, (type_, type_))
    records = sorted(uncertain, key=lambda c: (c.title, c.status))
    said_fr = ", ".join(f"{c.title} : {label('commitment_status', c.status, 'fr')}, {_dated(c, 'fr')}" for c in records)
    said_en = ", ".join(f"{c.title}: {label('commitment_status', c.status, 'en')}, {_dated(c, 'en')}" for c in records)
    return Violation(
        f"{type_}/{NOT_DOCUMENTED}",
        f"Non documenté : {label_fr} — l'enregistrement ({said_fr}) ne dit pas s'il était en place au {day:%d/%m/%Y}.",
        f"Not documented: {label_en} — the record ({said_en}) does not tell whether it was in place on {day}.",
        {
            "type": type_,
            "not_documented": True,
            "recorded": [
                {"title": c.title, "status": c.status, "valid_from": _dated(c, "en"), "precision": c.precision}
                for c in records
            ],
        },
        "info",
    )


def _held(c: CommitmentFact) -> dict[str, Any]:
    """What a finding's evidence says of a record held through an arrangement (nothing for one's own)."""
    if c.how == "own" and c.holder is None:
        return {}
    said: dict[str, Any] = {"how": c.how}
    if c.holder is not None:
        said["holder"] = c.holder
    if c.members:
        said["members"] = list(c.members)
    if c.provider:
        said["provider"] = c.provider
    return said


def nothing_recorded(type_: str, pending: Sequence[CommitmentFact] = ()) -> Violation:
    """The info finding of a required commitment of which the organisation records nothing of its own
    (« silence is not absence »): not documented, to ask the school; never reported as missing. An
    arrangement of another organisation it is in, not in place yet, is said (it is the holder's)."""
    label_fr, label_en = COMMITMENT_LABELS.get(type_, (type_, type_))
    said_fr = "".join(
        f" ; dispositif {label('arrangement_how', c.how, 'fr')} {de(c.holder or '')} « {c.title} » : "
        f"{label('commitment_status', c.status, 'fr')}"
        for c in pending
    )
    said_en = "".join(
        f"; {label('arrangement_how', c.how, 'en')} arrangement of {c.holder} “{c.title}”: "
        f"{label('commitment_status', c.status, 'en')}"
        for c in pending
    )
    return Violation(
        f"{type_}/{NOT_DOCUMENTED}",
        f"Non documenté : {label_fr} — rien n'est enregistré{said_fr} ; à demander à l'école.",
        f"Not documented: {label_en} — nothing is recorded{said_en}; ask the school.",
        {
            "type": type_,
            "not_documented": True,
            "recorded": [{"title": c.title, "status": c.status, **_held(c)} for c in pending],
        },
        "info",
    )


def check_require_commitment(p: RequireCommitment, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    """Met by a record in place — its own, or an arrangement it is served by (shared, group,
    external: govkit.rules.coverage says which); nothing recorded at all is « not documented »
    (info); records none of which is in place, or a group arrangement opted out of without an own
    one, are missing (the rule's severity)."""
    type_ = p.type.value
    records = org.commitments_of(type_)
    statuses, day = p.accepted, facts.as_of
    current = [c for c in records if c.status in statuses and (c.expires_on is None or day < c.expires_on)]
    if p.max_age_years is not None:
        limit = day - timedelta(days=365 * p.max_age_years)
        current = [c for c in current if c.effective_on is not None and c.effective_on >= limit]
    for c in current:
        if not c.uncertain:
            return
    if current:  # recorded, but not dated well enough to say it was in place then
        yield not_documented(type_, current, day)
        return
    left = [o for o in org.opted_out if o.type == type_]
    own = [c for c in records if c.holder is None]
    if not own and not left:  # joining an arrangement not in place yet never makes it missing
        yield nothing_recorded(type_, sorted(records, key=lambda c: (c.holder or "", c.title)))
        return
    state_fr = ", ".join(sorted({f"{c.title} : {label('commitment_status', c.status, 'fr')}" for c in records})) or None
    state_en = ", ".join(sorted({f"{c.title}: {label('commitment_status', c.status, 'en')}" for c in records})) or None
    label_fr, label_en = COMMITMENT_LABELS.get(type_, (type_, type_))
    evidence: dict[str, Any] = {
        "type": type_,
        "recorded": sorted(
            ({"title": c.title, "status": c.status, **_held(c)} for c in records),
            key=lambda r: (r["title"], r["status"]),
        ),
    }
    if left:
        evidence["opted_out"] = [
            {"title": o.title, "holder": o.holder, "since": o.since.isoformat() if o.since else None}
            for o in sorted(left, key=lambda o: (o.title, o.holder))
        ]
        said_fr = "; ".join(
            f"« {o.title} » ({o.holder}) quitté le {o.since:%d/%m/%Y}"
            if o.since
            else f"« {o.title} » ({o.holder}) quitté"
            for o in left
        )
        said_en = "; ".join(
            f"left “{o.title}” ({o.holder}) on {o.since}" if o.since else f"left “{o.title}” ({o.holder})" for o in left
        )
        yield Violation(
            type_,
            f"Manque {label_fr} : l'école s'est retirée du dispositif de groupe ({said_fr}) sans dispositif propre"
            + (f" (état enregistré : {state_fr})." if state_fr else "."),
            f"Missing {label_en}: the school opted out of the group arrangement ({said_en}) without its own"
            + (f" (recorded: {state_en})." if state_en else "."),
            evidence,
        )
        return
    yield Violation(
        type_,
        f"Manque {label_fr} (état enregistré : {state_fr}).",
        f"Missing {label_en} (recorded: {state_en}).",
        evidence,
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
    if not org.commitments_of(p.commitment_type.value):  # no meeting ever recorded: silence is not absence
        yield nothing_recorded(p.commitment_type.value)._replace(
            message_fr="Non documenté : aucune réunion du réseau des référents n'est enregistrée ; "
            "à demander au réseau.",
            message_en="Not documented: no referents' network meeting is recorded; ask the network.",
        )
        return
    start = facts.as_of - timedelta(days=365)
    held = [
        c
        for c in org.commitments_of(p.commitment_type.value)
        if c.effective_on is not None and start < c.effective_on <= facts.as_of and c.status == "in_place"
    ]
    certain = sorted(c.effective_on for c in held if not c.uncertain and c.effective_on is not None)
    if len(certain) >= p.per_year:
        return
    if len(held) >= p.per_year:  # enough meetings recorded, some dated too loosely to count them
        uncertain = [c for c in held if c.uncertain]
        yield not_documented(p.commitment_type.value, uncertain, facts.as_of)._replace(
            message_fr=f"Non documenté : {len(certain)} réunion(s) du réseau des référents datée(s) sur les "
            f"douze derniers mois, {len(uncertain)} autre(s) datée(s) trop largement pour les compter.",
            message_en=f"Not documented: {len(certain)} referents' network meeting(s) dated in the last twelve "
            f"months, {len(uncertain)} more dated too loosely to count.",
        )
        return
    yield Violation(
        p.commitment_type.value,
        f"{len(certain)} réunion(s) du réseau des référents sur les douze derniers mois, pour {p.per_year} attendues.",
        f"{len(certain)} referents' network meeting(s) in the last twelve months; {p.per_year} expected.",
        {"held": [d.isoformat() for d in certain], "expected": p.per_year},
    )


def check_profile(
    p: ProfileCheck, org: OrganisationFacts, facts: Facts, programs: _Programs | None = None
) -> Iterable[Violation]:
    passed = _passes(p.program, org) if programs is None else programs.passes(p.program, org)
    if passed:
        return
    unknown = unknown_paths(p.program, org)
    if unknown is None and not org.profile_uncertain:
        yield Violation("profile", f"Non respecté : {p.message_fr}", f"Not met: {p.message_en}", {"check": p.check})
        return
    # a value the check needs is unknown (or dated too loosely): not documented, the school must say
    fields = ", ".join(".".join(path) for path in sorted(unknown or ())) or "profil"
    if org.profile_uncertain and not unknown:
        said_fr, said_en = "le profil en vigueur n'est pas daté assez précisément", "the profile in force is not dated"
    elif org.profile is None:
        said_fr, said_en = "aucun profil n'est en vigueur", "no profile is in force"
    else:
        said_fr, said_en = f"le profil ne renseigne pas {fields}", f"the profile does not give {fields}"
    yield Violation(
        f"profile/{NOT_DOCUMENTED}",
        f"Non documenté : {said_fr} au {facts.as_of:%d/%m/%Y} ({p.message_fr})",
        f"Not documented: {said_en} on {facts.as_of} ({p.message_en})",
        {
            "check": p.check,
            "not_documented": True,
            "unknown": sorted(".".join(path) for path in unknown or ()),
            "profile_uncertain": org.profile_uncertain,
        },
        "info",
    )


CHECKS: dict[str, Callable[[Any, OrganisationFacts, Facts], Iterable[Violation]]] = {
    "require_clauses": check_require_clauses,
    "require_clause_text": check_require_clause_text,
    "require_commitment": check_require_commitment,
    "require_language": check_require_language,
    "min_acknowledgement_rate": check_min_acknowledgement_rate,
    "min_meetings": check_min_meetings,
    "min_training_coverage": check_min_training_coverage,
    "survey_built": check_survey_built,
    "min_survey_invitation": check_min_survey_invitation,
    "profile_check": check_profile,
}
