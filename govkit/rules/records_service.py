"""Training and survey records: record one, import a CSV file (all lines or none), read them back.

Legal staff record for any organisation, a school's administration for its own (Action.RECORD_TRAINING);
they are read where findings are (Action.READ_TRAINING). A record is never changed: a correction
is a new record naming the one it corrects (``supersedes``); the reads give the records in force
(not corrected).

New entrants of a year are derived from the persons' entry dates: when a new students' (or new
doctoral students') record leaves its total empty, the total is the number of the school's persons
of that population who entered during the academic year, and the record's note says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, row_id
from govkit.acknowledgements.models import Person, PersonPopulation
from govkit.db import Database, stored_id
from govkit.errors import InvalidInput, NotFound, Problem
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for
from govkit.rules import records_input as inputs
from govkit.rules.records import Survey, TrainingRecord
from govkit.timeline import AsOf, not_superseded
from govkit.vocabulary import TrainingAudience

__all__ = [
    "RecordsImport",
    "import_surveys",
    "import_training",
    "new_entrants",
    "record_survey",
    "record_training",
    "surveys",
    "training_records",
]

#: The populations whose entrants of a year are an audience's total.
ENTRANT_POPULATIONS: dict[str, tuple[str, ...]] = {
    "new_students": ("student", "apprentice"),
    "new_doctoral_students": ("doctoral_student",),
}


@dataclass(frozen=True)
class RecordsImport:
    """What an import wrote (nothing is written when any line is wrong: InvalidInput)."""

    rows: int
    created: int
    derived_totals: int  # totals taken from the persons' entry dates


def new_entrants(session: Session, organisation_id: int, populations: Sequence[str], academic_year: int) -> int:
    """The persons of a school who hold one of ``populations`` and entered during ``academic_year``
    (1 September to 31 August), as recorded now: a school's new students of that year."""
    first, last = date(academic_year, 9, 1), date(academic_year + 1, 9, 1)
    held = select(PersonPopulation.person_id).where(col(PersonPopulation.population).in_(populations))
    found = session.exec(
        select(sa.func.count(col(Person.id))).where(
            Person.organisation_id == organisation_id,
            col(Person.entry_date) >= first,
            col(Person.entry_date) < last,
            col(Person.id).in_(held),
        )
    ).one()
    return int(found)


def _training_record(
    session: Session, organisation: Organisation, given: inputs.TrainingInput, actor: Principal
) -> tuple[TrainingRecord, bool]:
    """The record to write, and whether its total was derived from entry dates."""
    total, note, derived = given.total, given.note, False
    populations = ENTRANT_POPULATIONS.get(given.audience.value)
    if total is None and populations:
        count = new_entrants(session, stored_id(organisation), populations, given.academic_year)
        if count:
            total, derived = count, True
            said = (
                f"Total déduit des dates d'entrée : {count} personne(s) ({', '.join(populations)}) entrée(s) en "
                f"{given.academic_year}/{given.academic_year + 1}."
            )
            note = f"{note} {said}" if note else said
    if given.trained is not None and total is not None and given.trained > total:
        raise InvalidInput(
            f"trained ({given.trained}) is more than the {total} new entrants govkit counts from entry dates in "
            f"{given.academic_year}/{given.academic_year + 1}: give total"
        )
    held_on, precision = given.held
    record = TrainingRecord(
        organisation_id=stored_id(organisation),
        academic_year=given.academic_year,
        audience=given.audience.value,
        training=given.training,
        title=given.title,
        trained=given.trained,
        total=total,
        everyone=given.everyone,
        held_on=held_on,
        held_on_precision=precision,
        source_quote=given.source_quote,
        note=note,
        recorded_by=actor.label,
    )
    return record, derived


def _supersedes(session: Session, model: Any, given: int | str | None, organisation: Organisation) -> int | None:
    """The id of the record of ``organisation`` a correction names (a GraphQL ID is a string)."""
    if given is None:
        return None
    number = row_id(given)
    corrected = None if number is None else session.get(model, number)
    if corrected is None or corrected.organisation_id != organisation.id:
        raise NotFound(f"No record {given} of {organisation.code} to correct.")
    return number


def record_training(
    *, db: Database, actor: Principal, school: str, supersedes: int | str | None = None, **values: Any
) -> TrainingRecord:
    """Record a school's training of one audience in one academic year (``values``: the fields of
    records_input.TrainingInput); ``supersedes``: the id of the record it corrects."""
    authorize_some(actor, Action.RECORD_TRAINING)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_TRAINING, school)
        given = inputs.validated(inputs.TrainingInput, values)
        record, _derived = _training_record(session, organisation, given, actor)
        record.supersedes_id = _supersedes(session, TrainingRecord, supersedes, organisation)
        session.add(record)
        session.flush()
        return record


