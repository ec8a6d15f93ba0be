"""The demo's training and survey records (imt_training.yaml): read, checked against the seed, loaded.

FORMAT.md ("imt_training.yaml") describes the file. Every record quotes the seed; its date comes
from a quote that writes its year (or the état des lieux sentence, "2021"); counts are given only
where the text gives them. Loading is idempotent: an unchanged record is left alone, a changed one
is recorded again, superseding the earlier record (which stays readable for "known at" questions).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError, model_validator
from sqlmodel import Session, col, select

from govkit.db import stored_id
from govkit.demo.dataset import HERE, Code, Quote, _Strict, check_dated
from govkit.errors import InvalidInput, Problem
from govkit.organisations.models import Organisation
from govkit.rules.records import Survey, TrainingRecord
from govkit.rules.records_input import SurveyInput, TrainingInput
from govkit.seed import normalise, seed_text
from govkit.timeline import parse_dated
from govkit.vocabulary import SurveyAudience, SurveyStatus, TrainingAudience

TRAINING_FILE = HERE / "imt_training.yaml"


class DemoTraining(_Strict):
    school: Code
    academic_year: int
    audience: TrainingAudience
    training: str
    title: str
    trained: int | None = None
    total: int | None = None
    everyone: bool = False
    held_on: str
    note: str | None = None
    source: Quote
    date_source: Quote | None = None

    @model_validator(mode="after")
    def _checked(self) -> DemoTraining:
        where = f"{self.school} {self.audience.value} {self.academic_year}"
        check_dated(self.held_on, self.date_source, self.source, where)
        try:  # the same checks as a record given through the API (held_on inside the academic year…)
            TrainingInput.model_validate(
                self.model_dump(include=set(TrainingInput.model_fields), exclude={"source"}, mode="json")
            )
        except ValidationError as exc:
            raise ValueError(f"{where}: {exc.errors()[0]['msg']}") from exc
        return self


class DemoSurvey(_Strict):
    organisation: Code
    year: int
    audience: SurveyAudience
    status: SurveyStatus
    title: str
    invited: int | None = None
    respondents: int | None = None
    population_total: int | None = None
    note: str | None = None
    source: Quote
    date_source: Quote | None = None

    @model_validator(mode="after")
    def _checked(self) -> DemoSurvey:
        where = f"{self.organisation} survey {self.year}"
        check_dated(str(self.year), self.date_source, self.source, where)
        try:
            SurveyInput.model_validate(
                self.model_dump(include=set(SurveyInput.model_fields), exclude={"source"}, mode="json")
            )
        except ValidationError as exc:
            raise ValueError(f"{where}: {exc.errors()[0]['msg']}") from exc
        return self


class TrainingDataset(_Strict):
    training: list[DemoTraining]
    surveys: list[DemoSurvey]

    def quotes(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for t in self.training:
            where = f"training/{t.school}/{t.audience.value}/{t.academic_year}"
            found += [(where, t.source)] + ([(f"{where}/date_source", t.date_source)] if t.date_source else [])
        for s in self.surveys:
            where = f"surveys/{s.organisation}/{s.year}"
            found += [(where, s.source)] + ([(f"{where}/date_source", s.date_source)] if s.date_source else [])
        return found


def read_training(path: Path = TRAINING_FILE, codes: set[str] | None = None) -> tuple[TrainingDataset, str]:
    """Read, validate and check the quotes (and the organisations, against ``codes``) of the file."""
    raw = path.read_bytes()
    try:
        data: Any = yaml.safe_load(raw)
        dataset = TrainingDataset.model_validate(data)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path.name} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = [Problem(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
        raise InvalidInput(f"{path.name} does not follow FORMAT.md", problems=problems) from exc
    seed = seed_text()
    problems = [
        Problem(where, f"not found in the seed: {q[:60]}…") for where, q in dataset.quotes() if normalise(q) not in seed
    ]
    if codes is not None:
        named = {t.school for t in dataset.training} | {s.organisation for s in dataset.surveys}
        problems += [Problem(code, "no such organisation in imt.yaml") for code in sorted(named - codes)]
    if problems:
        raise InvalidInput(f"{path.name} cites passages or organisations that are not there", problems=problems)
    return dataset, hashlib.sha256(raw).hexdigest()


_LOADER = "govkit demo loader"


def _training_facts(r: TrainingRecord) -> tuple[object, ...]:
    return (r.training, r.trained, r.total, r.everyone, r.held_on, r.held_on_precision, r.note, r.source_quote)


def _survey_facts(r: Survey) -> tuple[object, ...]:
    return (r.status, r.invited, r.respondents, r.population_total, r.note, r.source_quote)


def load_training(session: Session, dataset: TrainingDataset, organisations: dict[str, Organisation]) -> None:
    """Record each training and survey of the file (keyed by organisation, year, audience and title)."""
    current_training = {
        (r.organisation_id, r.academic_year, r.audience, r.title.casefold()): r
        for r in _in_force(session, TrainingRecord)
    }
    for t in dataset.training:
        start, precision = parse_dated(t.held_on)
        record = TrainingRecord(
            organisation_id=stored_id(organisations[t.school]),
            academic_year=t.academic_year,
            audience=t.audience.value,
            training=t.training,
            title=t.title,
            trained=t.trained,
            total=t.total,
            everyone=t.everyone,
            held_on=start,
            held_on_precision=precision.value,
            source_quote=t.source,
            note=t.note,
            recorded_by=_LOADER,
        )
        known = current_training.get(
            (record.organisation_id, record.academic_year, record.audience, t.title.casefold())
        )
        if known is not None:
            if _training_facts(known) == _training_facts(record):
                continue
            record.supersedes_id = known.id
        session.add(record)
    current_surveys = {
        (r.organisation_id, r.year, r.audience, r.title.casefold()): r for r in _in_force(session, Survey)
    }
    for s in dataset.surveys:
        survey = Survey(
            organisation_id=stored_id(organisations[s.organisation]),
            year=s.year,
            title=s.title,
            audience=s.audience.value,
            status=s.status.value,
            invited=s.invited,
            respondents=s.respondents,
            population_total=s.population_total,
            source_quote=s.source,
            note=s.note,
            recorded_by=_LOADER,
        )
        found = current_surveys.get((survey.organisation_id, survey.year, survey.audience, s.title.casefold()))
        if found is not None:
            if _survey_facts(found) == _survey_facts(survey):
                continue
            survey.supersedes_id = found.id
        session.add(survey)
    session.flush()


def _in_force(session: Session, model: Any) -> list[Any]:
    """The rows no other row corrects."""
    rows = session.exec(select(model).order_by(col(model.id))).all()
    corrected = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    return [r for r in rows if r.id not in corrected]
