"""The days govkit reckons and the days it says.

Reckoning: govkit's time model (govkit.timeline) stores moments in UTC and bounds a day in UTC: "as
of D" ends at the last instant of D in UTC, a fact recorded at a moment is in place from that
moment's UTC day, and ``utc_today()`` is the day those answers take by default, whatever the
server's time zone (``date.today()`` would take the server's, and disagree with the model for an
hour or two a day on a server set to Paris).

Saying: a day shown to a person for a stored moment (a receipt's "erased on D", a page, a PDF, an
e-mail) is that moment's day in Paris, the schools' time, as the pages show every time:
23:30 UTC on 6 December is said "7 December".

    paris_day(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) -> date(2026, 12, 7)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def _aware(moment: datetime) -> datetime:
    """``moment``, read as UTC when naive (as govkit stores it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_paris(moment: datetime) -> datetime:
    """``moment`` (UTC when naive, as govkit stores it) in Europe/Paris."""
    return _aware(moment).astimezone(PARIS)


def paris_day(moment: datetime) -> date:
    """The calendar day in Paris of ``moment`` (UTC when naive): the day said to a person."""
    return in_paris(moment).date()


def utc_today() -> date:
    """Today as govkit's time model reckons it (UTC), whatever the server's time zone."""
    return datetime.now(UTC).date()


def utc_day(moment: datetime) -> date:
    """The day of ``moment`` (UTC when naive) as govkit's time model reckons it."""
    return _aware(moment).astimezone(UTC).date()
