"""Recording acknowledgements: checked and chained in batches, one transaction per batch.

At the rentrée thousands of members acknowledge within minutes, and every record must be
appended to one hash chain, under one lock. Taking that lock once per acknowledgement would
cap the whole group at one transaction's round trips per record. Instead, concurrent calls
meet in a ``GroupCommit``: the first caller to find nobody writing becomes the writer and
records every request waiting at that moment in one transaction (set-based reads, one lock,
one multi-row insert, the audit events, one commit); the others wait for their outcome, and
the next batch is written by one of the callers that arrived meanwhile. A single call alone
is a batch of one. Each request still gets its own outcome: one refused request never fails
the others, and an unexpected error retries the batch's requests one by one.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
import sqlalchemy.orm
from sqlmodel import col

from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import ACKNOWLEDGED_LANGUAGE, new_code
from govkit.acknowledgements.models import Acknowledgement, Campaign, Person, PersonPopulation
from govkit.acknowledgements.wording import wording as compose_wording
from govkit.auth.audit import AuditEvent
from govkit.auth.roles import Principal
from govkit.db import Database, utcnow
from govkit.disconnects import closed_by_the_server, retry_idempotent_on_disconnect, retry_on_disconnect_async
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import Conflict, Forbidden, GovkitError, InvalidInput, NotFound
from govkit.organisations.models import Organisation

#: The largest batch written in one transaction.
MAX_BATCH = 128


@dataclass(frozen=True)
class ClientInfo:
    """How the request reached us: recorded with an electronic acknowledgement."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class AuditNote:
    """The audit event of the request, written in the acknowledgement's own transaction."""

    actor: Principal
    action: str
    correlation_id: str
    target: dict[str, Any]
    client_ip: str | None = None


@dataclass(frozen=True)
class Receipt:
    record: Acknowledgement
    person: Person
    organisation: Organisation
    document: DocumentVersion
    fresh: bool = False  # recorded by this call (not found from an earlier one)

    @property
    def title(self) -> str:
        return catalogue().kind(self.document.kind).title.get(self.document.language)

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "receipt_id": r.id,
            "verification_code": r.verification_code,
            "person": {
                "external_id": self.person.external_id,
                "name": f"{self.person.given_name} {self.person.family_name}",
            },
            "school": self.organisation.code,
            "document": {
                "kind": self.document.kind,
                "title": self.title,
                "version": self.document.number,
                "language": self.document.language,
                "effective_from": self.document.effective_from.isoformat(),
                "sha256": r.document_sha256,
            },
            "wording": r.wording,
            "acknowledged_at": r.acknowledged_at.isoformat(),
            "method": r.method,
            "authentication": r.auth_method,
            "recorded_by": r.recorded_by,
            "record_hash": r.record_hash,
            "previous_hash": r.previous_hash,
        }


@dataclass(frozen=True)
class Request:
    """One acknowledgement to record; ``authorise`` raises when the caller may not record it (it
    is given None for a document version that does not exist: auth.scoped)."""

    person_id: int
    document_version_id: int
    method: str
    auth_method: str
    recorded_by: str
    language: str | None  # of the wording; None: the person's preferred language
    client: ClientInfo = ClientInfo()
    reason: str | None = None
    acknowledged_at: datetime | None = None
    shown_sha256: str | None = None
    authorise: Callable[[Person, DocumentVersion | None], None] | None = None
    audit: AuditNote | None = None


Outcome = Receipt | GovkitError


@dataclass
class _Facts:
    """What a batch's checks need, read with one query per table."""

    persons: dict[int, Person]
    documents: dict[int, DocumentVersion]
    organisations: dict[int, Organisation]
    populations: dict[int, set[str]]
    in_force: dict[tuple[int, str, str], Any]  # the version in force (id, number, effective_from…)
    campaigns: dict[int, int]


