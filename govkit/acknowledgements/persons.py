"""Importing a school's persons from CSV: every line checked first, then all or nothing; and who
held which population, and who was at their school, on any day (valid time), as known at any moment.

A person's populations are periods (``PersonPopulation``): an import never deletes one, it closes
it (``valid_to`` = the import's day, ``ended_recorded_at`` = now) and opens new ones (from the import's
day; from the entry date for a new person). A departure records when it was learned
(``departure_recorded_at``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlmodel import Session, col, select

from govkit.access.policy import Action
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.acknowledgements.models import Person, PersonPopulation
from govkit.acknowledgements.vocabulary import PersonStatus
from govkit.days import utc_today
from govkit.db import Database, stored_id, table_of, utcnow
from govkit.jobs.queue import JobQueue
from govkit.organisations.revisions import latest_profile
from govkit.organisations.service import organisation_for
from govkit.timeline import AsOf
from govkit.vocabulary import Population

__all__ = [
    "ImportReport",
    "LineError",
    "PersonRow",
    "import_persons",
    "open_populations",
    "parse_csv",
    "population_members",
    "populations_of",
    "present_at",
    "sync_populations",
]

REQUIRED = ("external_id", "given_name", "family_name", "email", "populations")
OPTIONAL = ("entry_date", "residence", "status", "departure_date", "language")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
#: The job telling the persons of a school about its open campaigns (govkit.notifications: named,
#: not imported, as that package reads this one).
NOTICES_JOB = "notices.bring_up_to_date"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PersonRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[\w.\-:@]{1,100}$")]
    given_name: Name
    family_name: Name
    email: EmailStr
    populations: list[Population] = Field(min_length=1)
    entry_date: date | None = None
    residence: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] | None = None
    status: PersonStatus = PersonStatus.ACTIVE
    departure_date: date | None = None
    language: Annotated[str, StringConstraints(pattern=r"^(fr|en)$")] = "fr"

    @field_validator("populations", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace("+", "|").replace(",", "|").split("|")]
            return [p for p in parts if p]
        return value

    @field_validator("given_name", "family_name", "email", mode="before")
    @classmethod
    def _printable(cls, value: object) -> object:
        # a NUL or another control character is no part of a name (and PostgreSQL refuses NUL in text)
        if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("contains a control character (NUL, tab, line break…): remove it")
        return value

    @field_validator("entry_date", "departure_date", "residence", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("status", "language", mode="before")
    @classmethod
    def _default(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and not value.strip():
            return "active" if info.field_name == "status" else "fr"
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> PersonRow:
        if len(set(self.populations)) != len(self.populations):
            raise ValueError("a population is repeated")
        if self.departure_date and self.status is not PersonStatus.DEPARTED:
            raise ValueError("departure_date is given but status is not departed")
        if self.entry_date and self.departure_date and self.departure_date < self.entry_date:
            raise ValueError("departure_date is before entry_date")
        if self.residence and Population.RESIDENT not in self.populations:
            raise ValueError("a residence is given but the person is not in the resident population")
        return self


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    departed: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


#: What the csv module's errors mean, in words a school's administration can act on.
_CSV_PROBLEMS = (
    ("NUL", "the line contains a NUL character: is the file a spreadsheet rather than CSV text?"),
    ("expected after", "a quoted field goes on after its closing quote: quote the whole field, doubling quotes inside"),
    ("unexpected end of data", "a quoted field is not closed: a closing quote is missing"),
    ("field limit", "a field is longer than 131,072 characters"),
    ("new-line character", "a line break inside a field that is not quoted"),
)


def csv_problem(exc: csv.Error) -> str:
    """The csv module's error ``exc``, said in govkit's words."""
    text = str(exc)
    found = next((meaning for marker, meaning in _CSV_PROBLEMS if marker in text), None)
    return found or "the line is not valid CSV: check its quotes and separators"


def parse_csv(data: bytes, residences: set[str] | None = None) -> tuple[list[PersonRow], list[LineError]]:
    """Pure: the rows, or every problem with its line number (line 1 is the header)."""
    if len(data) > MAX_BYTES:
        return [], [LineError(0, None, f"the file is over the limit of {MAX_BYTES} bytes")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [LineError(0, None, f"the file is not UTF-8 text (byte {exc.start}); export it as CSV UTF-8")]
    if not text.strip():
        return [], [LineError(1, None, "the file is empty")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[LineError] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        return [], [LineError(1, None, f"unreadable header: {csv_problem(exc)}")]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)} (allowed: {', '.join(REQUIRED + OPTIONAL)})")
        if len(set(header)) != len(header):
            parts.append("a column is repeated")
        return [], [LineError(1, None, "; ".join(parts))]
    rows: list[PersonRow] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(LineError(line, None, f"more than {MAX_ROWS} lines: split the file"))
                break
            if len(values) != len(header):
                errors.append(LineError(line, None, f"{len(values)} fields where the header has {len(header)}"))
                continue
            try:
                row = PersonRow.model_validate(dict(zip(header, values, strict=True)))
            except ValidationError as exc:
                for item in exc.errors():
                    column = str(item["loc"][0]) if item["loc"] else None
                    errors.append(LineError(line, column, item["msg"].removeprefix("Value error, ")))
                continue
            if row.external_id in seen:
                errors.append(
                    LineError(line, "external_id", f"{row.external_id} is already on line {seen[row.external_id]}")
                )
                continue
            if residences is not None and row.residence and row.residence not in residences:
                known = ", ".join(sorted(residences)) or "none in the school's profile"
                errors.append(LineError(line, "residence", f"unknown residence {row.residence!r} (known: {known})"))
                continue
            seen[row.external_id] = line
            rows.append(row)
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, None, csv_problem(exc)))
    if not rows and not errors:
        errors.append(LineError(2, None, "the file has a header but no person"))
    return rows, errors


def import_persons(
    *, db: Database, actor: Principal, school: str, data: bytes | Callable[[], bytes], jobs: JobQueue | None = None
) -> ImportReport:
    """Upsert a school's persons by external id; any error imports nothing. ``data`` may be a
    function that reads the upload, called once the caller is authorised. ``jobs``: where the
    notices of the school's open campaigns to the persons who joined are deferred."""
    authorize_some(actor, Action.IMPORT_PERSONS)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.IMPORT_PERSONS, school)
        profile = latest_profile(session, stored_id(organisation))
    residences = {r["code"] for r in (profile.data["housing"]["residences"] if profile else [])}
    if callable(data):
        data = data()
    rows, errors = parse_csv(data, residences)
    report = ImportReport(rows=len(rows) + len({e.line for e in errors}), errors=errors)
    if errors:
        return report
    today, now = utc_today(), utcnow()
    with db.transaction() as session:
        known = {
            p.external_id: p
            for p in session.exec(select(Person).where(Person.organisation_id == organisation.id)).all()
        }
        held: dict[int, set[str]] = {}
        for person_id, population in session.exec(
            select(PersonPopulation.person_id, PersonPopulation.population)
            .join(Person, col(Person.id) == PersonPopulation.person_id)
            .where(Person.organisation_id == organisation.id, col(PersonPopulation.valid_to).is_(None))
        ).all():
            held.setdefault(person_id, set()).add(population)
        changed: list[tuple[Person, list[str], bool]] = []
        for row in rows:
            person = known.get(row.external_id)
            values: dict[str, Any] = {
                "given_name": row.given_name,
                "family_name": row.family_name,
                "email": str(row.email).lower(),
                "entry_date": row.entry_date,
                "residence_code": row.residence,
                "status": row.status.value,
                "departure_date": row.departure_date,
                "preferred_language": row.language,
            }
            populations = sorted(p.value for p in row.populations)
            departed = row.status is PersonStatus.DEPARTED
            if person is None:
                person = Person(organisation_id=stored_id(organisation), external_id=row.external_id, **values)
                person.departure_recorded_at = now if departed else None
                report.created += 1
            elif all(getattr(person, k) == v for k, v in values.items()) and held.get(stored_id(person), set()) == set(
                populations
            ):
                report.unchanged += 1
                continue
            else:
                if person.status == "active" and departed:
                    report.departed += 1
                if (person.status, person.departure_date) != (row.status.value, row.departure_date):
                    person.departure_recorded_at = now if departed else None
                for key, value in values.items():
                    setattr(person, key, value)
                person.updated_at = now
                report.updated += 1
            new = person.id is None
            session.add(person)
            changed.append((person, populations, new))
        session.flush()
        wanted = {stored_id(p): (pops, p.entry_date if new else today) for p, pops, new in changed}
        sync_populations(session, wanted, today=today, now=now, held=held)
        if jobs is not None and changed:  # whoever joined while a campaign is open is told of it
            jobs.defer(session, NOTICES_JOB, key=f"notices:{organisation.code}", school_code=organisation.code)
    return report


