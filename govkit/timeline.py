"""The one time model of govkit: valid time (when a fact was true) and recorded time (when govkit
learned it).

Valid time: a fact is true from ``valid_from`` (the first day of its period), dated with a
:class:`Precision` (a day, a month, a year, an academic year: 1 September Y to 31 August Y+1), until
an optional ``valid_to`` (exclusive). "As of D" asks valid time: the fact is in effect at D when
``valid_from <= D`` (and ``D < valid_to`` when set). Inside the period of its start, before its
last day (``D < period_end(valid_from, precision)``), it is *uncertain*: the rules report it "not documented",
never "missing". A fact whose date is unknown (no ``valid_from``) is uncertain before the day it was
recorded and in place from then.

Recorded time: ``recorded_at`` (UTC) — "known at K" keeps only the rows recorded by K; a correction
is a new row whose ``supersedes_id`` names the row it corrects, which is then invisible from the
correction's recorded time on. Facts are never updated in place.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from govkit.days import utc_today
from govkit.errors import InvalidInput


class Precision(StrEnum):
    """How precisely the start of a fact is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    ACADEMIC_YEAR = "academic_year"


# The widest precision value ("academic_year"): the length of the columns that store one.
PRECISION_LENGTH = max(len(p.value) for p in Precision)


class DateNotRecognised(InvalidInput, ValueError):
    """A dated text that is none of the accepted forms (a ValueError too, for pydantic validators)."""


_DATED = re.compile(r"(?P<y>\d{4})(?:(?P<sep>[-/])(?P<rest>\d{4}|\d{2}(?:-\d{2})?))?")


def parse_dated(text: str) -> tuple[date, Precision]:
    """The first day of the period a text names, and its precision.

    ``"2021"`` → (2021-01-01, year); ``"2021-09"`` → (2021-09-01, month); ``"2021/2022"`` or
    ``"2021-2022"`` → (2021-09-01, academic year); ``"2021-03-18"`` → (2021-03-18, day).
    """
    cleaned = text.strip()
    match = _DATED.fullmatch(cleaned)
    problem = None
    if match is None:
        problem = "use YYYY, YYYY-MM, YYYY/YYYY+1 or YYYY-MM-DD"
    else:
        year, rest = int(match["y"]), match["rest"]
        try:
            if rest is None:
                return date(year, 1, 1), Precision.YEAR
            if len(rest) == 4:
                if int(rest) != year + 1:
                    problem = f"an academic year runs from {year} to {year + 1}"
                else:
                    return date(year, 9, 1), Precision.ACADEMIC_YEAR
            elif match["sep"] == "-" and len(rest) == 2:
                return date(year, int(rest), 1), Precision.MONTH
            elif match["sep"] == "-":
                month, day = rest.split("-")
                return date(year, int(month), int(day)), Precision.DAY
            else:
                problem = "use YYYY, YYYY-MM, YYYY/YYYY+1 or YYYY-MM-DD"
        except ValueError as exc:
            problem = str(exc)
    raise DateNotRecognised(
        f"Date « {text} » non reconnue : utilisez AAAA, AAAA-MM, AAAA/AAAA+1 ou AAAA-MM-JJ. "
        f"/ Date {text!r} not recognised: {problem}."
    )


def format_dated(start: date, precision: Precision | str | None) -> str:
    """The text :func:`parse_dated` reads back as ``(start, precision)`` (for the period's first day)."""
    match Precision(precision or Precision.DAY):
        case Precision.YEAR:
            return f"{start.year:04d}"
        case Precision.MONTH:
            return f"{start.year:04d}-{start.month:02d}"
        case Precision.ACADEMIC_YEAR:
            first = academic_year_start(start)
            return f"{first.year:04d}/{first.year + 1:04d}"
        case _:
            return start.isoformat()


