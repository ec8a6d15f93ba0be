"""The training and survey records of the generated schools (bench/schools.py), and the rule parameter
values legal staff changed.

Training: per academic year (its start year) and audience, as the plan asks them (new students
every year, with the online course from 2022; new doctoral students and association leaders every
year; staff, management committees and thesis supervisors in 2022; international students from
2022; referents and cell members in 2021; catering and housing staff, « everyone » without counts);
about 15 % of them not recorded, 5 % corrected by a later record, 10 % undated (counted over the
whole academic year). ``EXEMPLARY`` trains everyone and records it all. Surveys: the first-year
students invited in 2022, 2023 and 2024 at each school; the group's survey built in 2021 and its
yearly barometer of students.

School ``n`` draws from its own random generator, so it is the same whatever the number of schools.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from bench.school_rows import AS_OF, BY, EXEMPLARY, Rows, at

__all__ = ["group_surveys", "parameter_values", "school_surveys", "school_training", "survey_row", "training_row"]

#: (audience, training code, academic years, audience size range)
TRAINING = [
    ("new_students", "vss_awareness", (2021, 2022, 2023, 2024), (150, 900)),
    ("new_students", "vss_online_course", (2022, 2023, 2024), (150, 900)),
    ("new_doctoral_students", "vss_awareness", (2021, 2022, 2023, 2024), (10, 80)),
    ("association_leaders", "vss_awareness", (2021, 2022, 2023, 2024), (10, 60)),
    ("international_students", "vss_awareness", (2022, 2023, 2024), (20, 200)),
    ("staff", "vss_awareness", (2022, 2023), (100, 600)),
    ("management_committee", "vss_reinforced", (2022,), (8, 15)),
    ("thesis_supervisors", "vss_reinforced", (2022,), (20, 150)),
    ("referents_and_cells", "vss_specific", (2021,), (3, 12)),
    ("catering_and_housing_staff", "vss_awareness", (2023, 2024), (10, 40)),
]


def school_training(rows: Rows, org_id: int, code: str, seed: int) -> None:
    rnd = random.Random(f"{seed}:{code}:training")
    exemplary = code == EXEMPLARY
    for audience, training, years, (low, high) in TRAINING:
        for year in years:
            if not exemplary and rnd.random() < 0.15:
                continue  # not recorded
            total = low + rnd.randrange(high - low)
            trained = total if exemplary or rnd.random() < 0.6 else int(total * rnd.uniform(0.3, 0.95))
            everyone = audience == "catering_and_housing_staff" and not exemplary and rnd.random() < 0.5
            held: date | None = date(year, 9 + rnd.randrange(4), 1 + rnd.randrange(28))
            if not exemplary and rnd.random() < 0.1:
                held = None  # known by its academic year only
            record = training_row(org_id, year, audience, training, trained, total, held, everyone=everyone)
            if everyone:  # the source says the whole audience, without counts
                record.update(trained=None, total=None)
            if not exemplary and rnd.random() < 0.05:  # first recorded without its count, corrected a week later
                first = rows.add("training_record", **{**record, "trained": None})
                record = {**record, "recorded_at": record["recorded_at"] + timedelta(days=7), "supersedes_id": first}
            rows.add("training_record", **record)


def training_row(
    organisation_id: int,
    year: int,
    audience: str,
    training: str,
    trained: int | None,
    total: int | None,
    held: date | None,
    *,
    everyone: bool = False,
) -> dict[str, Any]:
    """A training record of an academic year, recorded a month after it was held (or at the end of its
    first term when undated)."""
    recorded = held + timedelta(days=30) if held else date(year, 12, 20)
    return {
        "organisation_id": organisation_id,
        "academic_year": year,
        "audience": audience,
        "training": training,
        "title": f"Formation {training} {year}/{year + 1}",
        "trained": trained,
        "total": total,
        "everyone": everyone,
        "held_on": held,
        "held_on_precision": "day" if held else None,
        "source_quote": None,
        "note": None,
        "recorded_at": at(recorded),
        "recorded_by": BY,
        "supersedes_id": None,
    }


def school_surveys(rows: Rows, org_id: int, code: str, seed: int) -> None:
    """The first-year students invited to the VSS survey of 2022, 2023 and 2024."""
    rnd = random.Random(f"{seed}:{code}:surveys")
    for year in (2022, 2023, 2024):
        total = 150 + rnd.randrange(600)
        invited = total if code == EXEMPLARY or rnd.random() < 0.7 else rnd.randrange(total)
        respondents = int(invited * rnd.uniform(0.15, 0.45))
        rows.add("survey", **survey_row(org_id, year, "first_year_students", "closed", invited, respondents, total))


def group_surveys(rows: Rows, group: int) -> None:
    """The group's survey built in 2021 (students, staff) and its yearly barometer of students since."""
    for audience in ("students", "staff"):
        rows.add("survey", **survey_row(group, 2021, audience, "built", None, None, None))
    for year in (2022, 2023, 2024):
        rows.add("survey", **survey_row(group, year, "students", "closed", 12000, 3100 + 100 * (year % 7), 12000))


def survey_row(
    organisation_id: int,
    year: int,
    audience: str,
    status: str,
    invited: int | None,
    respondents: int | None,
    total: int | None,
) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "year": year,
        "title": f"Enquête VSS {year}",
        "audience": audience,
        "status": status,
        "invited": invited,
        "respondents": respondents,
        "population_total": total,
        "source_quote": None,
        "note": None,
        "recorded_at": at(date(year, 12, 15)),
        "recorded_by": BY,
        "supersedes_id": None,
    }


#: Parameter values recorded by legal staff: (rule, name, value, valid from, recorded on, why). The
#: last one takes effect after the day evaluated: it changes nothing there.
PARAMETER_CHANGES: list[tuple[str, str, Any, date, date, str]] = [
    ("network.referent-meetings", "per_year", 2, date(2022, 1, 1), date(2021, 12, 10), "Rappel du plan"),
    ("network.referent-meetings", "per_year", 3, date(2024, 1, 1), date(2023, 12, 15), "Décision du comité"),
    ("acknowledgement.full-coverage", "after_days", 45, date(2024, 9, 1), date(2024, 6, 20), "Rentrée plus courte"),
    ("training.staff", "rate", 0.9, date(2023, 9, 1), date(2023, 7, 3), "Objectif réaliste pour les personnels"),
    ("listening.reporting-platform", "deadline", "2022-12-31", date(2022, 6, 1), date(2022, 5, 30), "Marché"),
    ("acknowledgement.minimum-coverage", "rate", 0.9, AS_OF + timedelta(days=185), AS_OF, "Objectif 2026"),
]


def parameter_values(rows: Rows) -> None:
    for rule_id, name, value, valid_from, recorded_on, why in PARAMETER_CHANGES:
        rows.add(
            "rule_parameter_value",
            rule_id=rule_id,
            name=name,
            value=value,
            valid_from=valid_from,
            source={"kind": "default", "text": f"Décision de la direction juridique : {why.lower()}"},
            reason=why,
            recorded_at=at(recorded_on),
            recorded_by="Direction juridique (bench)",
        )
