"""What a batch of acknowledgement requests reads: one statement, one round trip, one JSON value.

The statement holds five sub-queries over the ids asked for (the persons with their schools, their
populations, the versions of the kinds asked for with their campaigns, the records made earlier,
the deliveries of the versions to the persons: proof of display), each one's rows as a JSON array.
PostgreSQL and SQLite run the same statement, spelt with each one's JSON functions (``_POSTGRESQL``,
``_SQLITE``); the writers (govkit.acknowledgements.writers) run it on their connection and
``decode`` its value into read-only model instances (``model_construct``: no validation, no
session state).

A document version's content is read once per process (``Documents``), by ``documents_statement``.

A member's own view (``me``) is read the same way: ``member_statement`` holds the person with their
school, their populations, the versions in force at their school (with their campaigns' deadlines)
and their acknowledgements, in one round trip; ``decode_member`` gives them back.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from govkit.acknowledgements.decisions import Delivery, Read, Version
from govkit.acknowledgements.models import Acknowledgement, Campaign, DocumentDelivery, Person
from govkit.db import stored_id, table_of
from govkit.documents.models import DocumentVersion
from govkit.organisations.models import Organisation

_PERSON = table_of(Person)
_ORGANISATION = table_of(Organisation)
_DOCUMENT = table_of(DocumentVersion)
_ACKNOWLEDGEMENT = table_of(Acknowledgement)
_DELIVERY = table_of(DocumentDelivery)


@dataclass(frozen=True)
class _Dialect:
    """How one database spells the statement: parameters, id lists, rows as a JSON array."""

    parameter: Callable[[str], str]  # the placeholder of a named parameter
    ids: Callable[[str, str], str]  # "<column> is one of the ids of <parameter>"
    rows: Callable[[str, str], str]  # a sub-query's rows (columns, FROM...) as one JSON array
    json_column: Callable[[str], str]  # a JSON column's value, as JSON inside a row
    together: Callable[[list[str]], str]  # the sub-queries' arrays as one JSON array
    id_list: Callable[[Sequence[int]], str]  # the value of an id list parameter
    day: Callable[[date], Any]  # the value of a date parameter


def _postgresql_ids(values: Sequence[int]) -> str:
    # integer arrays as their text: psycopg's list adapters cost more than the queries here
    return "{" + ",".join(str(int(v)) for v in values) + "}"


#: psycopg's placeholders: the statement also runs on psycopg's own connections (writers.LoopWriter).
_POSTGRESQL = _Dialect(
    parameter=lambda name: f"%({name})s",
    ids=lambda column, name: f"{column} = ANY(%({name})s::bigint[])",
    rows=lambda columns, source: f"(SELECT coalesce(json_agg(json_build_array({columns})), '[]'::json) {source})",
    json_column=lambda column: column,
    together=lambda parts: f"SELECT json_build_array({', '.join(parts)})",
    id_list=_postgresql_ids,
    day=lambda value: value,
)
_SQLITE = _Dialect(
    parameter=lambda name: f":{name}",
    ids=lambda column, name: f"{column} IN (SELECT value FROM json_each(:{name}))",  # noqa: S608 - our names
    rows=lambda columns, source: f"(SELECT json_group_array(json_array({columns})) {source})",
    json_column=lambda column: f"json({column})",
    together=lambda parts: f"SELECT json_array({', '.join(f'json({p})' for p in parts)})",
    id_list=lambda values: json.dumps([int(v) for v in values]),
    day=lambda value: value.isoformat(),  # as SQLite stores dates
)
_DIALECTS = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}


def _columns(table: sa.Table, alias: str, dialect: _Dialect) -> str:
    return ", ".join(
        dialect.json_column(f"{alias}.{c.name}") if isinstance(c.type, sa.JSON) else f"{alias}.{c.name}"
        for c in table.columns
    )


#: The deliveries' columns, in ``Delivery``'s order.
_DELIVERY_COLUMNS = "v.person_id, v.document_version_id, v.channel, v.delivered_at"
#: The versions' columns, in ``Version``'s order.
_VERSION_COLUMNS = "d.id, d.organisation_id, d.kind, d.language, d.number, d.effective_from, c.id, d.sha256"


@cache
def statement(dialect_name: str) -> str:
    """The batch's statement on ``dialect_name`` (its parameters: ``parameters``)."""
    d = _DIALECTS[dialect_name]
    persons = d.rows(
        f"{_columns(_PERSON, 'p', d)}, {_columns(_ORGANISATION, 'o', d)}",
        f"FROM person p JOIN organisation o ON o.id = p.organisation_id WHERE {d.ids('p.id', 'persons')}",
    )
    populations = d.rows(  # the populations held now: the open periods
        "person_id, population",
        f"FROM person_population WHERE {d.ids('person_id', 'persons')} AND valid_to IS NULL",
    )
    versions = d.rows(
        _VERSION_COLUMNS,
        "FROM document_version d LEFT JOIN campaign c ON c.document_version_id = d.id"  # noqa: S608 - our names; values bound
        f" WHERE EXISTS (SELECT 1 FROM document_version a WHERE {d.ids('a.id', 'documents')}"
        " AND a.organisation_id = d.organisation_id AND a.kind = d.kind)"
        f" AND (d.effective_from <= {d.parameter('today')} OR {d.ids('d.id', 'documents')})",
    )
    existing = d.rows(
        _columns(_ACKNOWLEDGEMENT, "a", d),
        f"FROM acknowledgement a WHERE {d.ids('a.person_id', 'persons')}"
        f" AND {d.ids('a.document_version_id', 'documents')}",
    )
    deliveries = d.rows(  # by the unique index (person, version, channel)
        _DELIVERY_COLUMNS,
        f"FROM document_delivery v WHERE {d.ids('v.person_id', 'persons')}"
        f" AND {d.ids('v.document_version_id', 'documents')}",
    )
    return d.together([persons, populations, versions, existing, deliveries])