# The batch's statements, built once (building a statement costs more than running it here).
# They read plain rows (Core): the batch only reads them, and loading ORM objects cost more than
# the round trips. Rows become read-only model instances (``model_construct``: no validation, no
# session state), so that the checks and receipts read them as models.
_PERSON = sa.inspect(Person).local_table
_ORGANISATION = sa.inspect(Organisation).local_table
_DOCUMENT = sa.inspect(DocumentVersion).local_table
_ACKNOWLEDGEMENT = sa.inspect(Acknowledgement).local_table
_ASKED = _DOCUMENT.alias("asked")
_PERSONS = sa.select(_PERSON, _ORGANISATION).join(_ORGANISATION, _ORGANISATION.c.id == _PERSON.c.organisation_id)
_PERSONS = _PERSONS.where(_PERSON.c.id.in_(sa.bindparam("persons", expanding=True)))
_PERSON_KEYS = tuple(c.key for c in _PERSON.columns)
_ORGANISATION_KEYS = tuple(c.key for c in _ORGANISATION.columns)
_ACKNOWLEDGEMENT_KEYS = tuple(c.key for c in _ACKNOWLEDGEMENT.columns)
_POPULATIONS = sa.select(col(PersonPopulation.person_id), col(PersonPopulation.population)).where(
    col(PersonPopulation.person_id).in_(sa.bindparam("persons", expanding=True))
)
#: The versions of the kinds asked for at their schools (in force, or asked), with their campaigns:
#: what decides which version is in force. Their content is read once per process (``_documents``).
_VERSIONS = (
    sa.select(
        _DOCUMENT.c.id,
        _DOCUMENT.c.organisation_id,
        _DOCUMENT.c.kind,
        _DOCUMENT.c.language,
        _DOCUMENT.c.number,
        _DOCUMENT.c.effective_from,
        col(Campaign.id).label("campaign_id"),
        _DOCUMENT.c.sha256,
    )
    .outerjoin(Campaign, col(Campaign.document_version_id) == _DOCUMENT.c.id)
    .where(
        sa.exists().where(
            _ASKED.c.id.in_(sa.bindparam("documents", expanding=True)),
            _ASKED.c.organisation_id == _DOCUMENT.c.organisation_id,
            _ASKED.c.kind == _DOCUMENT.c.kind,
        ),
        sa.or_(
            _DOCUMENT.c.effective_from <= sa.bindparam("today", type_=sa.Date),
            _DOCUMENT.c.id.in_(sa.bindparam("documents", expanding=True)),
        ),
    )
)
_DOCUMENTS = sa.select(_DOCUMENT).where(_DOCUMENT.c.id.in_(sa.bindparam("documents", expanding=True)))
_EXISTING = sa.select(_ACKNOWLEDGEMENT).where(
    _ACKNOWLEDGEMENT.c.person_id.in_(sa.bindparam("persons", expanding=True)),
    _ACKNOWLEDGEMENT.c.document_version_id.in_(sa.bindparam("documents", expanding=True)),
)


