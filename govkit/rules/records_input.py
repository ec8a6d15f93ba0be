"""Training and survey records as given (GraphQL arguments, CSV lines): validated field by field (pure).

A CSV file follows the persons import's conventions (govkit.acknowledgements.persons): UTF-8, comma
or semicolon separated, a header of known column names, every line checked first and every problem
named with its line (the header is line 1) and column; any problem, nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from govkit.acknowledgements.persons import csv_problem
from govkit.days import utc_today
from govkit.errors import InvalidInput, Problem
from govkit.timeline import DateNotRecognised, academic_year, parse_dated, period_end
from govkit.vocabulary import SurveyAudience, SurveyStatus, TrainingAudience

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
FIRST_YEAR = 2010

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
TRUE, FALSE = {"true", "yes", "oui", "1", "x"}, {"false", "no", "non", "0", ""}


def current_academic_year(today: date | None = None) -> int:
    return academic_year(today or utc_today())


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_and_printable(cls, value: object) -> object:
        if isinstance(value, str):
            if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in value):
                raise ValueError("contains a control character (NUL…): remove it")
            if not value.strip():
                return None
        return value


class TrainingInput(_Row):
    """One training record: an audience of a school trained in an academic year (its start year)."""

    academic_year: int
    audience: TrainingAudience
    training: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,60}$")]
    title: Text
    trained: Count | None = None
    total: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    everyone: bool = False
    held_on: str | None = None  # a day, a month, a year or an academic year (govkit.timeline.parse_dated)
    source_quote: LongText | None = None
    note: LongText | None = None

    @field_validator("everyone", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        if value is None:
            return False
        if isinstance(value, str):
            if value.strip().lower() in TRUE:
                return True
            if value.strip().lower() in FALSE:
                return False
            raise ValueError("give true or false (oui/non, yes/no, 1/0)")
        return value

    @field_validator("academic_year")
    @classmethod
    def _year(cls, value: int) -> int:
        latest = current_academic_year()
        if not FIRST_YEAR <= value <= latest:
            raise ValueError(
                f"an academic year is given by its start year, from {FIRST_YEAR} to {latest} ({latest}/{latest + 1})"
            )
        return value

    @field_validator("held_on")
    @classmethod
    def _dated(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_dated(value)
            except DateNotRecognised as exc:
                raise ValueError(exc.message) from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TrainingInput:
        if self.trained is not None and self.total is not None and self.trained > self.total:
            raise ValueError(f"trained ({self.trained}) is more than total ({self.total})")
        if self.everyone and self.trained is not None and self.total is not None and self.trained != self.total:
            raise ValueError("everyone is true but trained is not total")
        if self.held_on is not None:
            start, precision = parse_dated(self.held_on)
            first, last = date(self.academic_year, 9, 1), date(self.academic_year + 1, 8, 31)
            if period_end(start, precision) < first or start > last:
                raise ValueError(
                    f"held_on {self.held_on} is outside the academic year {self.academic_year}/{self.academic_year + 1}"
                )
        return self

    @property
    def held(self) -> tuple[date, str] | tuple[None, None]:
        if self.held_on is None:
            return None, None
        start, precision = parse_dated(self.held_on)
        return start, precision.value


class SurveyInput(_Row):
    """One survey record: a survey of a school (or the group) in a year, with its counts when known."""

    year: int
    title: Text
    audience: SurveyAudience
    status: SurveyStatus
    invited: Count | None = None
    respondents: Count | None = None
    population_total: Count | None = None
    source_quote: LongText | None = None
    note: LongText | None = None

    @field_validator("year")
    @classmethod
    def _year(cls, value: int) -> int:
        latest = utc_today().year
        if not FIRST_YEAR <= value <= latest:
            raise ValueError(f"a survey's year is from {FIRST_YEAR} to {latest}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SurveyInput:
        if self.invited and self.status in (SurveyStatus.PLANNED, SurveyStatus.BUILT):
            raise ValueError(f"a {self.status.value} survey has invited nobody yet (invited: {self.invited})")
        if self.respondents is not None and self.invited is not None and self.respondents > self.invited:
            raise ValueError(f"respondents ({self.respondents}) are more than invited ({self.invited})")
        if self.invited is not None and self.population_total is not None and self.invited > self.population_total:
            raise ValueError(f"invited ({self.invited}) is more than population_total ({self.population_total})")
        return self


TRAINING_COLUMNS = (
    ("academic_year", "audience", "training", "title"),
    ("trained", "total", "everyone", "held_on", "source_quote", "note"),
)
SURVEY_COLUMNS = (
    ("year", "title", "audience", "status"),
    ("invited", "respondents", "population_total", "source_quote", "note"),
)

Row = TypeVar("Row", bound=_Row)


@dataclass(frozen=True)
class Line:
    """A valid line of a file, with its number."""

    number: int
    row: Any


def _message(item: Any) -> str:
    return str(item["msg"]).removeprefix("Value error, ")


def validated(model: type[Row], values: dict[str, Any]) -> Row:
    """``values`` as ``model``, or InvalidInput naming each field wrong (GraphQL arguments)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [Problem(".".join(str(p) for p in e["loc"]) or "(record)", _message(e)) for e in exc.errors()]
        raise InvalidInput(
            "The record is not valid: " + "; ".join(f"{p.path}: {p.message}" for p in problems),
            problems=problems,
            key="record_invalid",
        ) from exc


def parse_csv(data: bytes, model: type[Row], columns: tuple[tuple[str, ...], tuple[str, ...]]) -> list[Line]:
    """Pure: every line as ``model``, or InvalidInput naming every problem's line and column."""
    required, optional = columns
    problems: list[Problem] = []

    def refuse() -> InvalidInput:
        return InvalidInput(
            f"Rien n'est importé : {len(problems)} problème(s). / Nothing imported: {len(problems)} problem(s): "
            + "; ".join(f"{p.path}: {p.message}" for p in problems[:20]),
            problems=problems,
        )

    if len(data) > MAX_BYTES:
        problems.append(Problem("file", f"the file is over the limit of {MAX_BYTES} bytes"))
        raise refuse()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem("file", f"the file is not UTF-8 text (byte {exc.start}); export it as CSV UTF-8"))
        raise refuse() from exc
    if not text.strip():
        problems.append(Problem("line 1", "the file is empty"))
        raise refuse()
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        problems.append(Problem("line 1", f"unreadable header: {csv_problem(exc)}"))
        raise refuse() from exc
    unknown = [h for h in header if h not in required + optional]
    missing = [h for h in required if h not in header]
    if unknown or missing or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)} (allowed: {', '.join(required + optional)})")
        if len(set(header)) != len(header):
            parts.append("a column is repeated")
        problems.append(Problem("line 1", "; ".join(parts)))
        raise refuse()
    lines: list[Line] = []
    try:
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(lines) >= MAX_ROWS:
                problems.append(Problem(f"line {number}", f"more than {MAX_ROWS} lines: split the file"))
                break
            if len(values) != len(header):
                problems.append(Problem(f"line {number}", f"{len(values)} fields where the header has {len(header)}"))
                continue
            try:
                lines.append(Line(number, model.model_validate(dict(zip(header, values, strict=True)))))
            except ValidationError as exc:
                for item in exc.errors():
                    column = f", column {item['loc'][0]}" if item["loc"] else ""
                    problems.append(Problem(f"line {number}{column}", _message(item)))
    except csv.Error as exc:
        problems.append(Problem(f"line {reader.line_num}", csv_problem(exc)))
    if not lines and not problems:
        problems.append(Problem("line 2", "the file has a header but no record"))
    if problems:
        raise refuse()
    return lines
