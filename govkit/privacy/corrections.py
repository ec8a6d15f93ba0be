"""Correction requests (GDPR art. 16, rectification): a member asks the administration of their
school to correct something govkit holds about them; the administration of that school decides
once — done, with a note of what was corrected, or refused, with the reason — and the person is
told. Legal staff read every school's requests.

Each change writes its audit event (persons named by id) in its own transaction, with the row.
Who is told by e-mail is not this package's business: the caller passes ``tell``, run in the same
transaction once the row is written (govkit.flows.corrections queues the notices), so that a
request is never left without its message nor a message without its request.

This package imports no domain package (the domains' models import its declarations): the person
and the school are read here through their tables' names only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access import audit
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal, Role
from govkit.access.scoped import authorize_some, given_id, unknown
from govkit.db import Database, stored_id, utcnow
from govkit.errors import Conflict, Forbidden, InvalidInput, NotFound
from govkit.privacy import reads
from govkit.privacy.correction_models import STATUSES, CorrectionRequest
from govkit.privacy.exposure import PERSONAL_FIELDS

__all__ = [
    "CORRECTABLE",
    "MAX_FIELD",
    "MAX_NOTE",
    "MAX_TEXT",
    "Requested",
    "Tell",
    "Telling",
    "decide_correction",
    "my_requests",
    "request_correction",
    "requests_of_person",
    "school_requests",
]

#: The sections of one's data a correction may concern (the own-data export's sections,
#: govkit.flows.data_protection.SECTIONS, and ``other``).
CORRECTABLE = (
    "identity_and_contact",
    "school_and_populations",
    "acknowledgements",
    "notices",
    "sign_in_links",
    "role_grants",
    "other",
)
MAX_FIELD = 100
MAX_TEXT = 2000
MAX_NOTE = 2000
#: A refusal says why, in this many characters at least.
MIN_REASON = 5

#: What the caller does in the transaction once the request is written or decided (queue e-mails).
Tell = Callable[[Session, CorrectionRequest], None]


@dataclass(frozen=True)
class Telling:
    """What is told, in the transaction, when a request is made and when it is decided."""

    requested: Tell
    decided: Tell


_person = sa.table(
    "person",
    sa.column("id"),
    sa.column("external_id"),
    sa.column("given_name"),
    sa.column("family_name"),
    sa.column("email"),
)
_organisation = sa.table("organisation", sa.column("id"), sa.column("code"))


@dataclass(frozen=True)
class Requested:
    """A request as its school's administration sees it: who asked (by name, to correct it)."""

    request: CorrectionRequest
    school: str
    external_id: str
    given_name: str
    family_name: str
    email: str