class _Documents:
    """Published document versions by database and id: immutable once published (a trigger refuses
    changes), so each is read once per process. An entry serves only while it still matches what
    the batch read of its version (same content hash, number and place): an id given again to other
    content (a rolled-back insert on SQLite) is read again. Bounded: the oldest is forgotten first."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._found: weakref.WeakKeyDictionary[sa.Engine, dict[int, DocumentVersion]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def known(self, database: object, versions: Sequence[_Version]) -> tuple[dict[int, DocumentVersion], list[int]]:
        """The versions known for ``database`` (its engine) and still matching, and the ids to read."""
        with self._lock:
            known = self._found.setdefault(database, {})  # type: ignore[arg-type]
            found = {v.id: known[v.id] for v in versions if v.id in known and _same(known[v.id], v)}
        return found, sorted({v.id for v in versions} - found.keys())

    def keep(self, database: object, documents: Sequence[DocumentVersion]) -> dict[int, DocumentVersion]:
        """Keep versions just read for ``database``; returns them by id."""
        read = {d.id: d for d in documents}
        with self._lock:
            known = self._found.setdefault(database, {})  # type: ignore[arg-type]
            known.update(read)  # type: ignore[arg-type]
            while len(known) > self.maxsize:
                del known[next(iter(known))]
        return read  # type: ignore[return-value]


def _same(document: DocumentVersion, version: _Version) -> bool:
    return (document.sha256, document.number, document.organisation_id, document.kind, document.language) == (
        version.sha256,
        version.number,
        version.organisation_id,
        version.kind,
        version.language,
    )


_documents = _Documents()


@dataclass
class _Read:
    """What a batch reads, as plain rows."""

    persons: Sequence[Sequence[Any]]  # the person's columns, then its organisation's
    populations: Sequence[Sequence[Any]]  # person id, population
    versions: Sequence[Any]  # as _VERSIONS
    existing: Sequence[Sequence[Any]]  # acknowledgement columns


def _names(table: sa.Table, alias: str) -> str:
    return ", ".join(f"{alias}.{c.name}" for c in table.columns)


def _json_rows(columns: str, source: str) -> str:
    return f"(SELECT coalesce(json_agg(json_build_array({columns})), '[]'::json) {source})"


#: On PostgreSQL the batch's reads are one statement: four sub-queries over arrays of ids, each
#: rows as a JSON array (one round trip, one value to decode). They read what the statements above read.
_FACTS_AS_JSON = (
    "SELECT json_build_array("  # noqa: S608 - names from our metadata; values bound
    + _json_rows(
        f"{_names(_PERSON, 'p')}, {_names(_ORGANISATION, 'o')}",
        "FROM person p JOIN organisation o ON o.id = p.organisation_id WHERE p.id = ANY(%(persons)s::bigint[])",
    )
    + ", "
    + _json_rows("person_id, population", "FROM person_population WHERE person_id = ANY(%(persons)s::bigint[])")
    + ", "
    + _json_rows(
        "d.id, d.organisation_id, d.kind, d.language, d.number, d.effective_from, c.id, d.sha256",
        "FROM document_version d LEFT JOIN campaign c ON c.document_version_id = d.id"
        " WHERE EXISTS (SELECT 1 FROM document_version a WHERE a.id = ANY(%(documents)s::bigint[])"
        " AND a.organisation_id = d.organisation_id AND a.kind = d.kind)"
        " AND (d.effective_from <= %(today)s OR d.id = ANY(%(documents)s::bigint[]))",
    )
    + ", "
    + _json_rows(
        _names(_ACKNOWLEDGEMENT, "a"),
        "FROM acknowledgement a"
        " WHERE a.person_id = ANY(%(persons)s::bigint[]) AND a.document_version_id = ANY(%(documents)s::bigint[])",
    )
    + ")"
)


def _decoder(columns: Sequence[sa.Column[Any]]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Values of ``columns`` from JSON back to what govkit reads: dates, UTC timestamps."""

    def as_is(value: Any) -> Any:
        return value

    def as_date(value: str | None) -> date | None:
        return None if value is None else date.fromisoformat(value)

    def as_utc(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).astimezone(UTC)

    def convert(column: sa.Column[Any]) -> Callable[[Any], Any]:
        kind = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
        if isinstance(kind, sa.DateTime):
            return as_utc
        return as_date if isinstance(kind, sa.Date) else as_is

    converters = [convert(c) for c in columns]
    return lambda row: tuple(f(v) for f, v in zip(converters, row, strict=True))


_PERSON_ROW = _decoder([*_PERSON.columns, *_ORGANISATION.columns])
_VERSION_ROW = _decoder(list(_VERSIONS.selected_columns))  # type: ignore[arg-type]
_ACKNOWLEDGEMENT_ROW = _decoder(list(_ACKNOWLEDGEMENT.columns))


def _read(connection: sa.Connection, persons: list[int], documents: list[int], today: date) -> _Read:
    """The batch's rows: one statement on PostgreSQL, a statement each elsewhere."""
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        params = _facts_parameters(persons, documents, today)
        try:
            (found,) = driver.execute(_FACTS_AS_JSON, params).fetchone()  # type: ignore[misc]
        except psycopg.Error as exc:
            if driver.broken:  # lost: the pool must not lend it again
                connection.invalidate(exc)
            raise
        return _read_from_json(found)
    asked = {"persons": persons, "documents": documents}
    return _Read(
        connection.execute(_PERSONS, {"persons": persons}).all(),
        connection.execute(_POPULATIONS, {"persons": persons}).all(),
        connection.execute(_VERSIONS, {"documents": documents, "today": today}).all(),
        connection.execute(_EXISTING, asked).all(),
    )