# --- populations and presence over time -------------------------------------------

_CHUNK = 1000


def open_populations(session: Session, person_ids: Collection[int]) -> dict[int, set[str]]:
    """The populations each person holds now (their open periods)."""
    held: dict[int, set[str]] = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), _CHUNK):
        for person_id, population in session.exec(
            select(PersonPopulation.person_id, PersonPopulation.population).where(
                col(PersonPopulation.person_id).in_(ids[start : start + _CHUNK]),
                col(PersonPopulation.valid_to).is_(None),
            )
        ).all():
            held.setdefault(person_id, set()).add(population)
    return held


def sync_populations(
    session: Session,
    wanted: Mapping[int, tuple[Iterable[str], date | None]],
    *,
    today: date,
    now: datetime | None = None,
    held: dict[int, set[str]] | None = None,
) -> None:
    """Make each person's open periods their populations ``wanted[person_id] = (populations, since)``:
    a population no longer held has its period closed on ``today`` (recorded ``now``), a new one is
    opened from ``since`` (``today`` for a known person; the entry date, or None = since entry, for
    a new one). Nothing is deleted. ``held``: the open populations when the caller has them."""
    now = now or utcnow()
    if held is None:
        held = open_populations(session, wanted)
    closing: list[dict[str, Any]] = []
    opening: list[dict[str, Any]] = []
    for person_id, (populations, since) in wanted.items():
        target, current = set(populations), held.get(person_id, set())
        closing += [{"b_person": person_id, "b_population": p} for p in sorted(current - target)]
        opening += [
            {"person_id": person_id, "population": p, "valid_from": since, "recorded_at": now}
            for p in sorted(target - current)
        ]
    table = table_of(PersonPopulation)
    if closing:
        # a period not begun yet (a future entry) ends where it starts: empty, never in force
        end = sa.case((table.c.valid_from > today, table.c.valid_from), else_=sa.literal(today, sa.Date))
        session.execute(
            sa.update(table)
            .where(
                table.c.person_id == sa.bindparam("b_person"),
                table.c.population == sa.bindparam("b_population"),
                table.c.valid_to.is_(None),
            )
            .values(valid_to=end, ended_recorded_at=now),
            closing,
        )
    if opening:
        session.execute(sa.insert(table), opening)


