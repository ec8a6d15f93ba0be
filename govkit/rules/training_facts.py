"""Load the training and survey facts of the organisations evaluated as of a day, as known at a
moment, in two batch queries (part of govkit.rules.queries.load_facts).

A training record counts from the start of its academic year (1 September), unless it names a day
it was held that is still to come; it is uncertain while the period of ``held_on`` (by default its
whole academic year) contains the day. A survey counts from its year, uncertain during that year.
Corrections (``supersedes_id``) hide the rows they correct, as known then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col

from govkit.rules.facts import SurveyFact, TrainingFact
from govkit.rules.records import Survey, TrainingRecord
from govkit.timeline import AsOf, academic_year, is_uncertain, known_by, not_superseded


def load_training(
    connection: Connection, when: AsOf, scoped: Callable[[Any], Any], to_day: Callable[[Any], date | None]
) -> tuple[dict[int, tuple[TrainingFact, ...]], dict[int, tuple[SurveyFact, ...]]]:
    """By organisation id: the training records of the academic years begun by ``when.day`` and
    the surveys of its year and before, as known at ``when.known_at``. ``scoped(column)``: the
    organisations evaluated; ``to_day``: a date column's value as a date (None stays None)."""
    day = when.day
    started = academic_year(day)  # the academic year begun by then
    training: dict[int, list[TrainingFact]] = defaultdict(list)
    #: whether a period is uncertain on the day, by (start, precision): a few periods, thousands of rows
    uncertain_by_period: dict[tuple[date, str], bool] = {}
    for row in connection.execute(
        sa.select(
            col(TrainingRecord.organisation_id),
            col(TrainingRecord.academic_year),
            col(TrainingRecord.audience),
            col(TrainingRecord.training),
            col(TrainingRecord.trained),
            col(TrainingRecord.total),
            col(TrainingRecord.everyone),
            col(TrainingRecord.title),
            sa.type_coerce(TrainingRecord.held_on, sa.String),
            col(TrainingRecord.held_on_precision),
        )
        .where(
            scoped(TrainingRecord.organisation_id),
            col(TrainingRecord.academic_year) <= started,
            known_by(TrainingRecord.recorded_at, when),
            not_superseded(TrainingRecord, when),
        )
        .order_by(col(TrainingRecord.id))
    ).all():
        values: tuple[Any, ...] = tuple(row)
        organisation_id, year, audience, code, trained, total, everyone, title, held, precision = values
        held_on = to_day(held) if held is not None else None
        if held_on is not None and held_on > day:
            continue  # not held yet
        period = (held_on, precision or "day") if held_on is not None else (date(year, 9, 1), "academic_year")
        uncertain = uncertain_by_period.get(period)
        if uncertain is None:  # always dated: when it was recorded does not make it uncertain
            uncertain = uncertain_by_period[period] = is_uncertain(*period, when.end, day)
        training[organisation_id].append(
            TrainingFact(year, audience, code, trained, total, bool(everyone), uncertain, title)
        )
    surveys: dict[int, list[SurveyFact]] = defaultdict(list)
    for found in connection.execute(
        sa.select(
            col(Survey.organisation_id),
            col(Survey.year),
            col(Survey.audience),
            col(Survey.status),
            col(Survey.title),
            col(Survey.invited),
            col(Survey.respondents),
            col(Survey.population_total),
        )
        .where(
            scoped(Survey.organisation_id),
            col(Survey.year) <= day.year,
            known_by(Survey.recorded_at, when),
            not_superseded(Survey, when),
        )
        .order_by(col(Survey.id))
    ).all():
        given: tuple[Any, ...] = tuple(found)
        organisation_id, year, audience, status, title, invited, respondents, population_total = given
        surveys[organisation_id].append(
            SurveyFact(year, audience, status, title, invited, respondents, population_total, day < date(year, 12, 31))
        )
    return (
        {o: tuple(facts) for o, facts in training.items()},
        {o: tuple(facts) for o, facts in surveys.items()},
    )