def _read_from_json(found: Sequence[Any]) -> _Read:
    """``_FACTS_AS_JSON``'s value, decoded."""
    people, populations, versions, existing = found
    return _Read(
        [_PERSON_ROW(row) for row in people],
        populations,
        [_Version(*_VERSION_ROW(row)) for row in versions],
        [_ACKNOWLEDGEMENT_ROW(row) for row in existing],
    )


def _facts_parameters(persons: list[int], documents: list[int], today: date) -> dict[str, Any]:
    # integer arrays as their text: psycopg's list adapters cost more than the queries here
    return {"persons": _int_array(persons), "documents": _int_array(documents), "today": today}


def _int_array(values: list[int]) -> str:
    return "{" + ",".join(str(int(v)) for v in values) + "}"


@dataclass(frozen=True)
class _Version:
    id: int
    organisation_id: int
    kind: str
    language: str
    number: int
    effective_from: date
    campaign_id: int | None
    sha256: str


def _facts(read: _Read, documents: dict[int, DocumentVersion], today: date) -> _Facts:
    persons: dict[int, Person] = {}
    organisations: dict[int, Organisation] = {}
    width = len(_PERSON_KEYS)
    for row in read.persons:
        person = Person.model_construct(**dict(zip(_PERSON_KEYS, row[:width], strict=True)))
        persons[person.id] = person  # type: ignore[index]
        if person.organisation_id not in organisations:
            values = dict(zip(_ORGANISATION_KEYS, row[width:], strict=True))
            organisations[person.organisation_id] = Organisation.model_construct(**values)
    populations: dict[int, set[str]] = {}
    for person_id, population in read.populations:
        populations.setdefault(person_id, set()).add(population)
    in_force: dict[tuple[int, str, str], Any] = {}
    campaigns: dict[int, int] = {}
    for version in read.versions:
        if version.campaign_id is not None:
            campaigns[version.id] = version.campaign_id
        if version.effective_from <= today:
            key = (version.organisation_id, version.kind, version.language)
            if key not in in_force or in_force[key].number < version.number:
                in_force[key] = version
    return _Facts(persons, documents, organisations, populations, in_force, campaigns)


def _check(facts: _Facts, person: Person, document: DocumentVersion, today: date) -> None:
    """Why ``person`` may not acknowledge ``document`` today, if they may not."""
    spec = catalogue().kind(document.kind)
    if not spec.acknowledgement:
        raise InvalidInput(f"The {spec.title.en.lower()} is for information: it is not acknowledged.")
    if document.language != ACKNOWLEDGED_LANGUAGE:
        french = facts.in_force.get((document.organisation_id, document.kind, ACKNOWLEDGED_LANGUAGE))
        hint = f" (document version id {french.id})" if french else ""
        raise InvalidInput(
            f"The French text is the one in force: acknowledge the French version{hint}; "
            "the English text is a translation to read alongside it."
        )
    if document.organisation_id != person.organisation_id:
        raise Forbidden("This document belongs to another school.")
    if person.status != "active":
        raise InvalidInput("This person has left the school: nothing to acknowledge.")
    if document.effective_from > today:
        raise InvalidInput(f"Version {document.number} only comes into force on {document.effective_from:%Y-%m-%d}.")
    current = facts.in_force.get((document.organisation_id, document.kind, document.language))
    if current is not None and current.id != document.id:
        raise Conflict(
            f"Version {document.number} of the {spec.title.en.lower()} is no longer in force: "
            f"acknowledge version {current.number} (document version id {current.id}), "
            f"in force since {current.effective_from:%Y-%m-%d}."
        )
    if not {p.value for p in spec.populations} & facts.populations.get(person.id, set()):  # type: ignore[arg-type]
        raise InvalidInput(f"The {spec.title.en.lower()} does not concern this person's populations.")


