"""The checks of training and surveys (Axe 2, Axe 5): (parameters, organisation, facts) → violations (pure).

Training is judged per academic year (its start year: 2021 is 2021/2022): a recurring rule judges the
academic year that has started by the day evaluated (1 September), a one-year rule its own year. No
record for that year, or records whose counts are unknown, is « not documented » (info: ask the
school), never "missing": silence is not absence.
"""

from __future__ import annotations

from collections.abc import Iterable

from govkit.rules.definitions import MinSurveyInvitation, MinTrainingCoverage, SurveyBuilt
from govkit.rules.facts import Facts, OrganisationFacts, SurveyFact, TrainingFact
from govkit.rules.violations import NOT_DOCUMENTED, Violation
from govkit.timeline import academic_year

#: Each training audience as a finding names it (French, English).
AUDIENCE_LABELS: dict[str, tuple[str, str]] = {
    "new_students": ("élèves primo-entrants", "new students"),
    "new_doctoral_students": ("nouveaux doctorants", "new doctoral students"),
    "staff": ("personnels", "staff"),
    "management_committee": ("membres du comité de direction", "management committee members"),
    "thesis_supervisors": ("encadrants de thèse et tuteurs d'apprentis", "thesis supervisors and apprentice tutors"),
    "association_leaders": ("responsables d'associations étudiantes", "student association leaders"),
    "international_students": ("étudiants internationaux", "international students"),
    "referents_and_cells": ("référents et membres des cellules d'écoute", "referents and listening-cell members"),
    "catering_and_housing_staff": ("personnels de restauration et d'hébergement", "catering and housing staff"),
}

#: Each survey audience (French, English).
SURVEY_LABELS: dict[str, tuple[str, str]] = {
    "first_year_students": ("élèves de première année", "first-year students"),
    "students": ("élèves", "students"),
    "doctoral_students": ("doctorants", "doctoral students"),
    "staff": ("personnels", "staff"),
}

#: Survey statuses: built or later (the questionnaire exists); not open yet (nobody is invited).
BUILT = frozenset({"built", "open", "closed"})
NOT_OPEN = frozenset({"planned", "built"})


def academic_label(year: int) -> str:
    return f"{year}/{year + 1}"


def judged_year(from_year: int, recurring: bool, current: int) -> int | None:
    """The year a rule judges when ``current`` has started: none before ``from_year``; then each
    year when recurring, else ``from_year`` itself."""
    if current < from_year:
        return None
    return current if recurring else from_year


def _percent(rate: float) -> str:
    return f"{rate:.0%}"


def _counts(t: TrainingFact) -> str:
    if t.everyone and (t.trained is None or t.total is None):
        return "l'ensemble / everyone"
    return f"{t.trained}/{t.total}"


