"""What a batch of acknowledgement requests decides, from what the batch read (pure: no I/O).

``plan`` decides each request as if it were alone, in order: its refusal, the record an earlier
call (or an earlier request of the batch) made, or the row of a new record. The writer then
chains the new rows (govkit.acknowledgements.chain) and ``Plan.outcomes`` answers each request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import ACKNOWLEDGED_LANGUAGE, new_code
from govkit.acknowledgements.models import Acknowledgement, Person
from govkit.acknowledgements.receipts import AuditNote, Outcome, Receipt, Request
from govkit.acknowledgements.wording import wording as compose_wording
from govkit.db import stored_id, table_of
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import Conflict, Forbidden, GovkitError, InvalidInput, NotFound
from govkit.organisations.models import Organisation


@dataclass(frozen=True)
class Version:
    """A version of a kind asked for, at its school: what decides which version is in force."""

    id: int
    organisation_id: int
    kind: str
    language: str
    number: int
    effective_from: date
    campaign_id: int | None
    sha256: str


@dataclass(frozen=True)
class Delivery:
    """A version delivered to a person (a row of ``document_delivery``), as the batch read it."""

    person_id: int
    document_version_id: int
    channel: str
    delivered_at: datetime


@dataclass
class Read:
    """What a batch reads (govkit.acknowledgements.batch_read), as read-only model instances."""

    persons: Sequence[tuple[Person, Organisation]]  # each person asked for, with their school
    populations: Sequence[Sequence[Any]]  # (person id, population)
    versions: Sequence[Version]  # the versions of the kinds asked for at their schools (in force, or asked)
    existing: Sequence[Acknowledgement]  # the records of the pairs asked for, made earlier
    deliveries: Sequence[Delivery] = ()  # the deliveries of the pairs asked for


@dataclass
class Facts:
    """What a batch's checks need, by key."""

    persons: dict[int, Person]
    documents: dict[int, DocumentVersion]
    organisations: dict[int, Organisation]
    populations: dict[int, set[str]]
    in_force: dict[tuple[int, str, str], Version]  # by (school, kind, language)
    campaigns: dict[int, int]  # by document version
    deliveries: dict[tuple[int, int], list[Delivery]]  # by (person, document version)


def facts(read: Read, documents: dict[int, DocumentVersion], today: date) -> Facts:
    persons: dict[int, Person] = {}
    organisations: dict[int, Organisation] = {}
    for person, organisation in read.persons:
        persons[stored_id(person)] = person
        organisations.setdefault(person.organisation_id, organisation)
    populations: dict[int, set[str]] = {}
    for person_id, population in read.populations:
        populations.setdefault(person_id, set()).add(population)
    in_force: dict[tuple[int, str, str], Version] = {}
    campaigns: dict[int, int] = {}
    for version in read.versions:
        if version.campaign_id is not None:
            campaigns[version.id] = version.campaign_id
        if version.effective_from <= today:
            key = (version.organisation_id, version.kind, version.language)
            if key not in in_force or in_force[key].number < version.number:
                in_force[key] = version
    deliveries: dict[tuple[int, int], list[Delivery]] = {}
    for delivery in read.deliveries:
        deliveries.setdefault((delivery.person_id, delivery.document_version_id), []).append(delivery)
    return Facts(persons, documents, organisations, populations, in_force, campaigns, deliveries)


