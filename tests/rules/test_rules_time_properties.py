"""Properties of the rules in time, on the demo data and both databases (each example from the demo
as loaded: a savepoint rolled back after it).

- A run as of a past date (or as known at a moment) never changes the current findings, and the
  next current run compares with the previous current one.
- A fact recorded now but valid from an earlier day changes the answer as of the days it is valid
  on only; as known before it was recorded, nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.access.roles import SYSTEM
from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.organisations import service as organisations
from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType
from govkit.rules import service as rules
from govkit.rules.models import AS_OF
from govkit.rules.runs import StoredFinding
from govkit.timeline import Precision, is_uncertain

SCHOOL = "imt-mines-ales"  # no VSS action plan recorded in the demo
YESTERDAY = utc_today() - timedelta(days=1)
PAST_DAYS = st.dates(min_value=date(2021, 1, 1), max_value=YESTERDAY)  # the rules in force
SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@contextmanager
def from_the_demo(db: Database) -> Iterator[None]:
    """Each example starts from the demo data."""
    savepoint = db.bind.begin_nested()  # type: ignore[union-attr]
    try:
        yield
    finally:
        savepoint.rollback()


def _shown(found: list[StoredFinding]) -> list[tuple[object, ...]]:
    return [
        (f.record.run_id, f.organisation, f.record.rule_id, f.record.key, f.record.severity, f.record.status, f.waived)
        for f in found
    ]


@SETTINGS
@given(runs=st.lists(st.tuples(PAST_DAYS, st.booleans()), min_size=1, max_size=3))
def test_a_run_as_of_a_past_date_never_changes_the_current_findings(
    db: Database, runs: list[tuple[date, bool]]
) -> None:
    with from_the_demo(db):
        current = rules.run_rules(db=db, actor=SYSTEM)
        everywhere = _shown(rules.findings(db=db, actor=SYSTEM, include_resolved=True))
        one_school = _shown(rules.findings(db=db, actor=SYSTEM, school=SCHOOL))
        for day, known_earlier in runs:
            known_at = utcnow() - timedelta(hours=1) if known_earlier else None
            past = rules.run_rules(db=db, actor=SYSTEM, as_of=day, known_at=known_at)
            assert past.run.basis == AS_OF and not past.is_current
        assert _shown(rules.findings(db=db, actor=SYSTEM, include_resolved=True)) == everywhere
        assert _shown(rules.findings(db=db, actor=SYSTEM, school=SCHOOL)) == one_school
        again = rules.run_rules(db=db, actor=SYSTEM)
        assert {f.record.status for f in again.findings} == {"open"}, "compared with the current run only"
        assert len(again.findings) == len(current.findings)


def _keys(db: Database, day: date, known_at: object = None) -> set[tuple[str, str, str]]:
    """The findings at SCHOOL as of ``day`` (as known at ``known_at``), evaluated on the fly."""
    found = rules.findings(db=db, actor=SYSTEM, school=SCHOOL, as_of=day, known_at=known_at)  # type: ignore[arg-type]
    return {(f.record.rule_id, f.record.key, f.record.severity) for f in found}


PLAN = "commitments.vss-action-plan"


@SETTINGS
@given(
    effective=st.dates(min_value=date(2020, 1, 1), max_value=YESTERDAY),
    precision=st.sampled_from(list(Precision)),
    days=st.lists(PAST_DAYS, min_size=1, max_size=4, unique=True),
)
def test_a_fact_recorded_now_but_valid_earlier_changes_the_answer_for_the_days_it_is_valid_only(
    db: Database, effective: date, precision: Precision, days: list[date]
) -> None:
    with from_the_demo(db):
        before = {day: _keys(db, day) for day in days}
        recorded_after = utcnow()
        record = organisations.record_commitment(
            db=db,
            actor=SYSTEM,
            data=organisations.CommitmentInput(
                organisation_code=SCHOOL,
                type=CommitmentType.VSS_ACTION_PLAN,
                status=CommitmentStatus.IN_PLACE,
                title="Plan d'action VSS (recorded late)",
                effective_on=effective,
                date_precision=precision,
            ),
        )
        start = record.effective_on  # the first day of its period
        assert start is not None and start <= effective
        for day in days:
            after = _keys(db, day)
            assert _keys(db, day, recorded_after) == before[day], "as known before it was recorded: unchanged"
            if day < start:
                assert after == before[day], (day, start)
                continue
            others = {k for k in after if k[0] != PLAN}
            assert others == {k for k in before[day] if k[0] != PLAN}, "only the plan's rule changes"
            plan = {k for k in after if k[0] == PLAN}
            if is_uncertain(start, precision, record.recorded_at, day):
                assert plan == {(PLAN, "vss_action_plan/not_documented", "info")}, (day, start, precision)
            else:
                assert not plan, (day, start, precision)