def check_min_training_coverage(p: MinTrainingCoverage, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    year = judged_year(p.from_year, p.recurring, academic_year(facts.as_of))
    if year is None:
        return
    audience = p.audience.value
    label_fr, label_en = AUDIENCE_LABELS.get(audience, (audience, audience))
    period = academic_label(year)
    key = f"{audience}/{year}" if p.training is None else f"{audience}/{p.training}/{year}"
    of_audience = [t for t in org.training if t.audience == audience and p.training in (None, t.training)]
    records = [t for t in of_audience if t.academic_year == year]
    what_fr = f"formation des {label_fr} en {period}" + (f" (« {p.training} »)" if p.training else "")
    what_en = f"training of {label_en} in {period}" + (f" (“{p.training}”)" if p.training else "")
    evidence = {"audience": audience, "academic_year": year, "training": p.training, "target": p.rate}
    if not records:
        others = sorted({t.academic_year for t in of_audience})
        said = ", ".join(academic_label(y) for y in others)
        yield Violation(
            f"{key}/{NOT_DOCUMENTED}",
            f"Non documenté : {what_fr} — rien n'est enregistré pour cette année universitaire"
            + (f" (enregistré pour : {said})" if others else "")
            + " ; à demander à l'école.",
            f"Not documented: {what_en} — nothing is recorded for that academic year"
            + (f" (recorded for: {said})" if others else "")
            + "; ask the school.",
            {**evidence, "not_documented": True, "recorded_years": others},
            "info",
        )
        return
    if p.rate == 0 and any(not t.uncertain for t in records):
        return  # no share asked (the plan asks to invite): a record of the year is enough
    known = [(rate, t) for t in records if not t.uncertain and (rate := t.rate) is not None]
    if any(rate >= p.rate for rate, _t in known):
        return
    if known:
        rate, best = max(known, key=lambda pair: pair[0])
        yield Violation(
            key,
            f"Formation des {label_fr} en {period} : {_percent(rate)} formés ({_counts(best)}, « {best.title} »), "
            f"pour un objectif de {_percent(p.rate)}.",
            f"Training of {label_en} in {period}: {_percent(rate)} trained ({_counts(best)}, “{best.title}”); "
            f"target {_percent(p.rate)}.",
            {**evidence, "trained": best.trained, "total": best.total, "rate": round(rate, 4), "title": best.title},
        )
        return
    titles = ", ".join(sorted({t.title for t in records}))
    if all(t.uncertain for t in records):
        said_fr = f"l'enregistrement ({titles}) est daté d'une période qui n'est pas finie au {facts.as_of:%d/%m/%Y}"
        said_en = f"the record ({titles}) is dated to a period not over on {facts.as_of}"
    else:
        said_fr = f"l'enregistrement ({titles}) ne donne pas les effectifs (formés et concernés)"
        said_en = f"the record ({titles}) does not give the counts (trained and total)"
    yield Violation(
        f"{key}/{NOT_DOCUMENTED}",
        f"Non documenté : {what_fr} — {said_fr} ; à demander à l'école.",
        f"Not documented: {what_en} — {said_en}; ask the school.",
        {
            **evidence,
            "not_documented": True,
            "recorded": [
                {"title": t.title, "trained": t.trained, "total": t.total, "uncertain": t.uncertain}
                for t in sorted(records, key=lambda t: t.title)
            ],
        },
        "info",
    )


def _survey_state(records: list[SurveyFact]) -> str:
    return ", ".join(sorted({f"{s.title} : {s.status} ({s.year})" for s in records}))


def check_survey_built(p: SurveyBuilt, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    if facts.as_of.year < p.from_year:
        return
    audience = p.audience.value
    label_fr, label_en = SURVEY_LABELS.get(audience, (audience, audience))
    records = [s for s in org.surveys if s.audience == audience]
    built = [s for s in records if s.status in BUILT]
    if any(not s.uncertain for s in built):
        return
    evidence = {"audience": audience, "from_year": p.from_year}
    if built or not records:
        said_fr = "son année ne dit pas s'il l'était à cette date" if built else "rien n'est enregistré"
        said_en = "its year does not tell whether it was by then" if built else "nothing is recorded"
        yield Violation(
            f"survey/{audience}/{NOT_DOCUMENTED}",
            f"Non documenté : enquête VSS à destination des {label_fr} construite — {said_fr} ; à demander.",
            f"Not documented: a VSS survey of {label_en} built — {said_en}; ask.",
            {**evidence, "not_documented": True, "recorded": [s.title for s in built]},
            "info",
        )
        return
    state = _survey_state(records)
    yield Violation(
        f"survey/{audience}",
        f"Enquête VSS à destination des {label_fr} non construite (état enregistré : {state}).",
        f"VSS survey of {label_en} not built (recorded: {state}).",
        {**evidence, "recorded": [{"title": s.title, "status": s.status, "year": s.year} for s in records]},
    )


def _share(s: SurveyFact) -> float | None:
    """The share of the audience invited: none yet when the survey is not open, else invited/total."""
    if s.status in NOT_OPEN:
        return 0.0
    return s.invited_share


def check_min_survey_invitation(p: MinSurveyInvitation, org: OrganisationFacts, facts: Facts) -> Iterable[Violation]:
    year = judged_year(p.from_year, p.recurring, facts.as_of.year)
    if year is None:
        return
    audience = p.audience.value
    label_fr, label_en = SURVEY_LABELS.get(audience, (audience, audience))
    key = f"survey_invitation/{audience}/{year}"
    records = [s for s in org.surveys if s.audience == audience and s.year == year]
    evidence = {"audience": audience, "year": year, "target": p.rate}
    known = [(share, s) for s in records if not s.uncertain and (share := _share(s)) is not None]
    if any(share >= p.rate for share, _s in known):
        return
    if known:
        share, best = max(known, key=lambda pair: pair[0])
        counts = f"{best.invited}/{best.population_total}" if best.status not in NOT_OPEN else best.status
        yield Violation(
            key,
            f"Enquête VSS {year} : {_percent(share)} des {label_fr} invités ({counts}, « {best.title} »), "
            f"pour un objectif de {_percent(p.rate)}.",
            f"VSS survey {year}: {_percent(share)} of {label_en} invited ({counts}, “{best.title}”); "
            f"target {_percent(p.rate)}.",
            {**evidence, "invited": best.invited, "population_total": best.population_total, "share": share},
        )
        return
    said_fr = (
        f"l'enregistrement ({_survey_state(records)}) ne donne pas les effectifs invités"
        if records
        else "rien n'est enregistré pour cette année"
    )
    said_en = (
        f"the record ({_survey_state(records)}) does not give the counts invited"
        if records
        else "nothing is recorded for that year"
    )
    yield Violation(
        f"{key}/{NOT_DOCUMENTED}",
        f"Non documenté : {label_fr} invités à l'enquête VSS {year} — {said_fr} ; à demander à l'école.",
        f"Not documented: {label_en} invited to the VSS survey {year} — {said_en}; ask the school.",
        {**evidence, "not_documented": True},
        "info",
    )