def record_batch(connection: sa.Connection, requests: Sequence[Request], *, today: date) -> list[Outcome]:
    """Check and chain ``requests`` on ``connection``; one outcome per request, in order.

    Acknowledging twice returns the first record. Should another process record the same pair
    meanwhile, the unique constraint fails this batch and its requests are decided again one by
    one, finding that record. On PostgreSQL, in autocommit (Database.statements), the batch costs
    two round trips: the reads (one statement), then the statement that locks the chain, chains
    and inserts (chain.append); the chain's lock is held only while PostgreSQL runs that
    statement. (AsyncRecorder does the same from the event loop.)
    """
    asked = sorted({r.document_version_id for r in requests})
    read = _read(connection, sorted({r.person_id for r in requests}), asked, today)
    wanted = set(asked)
    versions = [v for v in read.versions if v.id in wanted]
    documents, missing = _documents.known(connection.engine, versions)
    if missing:
        rows = connection.execute(_DOCUMENTS, {"documents": missing})
        documents |= _documents.keep(connection.engine, [DocumentVersion.model_construct(**r._mapping) for r in rows])
    plan = _plan(read, documents, requests, today)
    if plan.rows:
        chain.append(connection, plan.rows, also=[(_AUDIT_EVENT, plan.events)])
    return plan.outcomes()


@dataclass
class _Plan:
    """What a batch decided: each request's outcome or the new record (a row) that answers it."""

    decided: list[Outcome | tuple[dict[str, Any], Person, Organisation, DocumentVersion]]
    rows: list[dict[str, Any]]  # new acknowledgements, to chain
    events: list[dict[str, Any]]  # their audit events

    def outcomes(self) -> list[Outcome]:
        """Once the rows are chained: one outcome per request (a fresh receipt for the first
        request of a new record, the same record for its repeats)."""
        records = {id(row): Acknowledgement.model_construct(**row) for row in self.rows}
        outcomes: list[Outcome] = []
        given: set[int] = set()
        for item in self.decided:
            if isinstance(item, tuple):
                row, person, organisation, document = item
                outcomes.append(Receipt(records[id(row)], person, organisation, document, fresh=id(row) not in given))
                given.add(id(row))
            else:
                outcomes.append(item)
        return outcomes


def _plan(read: _Read, documents: dict[int, DocumentVersion], requests: Sequence[Request], today: date) -> _Plan:
    """Decide each request as if alone, in order (pure)."""
    facts = _facts(read, documents, today)
    existing: dict[tuple[int, int], Acknowledgement | dict[str, Any]] = {}
    for values in read.existing:
        record = Acknowledgement.model_construct(**dict(zip(_ACKNOWLEDGEMENT_KEYS, values, strict=True)))
        existing[(record.person_id, record.document_version_id)] = record
    plan = _Plan([], [], [])
    now = utcnow()
    for request in requests:
        try:
            person = facts.persons.get(request.person_id)
            if person is None:
                raise NotFound(f"No person {request.person_id}.")
            document = facts.documents.get(request.document_version_id)
            if request.authorise is not None:
                request.authorise(person, document)
            if document is None:
                raise NotFound(f"No document version {request.document_version_id}.")
            organisation = facts.organisations[person.organisation_id]
            found = existing.get((person.id, document.id))  # type: ignore[arg-type]
            if found is not None:  # acknowledging twice returns the first record
                if isinstance(found, dict):  # recorded earlier in this batch
                    plan.decided.append((found, person, organisation, document))
                else:
                    plan.decided.append(Receipt(found, person, organisation, document))
                continue
            _check(facts, person, document, today)
            if request.shown_sha256 is not None and request.shown_sha256 != document.sha256:
                raise Conflict("The document you read is not the version in force: reload it and read it again.")
        except GovkitError as exc:
            plan.decided.append(exc)
            continue
        row = _new_record(request, person, organisation, document, facts.campaigns.get(document.id), now)  # type: ignore[arg-type]
        plan.rows.append(row)
        existing[(person.id, document.id)] = row  # type: ignore[index]
        plan.decided.append((row, person, organisation, document))
        if request.audit is not None:
            plan.events.append(_audit_row(request.audit, now))
    return plan


_AUDIT_EVENT = sa.inspect(AuditEvent).local_table
_CLIENT_IP = _ACKNOWLEDGEMENT.c.client_ip.type.length  # type: ignore[attr-defined]
_USER_AGENT = _ACKNOWLEDGEMENT.c.user_agent.type.length  # type: ignore[attr-defined]


