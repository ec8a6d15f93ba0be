"""The yearly barometer (Axe 5): the same indicators, per school and for the group, from facts (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from govkit.documents.kinds import catalogue
from govkit.rules.facts import Facts, OrganisationFacts
from govkit.vocabulary import Population

ACKNOWLEDGED_KINDS = ("internal", "study", "housing", "equality_annex")
POPULATIONS = tuple(p.value for p in Population)


@dataclass(frozen=True)
class Indicator:
    id: str
    axe: int
    label_fr: str
    label_en: str
    unit: str  # "yes/no", "share" (0..1), "rate" (0..1)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("equality_charter", 1, "Charte Égalité FH signée", "Equality charter signed", "yes/no"),
    Indicator("equality_referent", 1, "Référent égalité nommé", "Equality referent appointed", "yes/no"),
    Indicator("vss_action_plan", 1, "Plan d'action VSS formalisé", "Formal VSS action plan", "yes/no"),
    Indicator("intranet_vss_section", 1, "Rubrique VSS sur l'intranet", "VSS section on the intranet", "yes/no"),
    Indicator(
        "public_equality_section", 1, "Rubrique égalité sur le site", "Equality section on the website", "yes/no"
    ),
    Indicator("english_documents", 1, "Documents disponibles en anglais", "Documents available in English", "share"),
    Indicator(
        "vss_training_students",
        2,
        "Primo-entrants formés aux VSS (registre ; année universitaire finie dans l'année)",
        "New students trained in VSS (training records; the academic year ending in the year)",
        "rate",
    ),
    Indicator(
        "vss_training_staff",
        2,
        "Personnels formés aux VSS (registre ; année universitaire finie dans l'année)",
        "Staff trained in VSS (training records; the academic year ending in the year)",
        "rate",
    ),
    Indicator("listening_cell", 3, "Cellule d'écoute accessible", "Listening cell available", "yes/no"),
    Indicator("reporting_channel", 3, "Dispositif de signalement", "Reporting channel", "yes/no"),
    Indicator(
        "reporting_platform", 3, "Plateforme de signalement accessible", "Reporting platform available", "yes/no"
    ),
    Indicator("anonymous_reporting", 3, "Signalement anonyme possible", "Anonymous reporting possible", "yes/no"),
    Indicator(
        "regulations_complete", 4, "Règlements avec le socle commun", "Regulations with the common base", "share"
    ),
    Indicator("acknowledgement_rate", 4, "Taux de prise de connaissance", "Acknowledgement rate", "rate"),
    Indicator(
        "vss_survey",
        5,
        "Enquête VSS : part des 1re année invités (sinon 1 : enquête ouverte ; 0 : prévue ou construite)",
        "VSS survey: share of first-years invited (else 1: a survey opened; 0: planned or built)",
        "share",
    ),
)


@dataclass
class BarometerRow:
    organisation: str
    name: str
    values: dict[str, float | None] = field(default_factory=dict)  # None: not known / not recorded
    acknowledgement_by_population: dict[str, float] = field(default_factory=dict)


@dataclass
class Barometer:
    year: int
    as_of: str
    schools: list[BarometerRow]
    group: BarometerRow


def _in_place(org: OrganisationFacts, day: date, type_: str, statuses: tuple[str, ...] = ("in_place",)) -> float | None:
    """1 when a record in effect on ``day`` says so, None (not known) when only records dated too loosely
    to tell do (valid time: govkit.timeline.is_uncertain), else 0."""
    records = [c for c in org.commitments_of(type_) if c.status in statuses and c.in_effect(day)]
    if any(not c.uncertain for c in records):
        return 1.0
    return None if records else 0.0


def _training(org: OrganisationFacts, audience: str, year: int) -> float | None:
    """The best known share of ``audience`` trained in the academic year ending in ``year``
    (``year - 1``/``year``: complete by the end of ``year``), from the training records; None when
    none of that year gives it."""
    rates = [
        rate
        for t in org.training
        if t.audience == audience and t.academic_year == year - 1 and not t.uncertain and (rate := t.rate) is not None
    ]
    return round(max(rates), 4) if rates else None


def _survey(org: OrganisationFacts, year: int) -> float | None:
    """The share of first-year students invited to a survey in ``year``; else 1 when a survey of the
    organisation was open (or closed) that year, 0 when only planned or built; None when nothing is
    recorded for that year."""
    of_year = [s for s in org.surveys if s.year == year and not s.uncertain]
    shares = [
        share
        for s in of_year
        if s.audience == "first_year_students" and s.status not in ("planned", "built")
        if (share := s.invited_share) is not None
    ]
    if shares:
        return round(max(shares), 4)
    if any(s.status in ("open", "closed") for s in of_year):
        return 1.0
    return 0.0 if of_year else None


def school_row(
    org: OrganisationFacts, year: int, day: date, required: dict[str, tuple[str, ...]] | None = None
) -> BarometerRow:
    """The indicators of ``org`` for ``year``, from its facts as of ``day`` (``required``: the clauses
    each kind requires on that day; None: the seed's)."""
    row = BarometerRow(org.code, org.name)
    v = row.values
    for type_ in (
        "equality_charter",
        "equality_referent",
        "vss_action_plan",
        "intranet_vss_section",
        "public_equality_section",
        "listening_cell",
        "reporting_channel",
        "reporting_platform",  # the school's own, shared, or the group's it joined
    ):
        v[type_] = _in_place(org, day, type_)
    with_french = [k for k in ACKNOWLEDGED_KINDS if org.document(k, "fr")]
    v["english_documents"] = (
        round(sum(1 for k in with_french if org.document(k, "en")) / len(with_french), 4) if with_french else 0.0
    )
    v["vss_training_students"] = _training(org, "new_students", year)
    v["vss_training_staff"] = _training(org, "staff", year)
    anonymous = ((org.profile or {}).get("reporting_channel") or {}).get("anonymous")
    unknown = anonymous is None or org.profile_uncertain
    v["anonymous_reporting"] = None if unknown else float(bool(anonymous))
    complete = 0
    for kind in ACKNOWLEDGED_KINDS:
        document = org.document(kind, "fr")
        needed = catalogue().kind(kind).required_clauses if required is None else required.get(kind, ())
        if document and set(needed) <= set(document.clauses):
            complete += 1
    v["regulations_complete"] = round(complete / len(ACKNOWLEDGED_KINDS), 4)
    concerned = acknowledged = 0
    by_population: dict[str, list[int]] = {}
    for campaign in org.campaigns:
        for rate in campaign.populations:
            concerned += rate.concerned
            acknowledged += rate.acknowledged
            pair = by_population.setdefault(rate.population, [0, 0])
            pair[0] += rate.concerned
            pair[1] += rate.acknowledged
    v["acknowledgement_rate"] = round(acknowledged / concerned, 4) if concerned else None
    row.acknowledgement_by_population = {p: round(a / n, 4) for p, (n, a) in sorted(by_population.items()) if n}
    v["vss_survey"] = _survey(org, year)
    return row


def compute(facts: Facts, year: int) -> Barometer:
    """Indicators per school, and for the group: the mean over schools where the value is known.

    ``facts`` are those as of the end of ``year`` (valid time): what was true then, whenever it was
    recorded; a commitment dated too loosely to tell counts as not known (None), not as absent.
    """
    schools = [
        school_row(o, year, facts.as_of, facts.required_clauses) for o in facts.organisations if o.type == "school"
    ]
    group_name = next((o.name for o in facts.organisations if o.type == "group"), "Groupe")
    group = BarometerRow("group", group_name)
    for indicator in INDICATORS:
        known = [value for r in schools if (value := r.values.get(indicator.id)) is not None]
        group.values[indicator.id] = round(sum(known) / len(known), 4) if known else None
    populations = sorted({p for r in schools for p in r.acknowledgement_by_population})
    for population in populations:
        rates = [
            r.acknowledgement_by_population[population]
            for r in schools
            if population in r.acknowledgement_by_population
        ]
        group.acknowledgement_by_population[population] = round(sum(rates) / len(rates), 4)
    return Barometer(year=year, as_of=facts.as_of.isoformat(), schools=schools, group=group)