def parameters(dialect_name: str, persons: Sequence[int], documents: Sequence[int], today: date) -> dict[str, Any]:
    d = _DIALECTS[dialect_name]
    return {"persons": d.id_list(persons), "documents": d.id_list(documents), "today": d.day(today)}


@cache
def documents_statement(dialect_name: str) -> str:
    """The document versions of the ids of parameter ``documents`` (``documents_parameters``), as one JSON array."""
    d = _DIALECTS[dialect_name]
    source = f"FROM document_version d WHERE {d.ids('d.id', 'documents')}"
    return "SELECT " + d.rows(_columns(_DOCUMENT, "d", d), source)


def documents_parameters(dialect_name: str, documents: Sequence[int]) -> dict[str, Any]:
    return {"documents": _DIALECTS[dialect_name].id_list(documents)}


#: The versions' columns with their campaign's deadline, in ``MemberVersion``'s order.
_MEMBER_VERSION_COLUMNS = f"{_VERSION_COLUMNS}, c.deadline"


@cache
def member_statement(dialect_name: str) -> str:
    """What ``me`` reads of the person of parameter ``person`` (``member_parameters``): the person
    with their school, the populations they hold now, the versions in force at their school on
    ``today`` (of each kind and language, the one with the greatest effective date on or before it;
    of those, the highest number: govkit.documents.published.in_force_at) with their campaigns, and
    their acknowledgements with the versions they acknowledge. One statement: one snapshot."""
    d = _DIALECTS[dialect_name]
    person, today = d.parameter("person"), d.parameter("today")
    persons = d.rows(
        f"{_columns(_PERSON, 'p', d)}, {_columns(_ORGANISATION, 'o', d)}",
        f"FROM person p JOIN organisation o ON o.id = p.organisation_id WHERE p.id = {person}",
    )
    populations = d.rows(
        "population",
        f"FROM person_population WHERE person_id = {person} AND valid_to IS NULL",
    )
    in_force = d.rows(
        _MEMBER_VERSION_COLUMNS,
        "FROM person p JOIN document_version d ON d.organisation_id = p.organisation_id"  # noqa: S608 - our names; values bound
        f" LEFT JOIN campaign c ON c.document_version_id = d.id WHERE p.id = {person} AND d.effective_from <= {today}"
        " AND NOT EXISTS (SELECT 1 FROM document_version n WHERE n.organisation_id = d.organisation_id"
        f" AND n.kind = d.kind AND n.language = d.language AND n.effective_from <= {today}"
        " AND (n.effective_from > d.effective_from OR (n.effective_from = d.effective_from AND n.number > d.number)))",
    )
    acknowledged = d.rows(
        f"{_columns(_ACKNOWLEDGEMENT, 'a', d)}, {_MEMBER_VERSION_COLUMNS}",
        "FROM acknowledgement a JOIN document_version d ON d.id = a.document_version_id"
        f" LEFT JOIN campaign c ON c.document_version_id = d.id WHERE a.person_id = {person}",
    )
    return d.together([persons, populations, in_force, acknowledged])


