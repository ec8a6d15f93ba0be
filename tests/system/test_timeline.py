"""The time model (govkit.timeline): periods, dated texts, uncertainty, and the SQL conditions of
"known at" and "not superseded", on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.errors import InvalidInput
from govkit.organisations.models import Commitment, Organisation
from govkit.timeline import (
    AsOf,
    DateNotRecognised,
    Precision,
    format_dated,
    in_effect,
    is_uncertain,
    known_by,
    not_superseded,
    parse_dated,
    period_end,
    period_start,
)

BOUNDED = settings(max_examples=30, deadline=None)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
precisions = st.sampled_from(list(Precision))
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC))


def test_precision_values() -> None:
    assert [p.value for p in Precision] == ["day", "month", "year", "academic_year"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021", (date(2021, 1, 1), Precision.YEAR)),
        ("2021-09", (date(2021, 9, 1), Precision.MONTH)),
        ("2021/2022", (date(2021, 9, 1), Precision.ACADEMIC_YEAR)),
        ("2021-2022", (date(2021, 9, 1), Precision.ACADEMIC_YEAR)),
        ("2021-03-18", (date(2021, 3, 18), Precision.DAY)),
        (" 2019 ", (date(2019, 1, 1), Precision.YEAR)),
    ],
)
def test_parse_dated(text: str, expected: tuple[date, Precision]) -> None:
    assert parse_dated(text) == expected


@pytest.mark.parametrize("text", ["", "21", "2021/2023", "2021-13", "2021-02-30", "2021/09", "mars 2021", "2021-9"])
def test_parse_dated_refuses(text: str) -> None:
    with pytest.raises(DateNotRecognised) as caught:
        parse_dated(text)
    assert isinstance(caught.value, InvalidInput) and isinstance(caught.value, ValueError)
    assert "non reconnue" in caught.value.message and "not recognised" in caught.value.message


@pytest.mark.parametrize(
    ("start", "precision", "end"),
    [
        (date(2021, 3, 18), Precision.DAY, date(2021, 3, 18)),
        (date(2021, 3, 18), None, date(2021, 3, 18)),
        (date(2024, 2, 1), Precision.MONTH, date(2024, 2, 29)),
        (date(2021, 1, 1), Precision.YEAR, date(2021, 12, 31)),
        (date(2021, 9, 1), Precision.ACADEMIC_YEAR, date(2022, 8, 31)),
        (date(2022, 3, 1), "academic_year", date(2022, 8, 31)),
    ],
)
def test_period_end(start: date, precision: Precision | str | None, end: date) -> None:
    assert period_end(start, precision) == end


@BOUNDED
@given(days, precisions)
def test_period_end_is_the_last_day_of_a_period_containing_start(start: date, precision: Precision) -> None:
    end = period_end(start, precision)
    assert end >= start
    # the next day starts another period: its period ends later
    assert period_end(end + timedelta(days=1), precision) > end
    assert (end - start).days < 366


@BOUNDED
@given(days, precisions)
def test_parse_dated_round_trips(day: date, precision: Precision) -> None:
    start, parsed_precision = parse_dated(format_dated(day, precision))
    assert parsed_precision is precision
    assert start <= day <= period_end(start, precision)
    assert parse_dated(format_dated(start, precision)) == (start, precision)


@BOUNDED
@given(days, precisions, instants, days, days)
def test_uncertainty_is_monotone(
    valid_from: date, precision: Precision, recorded_at: datetime, day: date, earlier: date
) -> None:
    """Uncertain at D implies uncertain at every earlier day still in effect (>= valid_from)."""
    earlier = min(day, earlier)
    for start in (valid_from, None):
        if is_uncertain(start, precision, recorded_at, day) and (start is None or earlier >= start):
            assert is_uncertain(start, precision, recorded_at, earlier)


@BOUNDED
@given(days, precisions, instants)
def test_certain_after_the_period(day: date, precision: Precision, recorded_at: datetime) -> None:
    valid_from = period_start(day, precision)  # what is stored: the period's first day
    end = period_end(valid_from, precision)
    assert period_start(end, precision) == valid_from and period_end(day, precision) == end
    assert not is_uncertain(valid_from, precision, recorded_at, end + timedelta(days=1))
    assert not is_uncertain(valid_from, precision, recorded_at, valid_from - timedelta(days=1))
    assert not is_uncertain(valid_from, precision, recorded_at, end)  # as of the end of its last day
    assert is_uncertain(valid_from, precision, recorded_at, valid_from) is (precision is not Precision.DAY)
    assert is_uncertain(valid_from, precision, recorded_at, day) is (day < end)


def test_undated_facts_are_uncertain_before_they_were_recorded() -> None:
    recorded = datetime(2023, 5, 10, 23, 30, tzinfo=UTC)
    assert is_uncertain(None, None, recorded, date(2023, 5, 9))
    assert not is_uncertain(None, None, recorded, date(2023, 5, 10))
    assert in_effect(None, None, date(2000, 1, 1))
    assert in_effect(date(2021, 1, 1), date(2022, 1, 1), date(2021, 12, 31))
    assert not in_effect(date(2021, 1, 1), date(2022, 1, 1), date(2022, 1, 1))


def test_as_of() -> None:
    today = AsOf.today()
    assert today.day == utc_today() and today.known_at is None and today.is_current
    assert not AsOf(date(2022, 12, 31)).is_current
    assert not AsOf(utc_today(), known_at=utcnow()).is_current
    when = AsOf(date(2022, 12, 31))
    assert when.end == datetime.combine(date(2022, 12, 31), time.max, tzinfo=UTC)
    assert when.next_day_start == datetime(2023, 1, 1, tzinfo=UTC)
    assert AsOf.of(None).day == utc_today()
    assert AsOf.of(date(2022, 1, 1), datetime(2022, 1, 1, 8)).known_at == datetime(2022, 1, 1, 8, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone"):
        AsOf(date(2022, 1, 1), known_at=datetime(2022, 1, 1))


def _commitment(org_id: int, title: str, recorded_at: datetime, supersedes: int | None = None) -> Commitment:
    return Commitment(
        organisation_id=org_id,
        type="charter",
        status="in_place",
        title=title,
        recorded_at=recorded_at,
        recorded_by="test",
        supersedes_id=supersedes,
    )


def test_known_by_and_not_superseded(db: Database) -> None:
    t1 = datetime(2024, 1, 10, 12, tzinfo=UTC)
    t2 = datetime(2024, 3, 10, 12, tzinfo=UTC)
    with db.session() as session:
        org_id = session.scalars(sa.select(Organisation.id).where(Organisation.code == "imt-atlantique")).one()
        first = _commitment(org_id, "timeline first", t1)
        session.add(first)
        session.flush()
        correction = _commitment(org_id, "timeline correction", t2, supersedes=first.id)
        session.add(correction)
        session.flush()

        def visible(when: AsOf) -> set[str]:
            query = sa.select(Commitment.title).where(
                Commitment.title.startswith("timeline "),
                known_by(Commitment.recorded_at, when),
                not_superseded(Commitment, when),
            )
            return set(session.scalars(query))

        day = date(2024, 6, 1)
        assert visible(AsOf(day)) == {"timeline correction"}
        assert visible(AsOf(day, known_at=t2)) == {"timeline correction"}
        assert visible(AsOf(day, known_at=t2 - timedelta(seconds=1))) == {"timeline first"}
        assert visible(AsOf(day, known_at=t1 - timedelta(days=1))) == set()
