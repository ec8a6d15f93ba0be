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
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlmodel import Session, col, select

from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import ACKNOWLEDGED_LANGUAGE, new_code
from govkit.acknowledgements.models import Acknowledgement, Campaign, Person, PersonPopulation
from govkit.acknowledgements.wording import wording as compose_wording
from govkit.auth.audit import AuditEvent
from govkit.auth.roles import Principal
from govkit.db import Database, utcnow
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
    """One acknowledgement to record; ``authorise`` raises when the caller may not record it."""

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
    authorise: Callable[[Person, DocumentVersion], None] | None = None
    audit: AuditNote | None = None


Outcome = Receipt | GovkitError


@dataclass
class _Facts:
    """What a batch's checks need, read with one query per table."""

    persons: dict[int, Person]
    documents: dict[int, DocumentVersion]
    organisations: dict[int, Organisation]
    populations: dict[int, set[str]]
    in_force: dict[tuple[int, str, str], DocumentVersion]
    campaigns: dict[int, int]


# The batch's statements, built once (building a statement costs more than running it here).
_ASKED = sa.orm.aliased(DocumentVersion, name="asked")
_PERSONS = (
    select(Person, Organisation)
    .join(Organisation, col(Organisation.id) == col(Person.organisation_id))
    .where(col(Person.id).in_(sa.bindparam("persons", expanding=True)))
)
_POPULATIONS = select(PersonPopulation.person_id, PersonPopulation.population).where(
    col(PersonPopulation.person_id).in_(sa.bindparam("persons", expanding=True))
)
#: The documents asked for, and the versions in force of their kinds at their schools, with campaigns.
_VERSIONS = (
    select(DocumentVersion, Campaign.id)
    .outerjoin(Campaign, col(Campaign.document_version_id) == col(DocumentVersion.id))
    .where(
        sa.exists().where(
            col(_ASKED.id).in_(sa.bindparam("documents", expanding=True)),
            _ASKED.organisation_id == DocumentVersion.organisation_id,
            _ASKED.kind == DocumentVersion.kind,
        ),
        sa.or_(
            col(DocumentVersion.effective_from) <= sa.bindparam("today", type_=sa.Date),
            col(DocumentVersion.id).in_(sa.bindparam("documents", expanding=True)),
        ),
    )
)
_EXISTING = select(Acknowledgement).where(
    col(Acknowledgement.person_id).in_(sa.bindparam("persons", expanding=True)),
    col(Acknowledgement.document_version_id).in_(sa.bindparam("documents", expanding=True)),
)


def _facts(session: Session, requests: Sequence[Request], today: date) -> _Facts:
    person_ids = sorted({r.person_id for r in requests})
    document_ids = {r.document_version_id for r in requests}
    persons: dict[int, Person] = {}
    organisations: dict[int, Organisation] = {}
    for person, organisation in session.exec(_PERSONS, params={"persons": person_ids}):
        persons[person.id] = person  # type: ignore[index]
        organisations[organisation.id] = organisation  # type: ignore[index]
    populations: dict[int, set[str]] = {}
    for person_id, population in session.exec(_POPULATIONS, params={"persons": person_ids}):
        populations.setdefault(person_id, set()).add(population)
    documents: dict[int, DocumentVersion] = {}
    in_force: dict[tuple[int, str, str], DocumentVersion] = {}
    campaigns: dict[int, int] = {}
    for version, campaign_id in session.exec(_VERSIONS, params={"documents": sorted(document_ids), "today": today}):
        if version.id in document_ids:
            documents[version.id] = version  # type: ignore[index]
        if campaign_id is not None:
            campaigns[version.id] = campaign_id  # type: ignore[index]
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


