"""The clause library as stored (migration 0020): each clause's titles, and the clauses each kind
requires on a day (valid time), as known at a moment (recorded time).

The database is the library; documents/templates/clauses.yaml and the ``required_clauses`` of
kinds.yaml are only what migration 0020 seeded it with, and what answers when it holds no clause
at all (a database made without the migrations). Reading is one query per table; what is read
is plain, frozen data: the rules engine and validation receive it, they never query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from govkit.days import utc_today
from govkit.documents.clause_models import ClauseDefinitionRevision, RequiredClause
from govkit.documents.kinds import Bilingual, Catalogue, catalogue
from govkit.timeline import AsOf


@dataclass(frozen=True)
class RequiredPeriod:
    """A kind requires a clause from ``valid_from`` (None: from the start) until ``valid_to``
    (exclusive; None: still required), as known at the moment it was read."""

    kind: str
    clause: str
    valid_from: date | None
    valid_to: date | None
    id: int = 0
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    reason: str | None = None
    approved_by: str | None = None
    ended_recorded_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None
    end_approved_by: str | None = None

    def in_effect(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Library:
    """The clauses' current titles and every required period, as known at one moment."""

    titles: dict[str, Bilingual]
    periods: tuple[RequiredPeriod, ...]
    stored: bool = True  # False: the YAML seed answered (no clause in the database)
    order: dict[str, int] = field(default_factory=dict)  # a clause's rank in the library

    def required_on(self, day: date) -> dict[str, tuple[str, ...]]:
        """The clauses each kind requires on ``day``, in the order they were first required."""
        found: dict[str, list[str]] = {}
        for period in self.periods:
            if period.in_effect(day):
                found.setdefault(period.kind, []).append(period.clause)
        return {kind: tuple(keys) for kind, keys in found.items()}

    def planned_after(self, day: date) -> dict[str, tuple[tuple[str, date], ...]]:
        """The clauses each kind will require from a day after ``day`` (added ahead of time)."""
        found: dict[str, list[tuple[str, date]]] = {}
        for p in self.periods:
            if p.valid_from is not None and p.valid_from > day and (p.valid_to is None or p.valid_to > p.valid_from):
                found.setdefault(p.kind, []).append((p.clause, p.valid_from))
        return {kind: tuple(pairs) for kind, pairs in found.items()}

    def catalogue_on(self, day: date, base: Catalogue | None = None) -> Catalogue:
        """The catalogue of kinds (documents/templates/kinds.yaml) with the library's titles and the
        clauses each kind requires on ``day``: what validation and rendering check against."""
        base = base or catalogue()
        required = self.required_on(day)
        kinds = {
            key: spec.model_copy(update={"required_clauses": required.get(key, ())}) for key, spec in base.kinds.items()
        }
        return replace(base, kinds=kinds, clauses=dict(self.titles), planned=self.planned_after(day))


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite through a plain Core select on a raw column
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def seed_library(base: Catalogue | None = None) -> Library:
    """The library as the YAML files give it (each clause required from the start)."""
    base = base or catalogue()
    periods = tuple(
        RequiredPeriod(kind, clause, None, None)
        for kind, spec in base.kinds.items()
        for clause in spec.required_clauses
    )
    return Library(dict(base.clauses), periods, stored=False, order={k: i for i, k in enumerate(base.clauses)})


def periods_of(rows: Iterable[Any], when: AsOf) -> tuple[RequiredPeriod, ...]:
    """RequiredPeriods from rows of ``PERIOD_COLUMNS``: a period's end counts once it was recorded
    by ``when.known_at``."""
    periods = []
    for row in rows:
        (id_, kind, clause, valid_from, valid_to, recorded_at, recorded_by, reason, approved_by) = row[:9]
        ended_at, ended_by, end_reason, end_approved_by = row[9:]
        ended = _aware(ended_at)
        known_end = ended is not None and when.knows(ended)
        periods.append(
            RequiredPeriod(
                kind,
                clause,
                _day(valid_from),
                _day(valid_to) if known_end else None,
                id_,
                _aware(recorded_at),
                recorded_by,
                reason,
                approved_by,
                ended if known_end else None,
                ended_by if known_end else None,
                end_reason if known_end else None,
                end_approved_by if known_end else None,
            )
        )
    return tuple(periods)


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


PERIOD_COLUMNS: tuple[Any, ...] = (
    RequiredClause.id,
    RequiredClause.kind,
    RequiredClause.clause_key,
    RequiredClause.valid_from,
    RequiredClause.valid_to,
    RequiredClause.recorded_at,
    RequiredClause.recorded_by,
    RequiredClause.reason,
    RequiredClause.approved_by,
    RequiredClause.ended_recorded_at,
    RequiredClause.ended_by,
    RequiredClause.end_reason,
    RequiredClause.end_approved_by,
)


def load_library(connection: sa.Connection, when: AsOf | None = None) -> Library:
    """The library as known at ``when.known_at`` (everything recorded so far without one): the
    titles of the latest revision of each clause (clauses in the order of their first revision),
    and every required period; two queries."""
    when = when or AsOf.today()
    revisions = sa.select(
        col(ClauseDefinitionRevision.clause_key),
        col(ClauseDefinitionRevision.title_fr),
        col(ClauseDefinitionRevision.title_en),
    ).order_by(col(ClauseDefinitionRevision.recorded_at), col(ClauseDefinitionRevision.id))
    periods = sa.select(*PERIOD_COLUMNS).order_by(
        col(RequiredClause.valid_from).is_not(None), col(RequiredClause.valid_from), col(RequiredClause.id)
    )
    if when.known_at is not None:
        revisions = revisions.where(col(ClauseDefinitionRevision.recorded_at) <= when.known_at)
        periods = periods.where(col(RequiredClause.recorded_at) <= when.known_at)
    titles: dict[str, Bilingual] = {}
    for key, title_fr, title_en in connection.execute(revisions):
        titles[key] = Bilingual(fr=title_fr, en=title_en)  # the latest revision wins, in the first one's place
    if not titles:
        return seed_library()
    return Library(titles, periods_of(connection.execute(periods), when), order={k: i for i, k in enumerate(titles)})


def required_clauses_on(connection: sa.Connection, when: AsOf) -> dict[str, tuple[str, ...]]:
    """The clauses each kind requires on ``when.day``, as known at ``when.known_at``: what the rules
    engine receives with the facts."""
    return load_library(connection, when).required_on(when.day)


def catalogue_on(connection: sa.Connection, day: date | None = None) -> Catalogue:
    """The catalogue valid on ``day`` (today by default), with everything recorded so far."""
    day = day or utc_today()
    return load_library(connection).catalogue_on(day)