def _new_record(
    request: Request,
    person: Person,
    organisation: Organisation,
    document: DocumentVersion,
    campaign_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """The values of a new acknowledgement, every column but its place in the chain (chain.assign)."""
    language = request.language or person.preferred_language
    text = compose_wording(
        language=language,
        given_name=person.given_name,
        family_name=person.family_name,
        title=catalogue().kind(document.kind).title.get(language),
        school=organisation.name,
        version=document.number,
        effective_from=document.effective_from,
        sha256=document.sha256,
    )
    code = new_code()
    client = request.client
    return {
        "id": None,
        "person_id": person.id,
        "organisation_id": person.organisation_id,
        "document_version_id": document.id,
        "campaign_id": campaign_id,
        "method": request.method,
        "document_sha256": document.sha256,
        "wording": text,
        "wording_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "acknowledged_at": (request.acknowledged_at or now).astimezone(UTC),  # as read back, and hashed
        "auth_method": request.auth_method,
        "recorded_by": request.recorded_by,
        "reason": request.reason,
        "carried_from_id": None,
        "client_ip": (client.ip or None) and client.ip[:_CLIENT_IP],
        "user_agent": (client.user_agent or None) and client.user_agent[:_USER_AGENT],
        "client_sha256": chain.client_digest(client.ip, client.user_agent, code),
        "verification_code": code,
        "previous_hash": "",
        "record_hash": "",
    }


def _audit_row(note: AuditNote, now: datetime) -> dict[str, Any]:
    """The audit event of a recorded request, as a row of ``audit_event``."""
    actor = note.actor
    return {
        "at": now,
        "correlation_id": note.correlation_id,
        "subject": actor.subject,
        "role": actor.role.value if actor.role else None,
        "organisation": actor.organisation_code,
        "action": note.action,
        "target": note.target,
        "outcome": "ok",
        "detail": None,
        "client_ip": note.client_ip,
    }


@dataclass(eq=False)
class _Ticket:
    request: Request
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    outcome: Outcome | None = None
    error: BaseException | None = None


class GroupCommit:
    """Where concurrent calls of one process meet to share a transaction (see the module's doc)."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Ticket] = []
        self._writing = False
        self.batches = 0  # written so far, for the benchmarks and tests
        self.records = 0

    def submit(self, request: Request) -> Receipt:
        """Record one request (with whatever else is waiting); raise its refusal."""
        (outcome,) = self.submit_many([request])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def submit_many(self, requests: Sequence[Request]) -> list[Receipt | BaseException]:
        """Record ``requests`` (with whatever else is waiting); one outcome each, in order: the
        receipt, the refusal (GovkitError), or the unexpected error of that request alone."""
        tickets = [_Ticket(request) for request in requests]
        with self._lock:
            self._waiting.extend(tickets)
            if not self._writing and tickets:
                self._writing = tickets[0].lead = True
        for ticket in tickets:
            if not ticket.lead:
                ticket.done.wait()
            while ticket.lead and ticket.outcome is None and ticket.error is None:
                ticket.lead = False
                self._lead()
        return [ticket.error or ticket.outcome for ticket in tickets]  # type: ignore[misc]

    def _lead(self) -> None:
        """Write one batch, then hand over to the first caller that arrived meanwhile."""
        with self._lock:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        try:
            self._write(batch)
        finally:
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                if successor is None:
                    self._writing = False
                else:
                    successor.lead = True
            for ticket in batch:
                if ticket.outcome is None and ticket.error is None:  # the writer was interrupted
                    ticket.error = RuntimeError("The acknowledgement was not recorded: try again.")
                ticket.done.set()
            if successor is not None:
                successor.done.set()

    def _write(self, batch: list[_Ticket]) -> None:
        today = date.today()
        try:
            # a lost connection: the batch again, on a new one (it finds what a lost commit recorded)
            outcomes = retry_idempotent_on_disconnect(self._record, [t.request for t in batch], today)
            with self._lock:
                self.batches += 1
                self.records += sum(isinstance(o, Receipt) and o.fresh for o in outcomes)
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            for ticket in batch:  # one request's unexpected failure must not fail the others
                self._write([ticket])
            return
        for ticket, outcome in zip(batch, outcomes, strict=True):
            ticket.outcome = outcome

    def _record(self, requests: list[Request], today: date) -> list[Outcome]:
        with self.db.statements() as connection:
            return record_batch(connection, requests, today=today)


_writers: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def group_commit(db: Database) -> GroupCommit:
    """The process's group commit for ``db``."""
    with _writers_lock:
        writer = _writers.get(db)
        if writer is None:
            writer = _writers[db] = GroupCommit(db)
        return writer


_DOCUMENT_KEYS = tuple(c.key for c in _DOCUMENT.columns)
_DOCUMENTS_FOR_DRIVER = (
    f"SELECT {_names(_DOCUMENT, 'd')} FROM document_version d WHERE d.id = ANY(%(documents)s::bigint[])"  # noqa: S608
)


class AsyncRecorder:
    """Batches recorded from the event loop, on PostgreSQL: a connection of its own in autocommit,
    the same two statements as ``record_batch`` (reads, then chain.append's), no thread.

    A batch run in a worker thread waits for the event loop to let go of the interpreter after
    each round trip; at the rentrée that waiting was most of a batch's time. Here the batch's
    Python runs on the loop between its two awaits. One batch at a time (the Batcher that calls
    ``record`` sees to it); batches of other processes meet at the chain's lock in PostgreSQL.
    """

    def __init__(self, database: sa.Engine) -> None:
        self.database = database  # the documents' cache key, and where to connect
        self.conninfo = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection | None = None
        self.batches = 0
        self.records = 0

    async def record(self, requests: Sequence[Request]) -> list[Outcome | BaseException]:
        """One outcome per request, in order; an unexpected error fails only its own request."""
        try:
            # a lost connection: the batch again, on a new one (it finds what a lost commit recorded)
            outcomes: list[Outcome | BaseException] = list(await retry_on_disconnect_async(self._batch, requests))
        except Exception as exc:
            await self._forget_if_broken()
            if len(requests) == 1:
                return [exc]
            outcomes = []
            for request in requests:  # one request's unexpected failure must not fail the others
                outcomes += await self.record([request])
        return outcomes

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def _batch(self, requests: Sequence[Request]) -> list[Outcome]:
        connection = await self._connect()
        today = date.today()
        asked = sorted({r.document_version_id for r in requests})
        params = _facts_parameters(sorted({r.person_id for r in requests}), asked, today)
        cursor = await connection.execute(_FACTS_AS_JSON, params)
        (found,) = await cursor.fetchone()  # type: ignore[misc]
        read = _read_from_json(found)
        wanted = set(asked)
        documents, missing = _documents.known(self.database, [v for v in read.versions if v.id in wanted])
        if missing:
            cursor = await connection.execute(_DOCUMENTS_FOR_DRIVER, {"documents": _int_array(missing)})
            read_now = [DocumentVersion.model_construct(**_driver_values(row)) for row in await cursor.fetchall()]
            documents |= _documents.keep(self.database, read_now)
        plan = _plan(read, documents, requests, today)
        if plan.rows:
            statement, values = chain.append_for_driver(plan.rows, also=[(_AUDIT_EVENT, plan.events)])
            cursor = await connection.execute(statement, values)  # type: ignore[arg-type]
            chain.chained(plan.rows, await cursor.fetchall())
        self.batches += 1
        self.records += len(plan.rows)
        return plan.outcomes()

    async def _connect(self) -> psycopg.AsyncConnection:
        if self._connection is not None and closed_by_the_server(self._connection):
            await self.close()  # lost while idle (PostgreSQL restarted, failed over, or ended it)
        if self._connection is None:
            self._connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        return self._connection

    async def _forget_if_broken(self) -> None:
        if self._connection is not None and self._connection.broken:
            await self.close()


def _driver_values(row: Sequence[Any]) -> dict[str, Any]:
    """A document version's row from psycopg as govkit reads it (timestamps in UTC)."""
    return {
        key: value.astimezone(UTC) if isinstance(value, datetime) else value
        for key, value in zip(_DOCUMENT_KEYS, row, strict=True)
    }