def record_batch(session: Session, requests: Sequence[Request], *, today: date) -> list[Outcome]:
    """Check and chain ``requests`` in the caller's transaction; one outcome per request, in order.

    Acknowledging twice returns the first record. Batches of one process never overlap (see
    GroupCommit); should another process record the same pair meanwhile, the unique constraint
    fails this batch and its requests are decided again one by one, finding that record.
    The chain lock is taken last, for three round trips: the lock, the insert, the commit.
    """
    facts = _facts(session, requests, today)
    asked = {"persons": sorted({r.person_id for r in requests}), "documents": sorted(facts.documents)}
    existing = {(a.person_id, a.document_version_id): a for a in session.exec(_EXISTING, params=asked)}
    outcomes: list[Outcome] = []
    records: list[Acknowledgement] = []
    events: list[AuditEvent] = []
    for request in requests:
        try:
            person = facts.persons.get(request.person_id)
            if person is None:
                raise NotFound(f"No person {request.person_id}.")
            document = facts.documents.get(request.document_version_id)
            if document is None:
                raise NotFound(f"No document version {request.document_version_id}.")
            if request.authorise is not None:
                request.authorise(person, document)
            organisation = facts.organisations[person.organisation_id]
            found = existing.get((person.id, document.id))  # type: ignore[arg-type]
            if found is not None:  # acknowledging twice returns the first record
                outcomes.append(Receipt(found, person, organisation, document))
                continue
            _check(facts, person, document, today)
            if request.shown_sha256 is not None and request.shown_sha256 != document.sha256:
                raise Conflict("The document you read is not the version in force: reload it and read it again.")
        except GovkitError as exc:
            outcomes.append(exc)
            continue
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
        record = Acknowledgement(
            person_id=person.id,  # type: ignore[arg-type]
            organisation_id=person.organisation_id,
            document_version_id=document.id,  # type: ignore[arg-type]
            campaign_id=facts.campaigns.get(document.id),  # type: ignore[arg-type]
            method=request.method,
            document_sha256=document.sha256,
            wording=text,
            wording_sha256=hashlib.sha256(text.encode()).hexdigest(),
            acknowledged_at=request.acknowledged_at or utcnow(),
            auth_method=request.auth_method,
            recorded_by=request.recorded_by,
            reason=request.reason,
            client_ip=(client.ip or None) and client.ip[:64],
            user_agent=(client.user_agent or None) and client.user_agent[:512],
            client_sha256=chain.client_digest(client.ip, client.user_agent, code),
            verification_code=code,
            previous_hash="",
            record_hash="",
        )
        records.append(record)
        existing[(person.id, document.id)] = record  # type: ignore[index]
        outcomes.append(Receipt(record, person, organisation, document, fresh=True))
        if request.audit is not None:
            note = request.audit
            events.append(
                AuditEvent(
                    correlation_id=note.correlation_id,
                    subject=note.actor.subject,
                    role=note.actor.role.value if note.actor.role else None,
                    organisation=note.actor.organisation_code,
                    action=note.action,
                    target=note.target,
                    outcome="ok",
                    client_ip=note.client_ip,
                )
            )
    if records:
        head = chain.lock(session)
        chain.assign(head, records)
        audit_rows = [e.model_dump(exclude={"id"}) for e in events]
        chain.write(session, head, records, also=[(AuditEvent.__table__, audit_rows)])  # type: ignore[attr-defined]
    return outcomes


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
        ticket = _Ticket(request)
        with self._lock:
            self._waiting.append(ticket)
            if not self._writing:
                self._writing = ticket.lead = True
        if not ticket.lead:
            ticket.done.wait()
        if ticket.lead and ticket.outcome is None and ticket.error is None:
            self._lead()
        if ticket.error is not None:
            raise ticket.error
        assert ticket.outcome is not None
        if isinstance(ticket.outcome, GovkitError):
            raise ticket.outcome
        return ticket.outcome

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
            with self.db.transaction() as session:
                outcomes = record_batch(session, [t.request for t in batch], today=today)
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


_writers: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def group_commit(db: Database) -> GroupCommit:
    """The process's group commit for ``db``."""
    with _writers_lock:
        writer = _writers.get(db)
        if writer is None:
            writer = _writers[db] = GroupCommit(db)
        return writer