def check(facts: Facts, person: Person, document: DocumentVersion, today: date) -> None:
    """Why ``person`` may not acknowledge ``document`` today, if they may not."""
    spec = catalogue().kind(document.kind)
    if not spec.acknowledgement:
        raise InvalidInput(
            f"The {spec.title.en.lower()} is for information: it is not acknowledged.",
            key="not_acknowledged_kind",
            params={"kind": document.kind},
        )
    if document.language != ACKNOWLEDGED_LANGUAGE:
        french = facts.in_force.get((document.organisation_id, document.kind, ACKNOWLEDGED_LANGUAGE))
        hint = f" (document version id {french.id})" if french else ""
        raise InvalidInput(
            f"The French text is the one in force: acknowledge the French version{hint}; "
            "the English text is a translation to read alongside it.",
            key="acknowledge_french",
        )
    if document.organisation_id != person.organisation_id:
        raise Forbidden("This document belongs to another school.", key="other_school_document")
    if person.status != "active":
        raise InvalidInput("This person has left the school: nothing to acknowledge.", key="person_left")
    if document.effective_from > today:
        raise InvalidInput(
            f"Version {document.number} only comes into force on {document.effective_from:%Y-%m-%d}.",
            key="not_in_force_yet",
            params={"version": document.number, "day": document.effective_from},
        )
    current = facts.in_force.get((document.organisation_id, document.kind, document.language))
    if current is not None and current.id != document.id:
        raise Conflict(
            f"Version {document.number} of the {spec.title.en.lower()} is no longer in force: "
            f"acknowledge version {current.number} (document version id {current.id}), "
            f"in force since {current.effective_from:%Y-%m-%d}.",
            key="no_longer_in_force",
            params={"kind": document.kind, "version": document.number, "current": current.number},
        )
    if not {p.value for p in spec.populations} & facts.populations.get(stored_id(person), set()):
        raise InvalidInput(
            f"The {spec.title.en.lower()} does not concern this person's populations.",
            key="not_concerned",
            params={"kind": document.kind},
        )


#: A new record's row, with what its receipt shows.
Decided = tuple[dict[str, Any], Person, Organisation, DocumentVersion]


@dataclass
class Plan:
    """What a batch decided: each request's outcome or the new record (a row) that answers it."""

    decided: list[Outcome | Decided]
    rows: list[dict[str, Any]]  # new acknowledgements, to chain
    events: list[dict[str, Any]]  # their audit events
    deliveries: list[dict[str, Any]] = field(default_factory=list)  # intranets' displays, to insert

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


def plan(
    read: Read, documents: dict[int, DocumentVersion], requests: Sequence[Request], today: date, now: datetime
) -> Plan:
    """Decide each request as if alone, in order."""
    known = facts(read, documents, today)
    existing: dict[tuple[int, int], Acknowledgement | dict[str, Any]] = {
        (record.person_id, record.document_version_id): record for record in read.existing
    }
    decided = Plan([], [], [])
    for request in requests:
        try:
            person = known.persons.get(request.person_id)
            if person is None:
                raise NotFound(f"No person {request.person_id}.")
            document = known.documents.get(request.document_version_id)
            if request.authorise is not None:
                request.authorise(person, document)
            if document is None:
                raise NotFound(
                    f"No document version {request.document_version_id}.",
                    key="no_document_version",
                    params={"id": request.document_version_id},
                )
            organisation = known.organisations[person.organisation_id]
            person_id, document_id = stored_id(person), stored_id(document)
            found = existing.get((person_id, document_id))
            if found is not None:  # acknowledging twice returns the first record
                if isinstance(found, dict):  # recorded earlier in this batch
                    decided.decided.append((found, person, organisation, document))
                else:
                    decided.decided.append(Receipt(found, person, organisation, document))
                continue
            check(known, person, document, today)
            if request.shown_sha256 is not None and request.shown_sha256 != document.sha256:
                raise Conflict(
                    "The document you read is not the version in force: reload it and read it again.",
                    key="stale_document",
                )
            seen, delivery = (
                shown(known, request, person_id, document, now) if request.method == "electronic" else (None, None)
            )
        except GovkitError as exc:
            decided.decided.append(exc)
            continue
        row = new_record(request, person, organisation, document, known.campaigns.get(document_id), now, seen)
        if delivery is not None:
            decided.deliveries.append(delivery)
        decided.rows.append(row)
        existing[(person_id, document_id)] = row
        decided.decided.append((row, person, organisation, document))
        if request.audit is not None:
            decided.events.append(audit_row(request.audit, now))
    return decided


#: When and how a version was delivered to a person: (UTC time, channel).
Shown = tuple[datetime, str]


