"""Properties of the training rules (pure): a record of another academic year never changes the
finding of the year judged; training more persons never adds a finding; the academic year judged."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.rules.definitions import MinTrainingCoverage
from govkit.rules.facts import Facts, OrganisationFacts, TrainingFact
from govkit.rules.training_checks import academic_year, check_min_training_coverage, judged_year
from govkit.vocabulary import TrainingAudience

BOUNDED = settings(max_examples=60, deadline=None)
AUDIENCES = [a.value for a in TrainingAudience]


def _record(year: int, audience: str, trained: int | None, total: int | None, everyone: bool) -> TrainingFact:
    return TrainingFact(year, audience, "vss_awareness", trained, total, everyone, False, "Formation")


records = st.builds(
    _record,
    st.integers(2018, 2025),
    st.sampled_from(AUDIENCES),
    st.one_of(st.none(), st.integers(0, 50)),
    st.one_of(st.none(), st.integers(50, 60)),
    st.booleans(),
)


def _found(params: MinTrainingCoverage, training: list[TrainingFact], day: date) -> set[tuple[str, str | None]]:
    org = OrganisationFacts(code="ecole", type="school", name="École", training=tuple(training))
    return {(v.key, v.severity) for v in check_min_training_coverage(params, org, Facts(as_of=day))}


@BOUNDED
@given(
    mine=st.lists(records, max_size=3),
    others=st.lists(records, max_size=4),
    from_year=st.integers(2019, 2023),
    recurring=st.booleans(),
    day=st.dates(date(2019, 1, 1), date(2026, 12, 31)),
    audience=st.sampled_from(AUDIENCES),
    rate=st.sampled_from([0.0, 0.5, 0.8, 1.0]),
)
def test_a_record_of_another_academic_year_never_changes_the_finding(
    mine: list[TrainingFact],
    others: list[TrainingFact],
    from_year: int,
    recurring: bool,
    day: date,
    audience: str,
    rate: float,
) -> None:
    params = MinTrainingCoverage(audience=audience, rate=rate, from_year=from_year, recurring=recurring)
    year = judged_year(from_year, recurring, academic_year(day))
    of_year = [r for r in mine if r.academic_year == year] if year is not None else []
    other_years = [r for r in others if r.academic_year != year]
    assert _found(params, of_year + other_years, day) == _found(params, of_year, day)


@BOUNDED
@given(
    trained=st.integers(0, 100),
    more=st.integers(0, 100),
    total=st.integers(1, 200),
    rate=st.floats(0, 1),
    day=st.dates(date(2021, 9, 1), date(2025, 12, 31)),
)
def test_training_more_persons_never_adds_a_finding(
    trained: int, more: int, total: int, rate: float, day: date
) -> None:
    params = MinTrainingCoverage(audience="staff", rate=rate, from_year=2021, recurring=True)
    year = academic_year(day)
    fewer = [TrainingFact(year, "staff", "x", min(trained, total), total, False, False, "F")]
    higher = [TrainingFact(year, "staff", "x", min(trained + more, total), total, False, False, "F")]
    assert len(_found(params, higher, day)) <= len(_found(params, fewer, day))


def test_the_academic_year_begins_on_the_first_of_september() -> None:
    assert academic_year(date(2022, 8, 31)) == 2021
    assert academic_year(date(2022, 9, 1)) == 2022
    assert judged_year(2022, True, 2021) is None
    assert judged_year(2021, False, 2024) == 2021
    assert judged_year(2021, True, 2024) == 2024
