"""The schools' time: govkit stores moments in UTC and says days and hours in Europe/Paris.

A calendar day shown to a person (a receipt's "erased on D", a page, a PDF, an e-mail) is the day in
Paris of the stored moment, never the UTC day: 23:30 UTC on 6 December is the 7th in Paris.

    paris_day(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) -> date(2026, 12, 7)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def in_paris(moment: datetime) -> datetime:
    """``moment`` (UTC when naive, as govkit stores it) in Europe/Paris."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def paris_day(moment: datetime) -> date:
    """The calendar day in Paris of ``moment`` (UTC when naive)."""
    return in_paris(moment).date()


def paris_today() -> date:
    """Today in Paris: the schools' day, whatever the server's time zone (``date.today()`` is the
    server's, which a UTC server turns to tomorrow an hour or two late)."""
    return datetime.now(PARIS).date()