def member_parameters(dialect_name: str, person: int, today: date) -> dict[str, Any]:
    return {"person": int(person), "today": _DIALECTS[dialect_name].day(today)}


def _decoder(columns: Sequence[sa.ColumnElement[Any]]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Values of ``columns`` from JSON back to what govkit reads: dates, UTC timestamps."""

    def as_is(value: Any) -> Any:
        return value

    def as_date(value: str | None) -> date | None:
        return None if value is None else date.fromisoformat(value)

    def as_utc(value: str | None) -> datetime | None:
        if value is None:
            return None
        found = datetime.fromisoformat(value)
        return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)  # SQLite: naive UTC

    def convert(column: sa.ColumnElement[Any]) -> Callable[[Any], Any]:
        kind = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
        if isinstance(kind, sa.DateTime):
            return as_utc
        return as_date if isinstance(kind, sa.Date) else as_is

    converters = [convert(c) for c in columns]
    return lambda row: tuple(f(v) for f, v in zip(converters, row, strict=True))


def _model(model: Any, table: sa.Table) -> Callable[[Sequence[Any]], Any]:
    keys = tuple(c.key for c in table.columns)
    values = _decoder(list(table.columns))
    return lambda row: model.model_construct(**dict(zip(keys, values(row), strict=True)))


_PERSON_OF = _model(Person, _PERSON)
_ORGANISATION_OF = _model(Organisation, _ORGANISATION)
_ACKNOWLEDGEMENT_OF = _model(Acknowledgement, _ACKNOWLEDGEMENT)
_DOCUMENT_OF = _model(DocumentVersion, _DOCUMENT)
_WIDTH = len(_PERSON.columns)
_VERSION = _decoder(
    [_DOCUMENT.c[k] for k in ("id", "organisation_id", "kind", "language", "number", "effective_from")]
    + [sa.inspect(Campaign).local_table.c.id, _DOCUMENT.c.sha256]
)


_DELIVERY_OF = _decoder([_DELIVERY.c[k] for k in ("person_id", "document_version_id", "channel", "delivered_at")])
_MEMBER_VERSION = _decoder(
    [_DOCUMENT.c[k] for k in ("id", "organisation_id", "kind", "language", "number", "effective_from")]
    + [sa.inspect(Campaign).local_table.c.id, _DOCUMENT.c.sha256, sa.inspect(Campaign).local_table.c.deadline]
)
_ACKNOWLEDGEMENT_WIDTH = len(_ACKNOWLEDGEMENT.columns)


@dataclass(frozen=True)
class MemberVersion:
    """A version in force at a member's school, or one they acknowledged, with its campaign's deadline."""

    version: Version
    deadline: date | None


@dataclass(frozen=True)
class MemberRead:
    """What ``member_statement`` read, as read-only model instances."""

    person: Person
    organisation: Organisation
    populations: frozenset[str]
    in_force: list[MemberVersion]
    acknowledged: list[tuple[Acknowledgement, MemberVersion]]


def _member_version(row: Sequence[Any]) -> MemberVersion:
    *version, deadline = _MEMBER_VERSION(row)
    return MemberVersion(Version(*version), deadline)


def decode_member(found: Any) -> MemberRead | None:
    """``member_statement``'s value, as model instances; None when there is no such person."""
    people, populations, in_force, acknowledged = _loaded(found)
    if not people:
        return None
    (row,) = people
    return MemberRead(
        person=_PERSON_OF(row[:_WIDTH]),
        organisation=_ORGANISATION_OF(row[_WIDTH:]),
        populations=frozenset(p for (p,) in populations),
        in_force=[_member_version(v) for v in in_force],
        acknowledged=[
            (_ACKNOWLEDGEMENT_OF(a[:_ACKNOWLEDGEMENT_WIDTH]), _member_version(a[_ACKNOWLEDGEMENT_WIDTH:]))
            for a in acknowledged
        ],
    )


def _loaded(found: Any) -> Any:
    # ``model_construct`` skips the models' constructors, which configure the mappers on first use:
    # in a process that has not used the ORM yet, its instances would lack their attributes' state
    sa.orm.configure_mappers()  # once; then a flag's check
    return json.loads(found) if isinstance(found, str | bytes) else found  # SQLite gives the text


def decode(found: Any) -> Read:
    """``statement``'s value, as model instances."""
    people, populations, versions, existing, deliveries = _loaded(found)
    return Read(
        [(_PERSON_OF(row[:_WIDTH]), _ORGANISATION_OF(row[_WIDTH:])) for row in people],
        populations,
        [Version(*_VERSION(row)) for row in versions],
        [_ACKNOWLEDGEMENT_OF(row) for row in existing],
        [Delivery(*_DELIVERY_OF(row)) for row in deliveries],
    )


def decode_documents(found: Any) -> list[DocumentVersion]:
    """``documents_statement``'s value, as model instances."""
    return [_DOCUMENT_OF(row) for row in _loaded(found)]


def document_versions(connection: sa.Connection, versions: Sequence[Version]) -> dict[int, DocumentVersion]:
    """The document versions of ``versions`` by id: those this process read already (``documents``),
    the others read now on ``connection`` (one statement)."""
    dialect = connection.dialect.name
    found, missing = documents.known(connection.engine, versions)
    if missing:
        read = connection.exec_driver_sql(documents_statement(dialect), documents_parameters(dialect, missing))
        found |= documents.keep(connection.engine, decode_documents(read.scalar_one()))
    return found


class Documents:
    """Published document versions by database and id: immutable once published (a trigger refuses
    changes), so each is read once per process. An entry serves only while it still matches what
    the batch read of its version (same content hash, number and place): an id given again to other
    content (a rolled-back insert on SQLite) is read again. Bounded: the oldest is forgotten first."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._found: weakref.WeakKeyDictionary[object, dict[int, DocumentVersion]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def known(self, database: object, versions: Sequence[Version]) -> tuple[dict[int, DocumentVersion], list[int]]:
        """The versions known for ``database`` (its engine) and still matching, and the ids to read."""
        with self._lock:
            known = self._found.setdefault(database, {})
            found = {v.id: known[v.id] for v in versions if v.id in known and _same(known[v.id], v)}
        return found, sorted({v.id for v in versions} - found.keys())

    def keep(self, database: object, documents: Sequence[DocumentVersion]) -> dict[int, DocumentVersion]:
        """Keep versions just read for ``database``; returns them by id."""
        read = {stored_id(d): d for d in documents}
        with self._lock:
            known = self._found.setdefault(database, {})
            known.update(read)
            while len(known) > self.maxsize:
                del known[next(iter(known))]
        return read


def _same(document: DocumentVersion, version: Version) -> bool:
    return (document.sha256, document.number, document.organisation_id, document.kind, document.language) == (
        version.sha256,
        version.number,
        version.organisation_id,
        version.kind,
        version.language,
    )


#: The process's document versions (see ``Documents``).
documents = Documents()