def _survey_record(organisation: Organisation, given: inputs.SurveyInput, actor: Principal) -> Survey:
    return Survey(
        organisation_id=stored_id(organisation),
        year=given.year,
        title=given.title,
        audience=given.audience.value,
        status=given.status.value,
        invited=given.invited,
        respondents=given.respondents,
        population_total=given.population_total,
        source_quote=given.source_quote,
        note=given.note,
        recorded_by=actor.label,
    )


def record_survey(
    *, db: Database, actor: Principal, school: str, supersedes: int | str | None = None, **values: Any
) -> Survey:
    """Record a survey of a school, or of the group (legal staff) for the group-wide one."""
    authorize_some(actor, Action.RECORD_TRAINING)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_TRAINING, school)
        given = inputs.validated(inputs.SurveyInput, values)
        record = _survey_record(organisation, given, actor)
        record.supersedes_id = _supersedes(session, Survey, supersedes, organisation)
        session.add(record)
        session.flush()
        return record


def _read(data: bytes | Callable[[], bytes]) -> bytes:
    return data() if callable(data) else data


def import_training(*, db: Database, actor: Principal, school: str, data: bytes | Callable[[], bytes]) -> RecordsImport:
    """Import a school's training records from CSV (records_input.TRAINING_COLUMNS): every line is
    checked first; any problem, nothing is imported (InvalidInput naming each line and column)."""
    authorize_some(actor, Action.RECORD_TRAINING)
    with db.reading() as session:
        organisation_for(session, actor, Action.RECORD_TRAINING, school)
    lines = inputs.parse_csv(_read(data), inputs.TrainingInput, inputs.TRAINING_COLUMNS)
    derived = 0
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_TRAINING, school)
        records = []
        problems = []
        for line in lines:
            try:
                record, was_derived = _training_record(session, organisation, line.row, actor)
            except InvalidInput as exc:
                problems.append(Problem(f"line {line.number}, column total", exc.message))
                continue
            derived += was_derived
            records.append(record)
        if problems:
            raise InvalidInput(
                f"Rien n'est importé : {len(problems)} problème(s). / Nothing imported: {len(problems)} problem(s): "
                + "; ".join(f"{p.path}: {p.message}" for p in problems[:20]),
                problems=problems,
            )
        session.add_all(records)
    return RecordsImport(len(lines), len(records), derived)


def import_surveys(*, db: Database, actor: Principal, school: str, data: bytes | Callable[[], bytes]) -> RecordsImport:
    """Import an organisation's surveys from CSV (records_input.SURVEY_COLUMNS): all lines or none."""
    authorize_some(actor, Action.RECORD_TRAINING)
    with db.reading() as session:
        organisation_for(session, actor, Action.RECORD_TRAINING, school)
    lines = inputs.parse_csv(_read(data), inputs.SurveyInput, inputs.SURVEY_COLUMNS)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_TRAINING, school)
        session.add_all([_survey_record(organisation, line.row, actor) for line in lines])
    return RecordsImport(len(lines), len(lines), 0)


def training_records(
    *,
    db: Database,
    actor: Principal,
    school: str,
    academic_year: int | None = None,
    audience: str | None = None,
) -> list[TrainingRecord]:
    """A school's training records in force (not corrected), by academic year and audience."""
    authorize_some(actor, Action.READ_TRAINING)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.READ_TRAINING, school)
        query = select(TrainingRecord).where(
            TrainingRecord.organisation_id == organisation.id, not_superseded(TrainingRecord, AsOf.today())
        )
        if academic_year is not None:
            query = query.where(TrainingRecord.academic_year == academic_year)
        if audience is not None:
            if audience not in {a.value for a in TrainingAudience}:
                known = ", ".join(a.value for a in TrainingAudience)
                raise InvalidInput(f"Unknown audience {audience!r} (known: {known}).")
            query = query.where(TrainingRecord.audience == audience)
        return list(
            session.exec(
                query.order_by(col(TrainingRecord.academic_year), col(TrainingRecord.audience), col(TrainingRecord.id))
            ).all()
        )


def surveys(*, db: Database, actor: Principal, school: str, year: int | None = None) -> list[Survey]:
    """An organisation's surveys in force (not corrected), of one year or every year."""
    authorize_some(actor, Action.READ_TRAINING)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.READ_TRAINING, school)
        query = select(Survey).where(Survey.organisation_id == organisation.id, not_superseded(Survey, AsOf.today()))
        if year is not None:
            query = query.where(Survey.year == year)
        return list(session.exec(query.order_by(col(Survey.year), col(Survey.id))).all())