def _text(value: str, *, what: str, key: str, most: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"The {what} is empty.", key=f"correction_{key}_empty")
    if len(text) > most:
        raise InvalidInput(
            f"The {what} is too long: {most} characters at most.",
            key=f"correction_{key}_too_long",
            params={"most": most},
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise InvalidInput(f"The {what} holds control characters.", key="correction_control")
    return text


def _audit(
    session: Session, actor: Principal, action: str, correlation_id: str, client_ip: str | None, **target: Any
) -> None:
    audit.add(session, actor=actor, action=action, correlation_id=correlation_id, target=target, client_ip=client_ip)


def request_correction(
    *,
    db: Database,
    actor: Principal,
    section: str,
    field: str,
    text: str,
    tell: Tell | None = None,
    action: str = "privacy.request_correction",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> CorrectionRequest:
    """The signed-in member asks for the correction of their own data: ``section`` (one of
    CORRECTABLE), ``field`` (which data) and ``text`` (what it should say). Open until decided."""
    authorize_some(actor, Action.REQUEST_CORRECTION)
    if actor.role is not Role.MEMBER or actor.person_id is None or actor.organisation_id is None:
        raise Forbidden(
            "Members ask for the correction of their own data, signed in as themselves.", key="members_only"
        )
    authorize(actor, Action.REQUEST_CORRECTION, organisation_id=actor.organisation_id)
    if section not in CORRECTABLE:
        raise InvalidInput(
            f"Unknown section {section[:40]!r}: one of {', '.join(CORRECTABLE)}.",
            key="correction_section",
            params={"sections": ", ".join(CORRECTABLE)},
        )
    named = _text(field, what="field", key="field", most=MAX_FIELD)
    wanted = _text(text, what="requested text", key="text", most=MAX_TEXT)
    with db.transaction() as session:
        row = CorrectionRequest(
            person_id=actor.person_id,
            organisation_id=actor.organisation_id,
            section=section,
            field=named,
            requested_text=wanted,
        )
        session.add(row)
        session.flush()
        _audit(session, actor, action, correlation_id, client_ip, person=actor.person_id, request=stored_id(row))
        if tell is not None:
            tell(session, row)
        return row


def _open_request(session: Session, actor: Principal, request_id: int | str) -> CorrectionRequest:
    row = session.get(CorrectionRequest, given_id(actor, Action.DECIDE_CORRECTION, request_id, "correction request"))
    if row is None:
        unknown(
            actor,
            Action.DECIDE_CORRECTION,
            NotFound(f"No correction request {request_id}.", key="no_correction_request", params={"id": request_id}),
        )
    authorize(actor, Action.DECIDE_CORRECTION, organisation_id=row.organisation_id)
    if row.status != "open":
        raise Conflict(
            f"Correction request {row.id} was already decided ({row.status}).",
            key="correction_decided",
            params={"id": row.id, "status": row.status},
        )
    return row


def decide_correction(
    *,
    db: Database,
    actor: Principal,
    request_id: int | str,
    done: bool | None,
    note: str = "",
    tell: Tell | None = None,
    action: str = "privacy.decide_correction",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> CorrectionRequest:
    """The administration of the request's school decides it, once: done (``note``: what was
    corrected, optional) or refused (``note``: the reason, required); None: neither (refused input)."""
    authorize_some(actor, Action.DECIDE_CORRECTION)
    said = (note or "").strip()
    with db.transaction() as session:
        row = _open_request(session, actor, request_id)
        if done is None:
            raise InvalidInput("Say whether the correction is done or refused.", key="correction_decision")
        if not done and len(said) < MIN_REASON:
            raise InvalidInput(
                f"Say why the correction is refused (a reason of {MIN_REASON} characters or more).",
                key="correction_reason_needed",
                params={"least": MIN_REASON},
            )
        if said:
            said = _text(said, what="note", key="note", most=MAX_NOTE)
        row.status = "done" if done else "refused"
        row.decided_at = utcnow()
        row.decided_by = actor.label
        row.note = said or None
        session.add(row)
        session.flush()
        _audit(
            session,
            actor,
            action,
            correlation_id,
            client_ip,
            person=row.person_id,
            request=stored_id(row),
            decision=row.status,
        )
        if tell is not None:
            tell(session, row)
        return row


def my_requests(*, db: Database, actor: Principal) -> list[CorrectionRequest]:
    """The signed-in member's requests, newest first."""
    authorize_some(actor, Action.READ_OWN_DATA)
    if actor.role is not Role.MEMBER or actor.person_id is None:
        raise Forbidden("Members read their own correction requests.", key="members_only")
    authorize(actor, Action.READ_OWN_DATA, organisation_id=actor.organisation_id)
    with db.reading() as session:
        return requests_of_person(session, actor.person_id)


def requests_of_person(session: Session, person_id: int) -> list[CorrectionRequest]:
    """A person's requests, newest first (the caller has authorised the read)."""
    query = (
        select(CorrectionRequest)
        .where(CorrectionRequest.person_id == person_id)
        .order_by(col(CorrectionRequest.id).desc())
    )
    return list(session.exec(query).all())


def school_requests(
    *,
    db: Database,
    actor: Principal,
    status: str | None = "open",
    channel: str = "graphql",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> list[Requested]:
    """The requests of the caller's school (its administration), or of every school (legal staff),
    of ``status`` (None: all), oldest first, with who asked. The read names persons: audited."""
    authorize_some(actor, Action.READ_CORRECTIONS)
    if status is not None and status not in STATUSES:
        raise InvalidInput(
            f"Unknown status {status[:20]!r}: one of {', '.join(STATUSES)}.",
            key="correction_status",
            params={"statuses": ", ".join(STATUSES)},
        )
    query = (
        sa.select(
            CorrectionRequest,
            _organisation.c.code,
            _person.c.external_id,
            _person.c.given_name,
            _person.c.family_name,
            _person.c.email,
        )
        .join(_person, _person.c.id == col(CorrectionRequest.person_id))
        .join(_organisation, _organisation.c.id == col(CorrectionRequest.organisation_id))
        .order_by(col(CorrectionRequest.id))
    )
    if actor.role is not Role.LEGAL:  # scoped: the caller's own school only
        authorize(actor, Action.READ_CORRECTIONS, organisation_id=actor.organisation_id)
        query = query.where(col(CorrectionRequest.organisation_id) == actor.organisation_id)
    if status is not None:
        query = query.where(col(CorrectionRequest.status) == status)
    with db.transaction() as session:
        rows = session.execute(query).all()
        found = [Requested(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
        # staff read persons' personal data: the read log and the audit log, persons by id
        reads.record_reads(
            session,
            reader=actor,
            person_ids=(f.request.person_id for f in found),
            channel=channel,
            fields=PERSONAL_FIELDS["CorrectionRequester"],
            correlation_id=correlation_id,
            client_ip=client_ip,
        )
        return found
