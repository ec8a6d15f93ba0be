"""When a person is told what: the pure decision of the notice due on a day, and each school's
reminder schedule (the latest recorded, else GOVKIT_REMINDER_DAYS).

A person concerned by an open campaign who has not acknowledged it gets, at most one a day:

1. an opening notice, as soon as none was created (the campaign opened, or they joined while open);
2. after the deadline, one overdue notice (if they were expected by then: not a late entrant);
3. otherwise the highest step of the schedule whose day has come, counted from their opening
   notice's day, unless that step (or a later one) was already created — a step missed while
   nothing ran is skipped, never sent in a row with the next; none after the deadline.

Acknowledging, or leaving the school, takes the person out of the pending persons: nothing more.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlmodel import Session, col, select

from govkit.errors import InvalidInput
from govkit.notifications.models import NoticeSchedule
from govkit.notifications.vocabulary import NoticeKind

#: Steps a schedule may have at most.
MAX_STEPS = 10
#: The latest day a step may fall on, after the opening.
MAX_DAY = 365


def checked_days(days: Sequence[int]) -> tuple[int, ...]:
    """The reminder days, checked: positive whole days, ascending, at most ``MAX_STEPS``."""
    if len(days) > MAX_STEPS:
        raise InvalidInput(
            f"Au plus {MAX_STEPS} relances ({len(days)} données). / "
            f"At most {MAX_STEPS} reminder steps ({len(days)} given)."
        )
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= MAX_DAY:
            raise InvalidInput(
                f"Jour de relance {day!r} invalide : un nombre de jours entre 1 et {MAX_DAY}. / "
                f"Reminder day {day!r} is invalid: a number of days from 1 to {MAX_DAY}."
            )
    for before, after in pairwise(days):
        if after <= before:
            raise InvalidInput(
                f"Les jours de relance vont croissant ({before} puis {after}). / "
                f"Reminder days must ascend ({before} then {after})."
            )
    return tuple(days)


@dataclass(frozen=True)
class PersonNotices:
    """What was already created for one person and one campaign."""

    opened_on: date | None = None  # the day of their opening notice (None: none yet)
    last_step: int = 0  # the highest reminder step created (0: none)
    overdue: bool = False  # an overdue notice was created


def due(
    notices: PersonNotices, *, today: date, deadline: date, days: Sequence[int], late: bool
) -> tuple[NoticeKind, int] | None:
    """The notice due today for a pending person (kind and step), or None. ``late``: the person
    is overdue by the campaign's count (past the deadline and not a late entrant)."""
    if notices.opened_on is None:
        return NoticeKind.OPENING, 0
    if today > deadline:
        return (NoticeKind.OVERDUE, 0) if late and not notices.overdue else None
    reached = [i for i, day in enumerate(days, start=1) if notices.opened_on + timedelta(days=day) <= today]
    step = max(reached, default=0)
    return (NoticeKind.REMINDER, step) if step > notices.last_step else None


def digest_week(today: date) -> int:
    """A digest's step: the ISO week of ``today`` as YYYYWW (one digest a week per administrator)."""
    year, week, _ = today.isocalendar()
    return year * 100 + week


@dataclass(frozen=True)
class Schedule:
    """A school's reminder schedule; ``recorded_at`` None: the default of the settings."""

    reminder_days: tuple[int, ...]
    digest: bool = True
    recorded_at: datetime | None = None
    recorded_by: str | None = None


def schedules(session: Session, organisation_ids: Collection[int], default_days: Sequence[int]) -> dict[int, Schedule]:
    """The schedule in force of each school (one query)."""
    found = {i: Schedule(tuple(default_days)) for i in organisation_ids}
    if not organisation_ids:
        return found
    rows = session.exec(
        select(NoticeSchedule)
        .where(col(NoticeSchedule.organisation_id).in_(list(organisation_ids)))
        .order_by(col(NoticeSchedule.id))
    ).all()
    for row in rows:  # the latest wins
        found[row.organisation_id] = Schedule(
            tuple(int(d) for d in row.reminder_days), row.digest, row.recorded_at, row.recorded_by
        )
    return found