def shown(
    known: Facts, request: Request, person_id: int, document: DocumentVersion, now: datetime
) -> tuple[Shown, dict[str, Any] | None]:
    """Proof of display, for an electronic acknowledgement: when and how the version was delivered
    to the person before they accept it (their first delivery of it), and the delivery row to insert
    with the record when an intranet says it displayed the version itself (None otherwise).

    Refused: no SHA-256 of the version shown; an intranet's display in the future or before the
    version was published; a version never delivered to the person."""
    if request.shown_sha256 is None:
        raise InvalidInput(
            "Give the SHA-256 of the version shown to the person (documentSha256): govkit records an "
            "acknowledgement only of the version it knows was shown.",
            key="shown_sha256_required",
        )
    document_id = stored_id(document)
    delivered = known.deliveries.get((person_id, document_id), [])
    display = request.display
    if display is not None:
        at = display.at.astimezone(UTC)
        if at > now:
            raise InvalidInput(
                f"displayedAt ({at:%Y-%m-%d %H:%M:%S} UTC) is in the future: give the time the intranet "
                "displayed the document.",
                key="displayed_in_future",
            )
        if at < document.published_at:
            raise InvalidInput(
                f"displayedAt ({at:%Y-%m-%d %H:%M:%S} UTC) is before version {document.number} was published "
                f"({document.published_at:%Y-%m-%d %H:%M:%S} UTC).",
                key="displayed_before_publication",
                params={"version": document.number},
            )
        earlier = next((d for d in delivered if d.channel == "intranet"), None)
        if earlier is not None:  # one row per person, version and channel: the first is kept
            return (earlier.delivered_at, earlier.channel), None
        row = {
            "person_id": person_id,
            "document_version_id": document_id,
            "sha256": document.sha256,
            "channel": "intranet",
            "displayed_by": display.by,
            "delivered_at": at,
        }
        return (at, "intranet"), row
    if not delivered:
        raise Conflict(
            f"Version {document.number} of this document was never delivered to you: open it on your page "
            "(or download it) before acknowledging it. An intranet that displays it itself says so with "
            "displayedBy and displayedAt.",
            key="not_delivered",
            params={"version": document.number},
        )
    first = min(delivered, key=lambda d: d.delivered_at)
    return (first.delivered_at, first.channel), None


def _length(column: str) -> int:
    """The length of a bounded text column of ``acknowledgement``."""
    # a String, or sqlmodel's AutoString (a TypeDecorator, which passes its String's attributes on)
    length = getattr(table_of(Acknowledgement).c[column].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"acknowledgement.{column} is not a bounded text column")
    return length


_CLIENT_IP = _length("client_ip")
_USER_AGENT = _length("user_agent")


def new_record(
    request: Request,
    person: Person,
    organisation: Organisation,
    document: DocumentVersion,
    campaign_id: int | None,
    now: datetime,
    seen: Shown | None = None,
) -> dict[str, Any]:
    """The values of a new acknowledgement, every column but its place in the chain (chain.append)."""
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
    client = request.client
    ip = (client.ip or None) and client.ip[:_CLIENT_IP]
    agent = (client.user_agent or None) and client.user_agent[:_USER_AGENT]
    return {
        "id": None,
        "person_id": person.id,
        "organisation_id": person.organisation_id,
        "document_version_id": document.id,
        "campaign_id": campaign_id,
        "method": request.method,
        "document_sha256": document.sha256,
        "wording": text,
        "acknowledged_at": (request.acknowledged_at or now).astimezone(UTC),  # as read back, and hashed
        "auth_method": request.auth_method,
        "recorded_by": request.recorded_by,
        "reason": request.reason,
        "carried_from_id": None,
        "client_ip": ip,
        "user_agent": agent,
        **chain.personal(
            wording=text, recorded_by=request.recorded_by, reason=request.reason, client_ip=ip, user_agent=agent
        ),
        "verification_code": new_code(),
        "shown_at": seen[0] if seen else None,
        "shown_via": seen[1] if seen else None,
        "previous_hash": "",
        "record_hash": "",
    }


def audit_row(note: AuditNote, now: datetime) -> dict[str, Any]:
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
