"""The schedule's decision as a property: over any schedule (up to 10 ascending steps), deadline,
acknowledgement day and days the job runs, a person gets one opening notice, each reminder step at
most once (every step due before the deadline when the job runs daily), nothing after their
acknowledgement, and at most one overdue notice, after the deadline only."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.errors import InvalidInput
from govkit.notifications.schedule import MAX_STEPS, PersonNotices, checked_days, due
from govkit.notifications.vocabulary import NoticeKind

START = date(2027, 1, 4)

schedules = st.lists(st.integers(1, 60), min_size=0, max_size=MAX_STEPS, unique=True).map(sorted)


def simulate(days: list[int], deadline_in: int, acknowledged_on: int | None, late: bool, runs: list[int]):
    """The notices created on each run day (the person pending until ``acknowledged_on``)."""
    notices = PersonNotices()
    created: list[tuple[int, NoticeKind, int]] = []
    deadline = START + timedelta(days=deadline_in)
    for day in runs:
        if acknowledged_on is not None and day >= acknowledged_on:
            break  # no longer pending: bring_up_to_date does not look at them
        today = START + timedelta(days=day)
        decided = due(notices, today=today, deadline=deadline, days=days, late=late and today > deadline)
        if decided is None:
            continue
        kind, step = decided
        created.append((day, kind, step))
        if kind is NoticeKind.OPENING:
            notices = PersonNotices(today, notices.last_step, notices.overdue)
        elif kind is NoticeKind.REMINDER:
            notices = PersonNotices(notices.opened_on, step, notices.overdue)
        else:
            notices = PersonNotices(notices.opened_on, notices.last_step, True)
    return created


@settings(max_examples=150, deadline=None)
@given(
    days=schedules,
    deadline_in=st.integers(1, 90),
    acknowledged_on=st.none() | st.integers(1, 120),
    late=st.booleans(),
    skipped=st.sets(st.integers(1, 120), max_size=60),
)
def test_each_notice_once_in_order_and_never_after_acknowledgement(
    days: list[int], deadline_in: int, acknowledged_on: int | None, late: bool, skipped: set[int]
) -> None:
    for runs in (list(range(121)), [d for d in range(121) if d not in skipped]):
        created = simulate(days, deadline_in, acknowledged_on, late, runs)
        kinds = [kind for _, kind, _ in created]
        assert kinds[:1] == [NoticeKind.OPENING] and kinds.count(NoticeKind.OPENING) == 1
        assert len({day for day, _, _ in created}) == len(created)  # at most one notice a run
        steps = [step for _, kind, step in created if kind is NoticeKind.REMINDER]
        assert steps == sorted(set(steps))  # each step once, in order
        for day, kind, step in created:
            assert acknowledged_on is None or day < acknowledged_on
            if kind is NoticeKind.REMINDER:
                assert days[step - 1] <= day <= deadline_in  # its day has come, before the deadline
            if kind is NoticeKind.OVERDUE:
                assert late and day > deadline_in
        assert kinds.count(NoticeKind.OVERDUE) <= 1
        ends = min(acknowledged_on if acknowledged_on is not None else 121, 121)
        if late and deadline_in + 1 < ends and runs == list(range(121)):
            assert kinds.count(NoticeKind.OVERDUE) == 1  # overdue once, the day after the deadline
        if runs == list(range(121)):  # run daily: every step due before the deadline and the acknowledgement
            expected = [i for i, d in enumerate(days, start=1) if d <= deadline_in and d < ends]
            assert steps == expected


@given(st.lists(st.integers(-5, 400), max_size=12))
@settings(max_examples=100, deadline=None)
def test_checked_days_accepts_only_ascending_positive_short_schedules(days: list[int]) -> None:
    valid = len(days) <= MAX_STEPS and all(1 <= d <= 365 for d in days) and days == sorted(set(days))
    try:
        assert checked_days(days) == tuple(days) and valid
    except InvalidInput:
        assert not valid
