"""A school's training and survey records with their history: each record in force with the records
it corrected before it (``supersedes``), newest first — who recorded each and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel import col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.db import Database, stored_id
from govkit.organisations.lookup import organisation_for
from govkit.organisations.models import Organisation
from govkit.rules.records import Survey, TrainingRecord

__all__ = ["RecordChain", "TrainingAndSurveys", "training_and_surveys"]

R = TypeVar("R", TrainingRecord, Survey)


@dataclass(frozen=True)
class RecordChain(Generic[R]):
    """A record in force (the newest of its chain) and the records it corrected, newest first."""

    records: list[R]

    @property
    def current(self) -> R:
        return self.records[0]


@dataclass(frozen=True)
class TrainingAndSurveys:
    organisation: Organisation
    training: list[RecordChain[TrainingRecord]]
    surveys: list[RecordChain[Survey]]
    may_record: bool


def chains(rows: Sequence[R]) -> list[RecordChain[R]]:
    """The rows as chains of corrections, each from its record in force (not corrected) back."""
    by_id = {stored_id(r): r for r in rows}
    corrected = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    found = []
    for row in rows:
        if stored_id(row) in corrected:
            continue
        chain, seen = [row], {stored_id(row)}
        while chain[-1].supersedes_id is not None and chain[-1].supersedes_id in by_id:
            earlier = by_id[chain[-1].supersedes_id]
            if stored_id(earlier) in seen:  # pragma: no cover - a loop cannot be written (ids grow)
                break
            seen.add(stored_id(earlier))
            chain.append(earlier)
        found.append(RecordChain(chain))
    return found


def training_and_surveys(*, db: Database, actor: Principal, school: str) -> TrainingAndSurveys:
    """Every training and survey record of ``school`` as chains of corrections (those who read findings)."""
    authorize_some(actor, Action.READ_TRAINING)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.READ_TRAINING, school)
        training = session.exec(
            select(TrainingRecord)
            .where(TrainingRecord.organisation_id == organisation.id)
            .order_by(col(TrainingRecord.id))
        ).all()
        surveys = session.exec(
            select(Survey).where(Survey.organisation_id == organisation.id).order_by(col(Survey.id))
        ).all()
    training_chains = sorted(
        chains(list(training)), key=lambda c: (-c.current.academic_year, c.current.audience, stored_id(c.current))
    )
    survey_chains = sorted(chains(list(surveys)), key=lambda c: (-c.current.year, stored_id(c.current)))
    return TrainingAndSurveys(
        organisation,
        training_chains,
        survey_chains,
        is_allowed(actor, Action.RECORD_TRAINING, organisation_id=organisation.id),
    )