def academic_year(day: date) -> int:
    """The academic year (its start year) containing ``day``: 2022-08-31 → 2021, 2022-09-01 → 2022."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_start(day: date) -> date:
    """1 September of the academic year containing ``day``."""
    return date(academic_year(day), 9, 1)


def period_start(day: date, precision: Precision | str | None) -> date:
    """The first day of the period of that precision containing ``day`` (``day`` itself for a day
    or no precision): what ``valid_from`` stores."""
    match Precision(precision or Precision.DAY):
        case Precision.MONTH:
            return day.replace(day=1)
        case Precision.YEAR:
            return date(day.year, 1, 1)
        case Precision.ACADEMIC_YEAR:
            return academic_year_start(day)
        case _:
            return day


def period_end(start: date, precision: Precision | str | None) -> date:
    """The last day of the period of that precision containing ``start`` (``start`` itself for a day
    or no precision)."""
    match Precision(precision or Precision.DAY):
        case Precision.MONTH:
            return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        case Precision.YEAR:
            return date(start.year, 12, 31)
        case Precision.ACADEMIC_YEAR:
            return date(academic_year_start(start).year + 1, 8, 31)
        case _:
            return start


def is_uncertain(valid_from: date | None, precision: str | None, recorded_at: datetime, day: date) -> bool:
    """Whether a fact in effect at ``day`` may not have been true yet on that day.

    Dated to a period (a month, a year, an academic year): uncertain from ``valid_from`` until the
    day before the period's last (``valid_from <= day < period_end``): as of a day means at its end,
    and by the end of the period's last day the fact has happened. Dated to a day: never. Undated:
    uncertain before the day it was recorded (UTC), in place from then. Before ``valid_from`` the
    fact is not in effect at all: not uncertain (absent).
    """
    if valid_from is None:
        return day < recorded_at.astimezone(UTC).date()
    return valid_from <= day < period_end(valid_from, precision)


def in_effect(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether a fact is in effect at ``day`` in valid time (an undated fact always is, uncertain
    before it was recorded: see :func:`is_uncertain`)."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day < valid_to)


@dataclass(frozen=True)
class AsOf:
    """A question in time: as of ``day`` (valid time), as known at ``known_at`` (recorded time;
    ``None``: everything recorded so far)."""

    day: date
    known_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.known_at is not None and self.known_at.tzinfo is None:
            raise ValueError("known_at must be a timezone-aware timestamp")

    @classmethod
    def today(cls) -> AsOf:
        """Today, with everything recorded so far."""
        return cls(utc_today())

    @classmethod
    def of(cls, day: date | None = None, known_at: datetime | None = None) -> AsOf:
        """From optional arguments (``asOf``, ``knownAt``): today when no day is given; a
        ``known_at`` without a time zone is read as UTC."""
        if known_at is not None and known_at.tzinfo is None:
            known_at = known_at.replace(tzinfo=UTC)
        return cls(day or utc_today(), known_at)

    @property
    def end(self) -> datetime:
        """The last instant of ``day`` in UTC (compare with ``<=``)."""
        return datetime.combine(self.day, time.max, tzinfo=UTC)

    @property
    def next_day_start(self) -> datetime:
        """Midnight UTC after ``day`` (compare with ``<``)."""
        return datetime.combine(self.day + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def is_current(self) -> bool:
        """Today or later, with everything recorded so far: the present state answers."""
        return self.known_at is None and self.day >= utc_today()

    def knows(self, recorded_at: datetime) -> bool:
        """Whether a row recorded at ``recorded_at`` is known at ``known_at`` (Python twin of
        :func:`known_by`)."""
        return self.known_at is None or recorded_at <= self.known_at


def known_by(recorded_at_column: Any, when: AsOf) -> sa.ColumnElement[bool]:
    """SQL: the row was recorded by ``when.known_at`` (always true without one)."""
    if when.known_at is None:
        return sa.true()
    return sa.and_(recorded_at_column <= when.known_at)


def in_effect_at(valid_from_column: Any, valid_to_column: Any | None, day: date) -> sa.ColumnElement[bool]:
    """SQL: in effect at ``day`` in valid time (a NULL ``valid_from``: undated, counted in effect)."""
    start = sa.or_(valid_from_column.is_(None), valid_from_column <= day)
    if valid_to_column is None:
        return start
    return sa.and_(start, sa.or_(valid_to_column.is_(None), valid_to_column > day))


def not_superseded(model: Any, when: AsOf) -> sa.ColumnElement[bool]:
    """SQL: no row of the same table supersedes this one (``supersedes_id`` = its id) as known at
    ``when.known_at``. ``model`` is a table class with ``id``, ``supersedes_id`` and ``recorded_at``
    (or an alias of one)."""
    later = aliased(model)
    return ~sa.exists().where(later.supersedes_id == model.id, known_by(later.recorded_at, when))