def population_members(when: AsOf | None = None) -> sa.Subquery:
    """Columns ``person_id`` and ``population``: who holds which population — now (the open periods)
    when ``when`` is None; else in force at ``when.day`` (valid time) as known at ``when.known_at``
    (a period recorded later is unknown, a closing recorded later not yet made). One row per
    (person, population): periods of one population never overlap. Join it in place of
    ``PersonPopulation``; the index (population, person_id, valid_from, valid_to) covers it."""
    pp = PersonPopulation
    query: Any = select(col(pp.person_id).label("person_id"), col(pp.population).label("population"))
    if when is None:
        return query.where(col(pp.valid_to).is_(None)).subquery("population_members")
    still_open = [col(pp.valid_to).is_(None), col(pp.valid_to) > when.day]
    if when.known_at is not None:
        still_open.append(col(pp.ended_recorded_at) > when.known_at)
        query = query.where(col(pp.recorded_at) <= when.known_at)
    return query.where(
        sa.or_(col(pp.valid_from).is_(None), col(pp.valid_from) <= when.day), sa.or_(*still_open)
    ).subquery("population_members")


def populations_of(session: Session, person_id: int, when: AsOf | None = None) -> set[str]:
    """The populations one person holds now, or as of ``when``."""
    members = population_members(when)
    return set(session.execute(sa.select(members.c.population).where(members.c.person_id == person_id)).scalars())


def present_at(when: AsOf) -> sa.ColumnElement[bool]:
    """SQL on ``Person``: the person was at their school at ``when.day`` (entered by then, not yet
    departed), as known at ``when.known_at`` (recorded by then; a departure learned later not yet)."""
    staying = [col(Person.status) == "active", col(Person.departure_date) > when.day]
    conditions = [sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) <= when.day)]
    if when.known_at is not None:
        staying.append(col(Person.departure_recorded_at) > when.known_at)
        conditions.append(col(Person.created_at) <= when.known_at)
    return sa.and_(*conditions, sa.or_(*staying))
