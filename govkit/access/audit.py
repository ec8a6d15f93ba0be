"""The audit log: every mutation and every refusal, append-only, read by auditors and legal staff."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.db import Database, JSONType, UTCDateTime, utcnow
from govkit.errors import InvalidInput
from govkit.personal_data import Category, not_personal, personal


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.CheckConstraint("outcome IN ('ok', 'refused', 'error')", name="outcome"),
        sa.Index("ix_audit_event_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("when the event happened")
    )
    correlation_id: str = Field(max_length=64, index=True, sa_column_kwargs=not_personal("a random request identifier"))
    subject: str = Field(max_length=200, sa_column_kwargs=personal(Category.AUDIT))
    role: str | None = Field(default=None, max_length=20, sa_column_kwargs=not_personal("the caller's role"))
    organisation: str | None = Field(
        default=None, max_length=64, sa_column_kwargs=not_personal("the caller's school code")
    )
    action: str = Field(max_length=120, sa_column_kwargs=not_personal("the action attempted"))
    target: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, sa_column_kwargs=personal(Category.AUDIT))
    outcome: str = Field(max_length=10, sa_column_kwargs=not_personal("ok, refused or error"))
    detail: str | None = Field(default=None, sa_type=sa.Text, sa_column_kwargs=personal(Category.AUDIT))
    client_ip: str | None = Field(default=None, max_length=64, sa_column_kwargs=personal(Category.CLIENT))


SECRET_ARGUMENTS = {"file", "reason", "changelog", "patch", "input"}
#: What a person writes in a correction request, and its decision's note: personal data, never in the log.
SECRET_ARGUMENTS |= {"field", "requestedText", "decisionNote"}
#: Arguments that identify a person by external id or e-mail: never kept (audit rows name persons by
#: id, which the services that act on a person record themselves; issue 20).
PERSON_ARGUMENTS = {"personExternalId", "externalId", "person", "email"}


def printable(text: str) -> str:
    """Text as stored: NUL characters (which PostgreSQL's text and JSON refuse) shown as U+FFFD."""
    return text.replace("\x00", "\ufffd")


def summarise(arguments: dict[str, Any]) -> dict[str, Any]:
    """What to keep of a mutation's arguments: identifiers, not contents."""
    kept: dict[str, Any] = {}
    for key, value in arguments.items():
        if key in SECRET_ARGUMENTS or (key in PERSON_ARGUMENTS and isinstance(value, str)):
            kept[key] = "…"
        elif isinstance(value, str):
            kept[key] = printable(value[:120])
        elif isinstance(value, int | float | bool) or value is None:
            kept[key] = value
        elif isinstance(value, list):
            kept[key] = [printable(v) if isinstance(v, str) else v for v in value if isinstance(v, str | int)][:20]
    return kept


def record(
    db: Database,
    *,
    actor: Principal,
    action: str,
    outcome: str,
    correlation_id: str,
    target: dict[str, Any] | None = None,
    detail: str | None = None,
    client_ip: str | None = None,
) -> None:
    """Append one event in its own transaction (so that a refused change still leaves its trace)."""
    with db.transaction() as session:
        add(
            session,
            actor=actor,
            action=action,
            outcome=outcome,
            correlation_id=correlation_id,
            target=target,
            detail=detail,
            client_ip=client_ip,
        )


def _values(
    actor: Principal,
    action: str,
    correlation_id: str,
    target: dict[str, Any] | None,
    outcome: str,
    detail: str | None,
    client_ip: str | None,
) -> dict[str, Any]:
    """An event's columns as stored: fields cut to their columns' lengths, NUL characters shown."""
    return {
        "correlation_id": correlation_id[:64],
        "subject": actor.subject[:200],
        "role": actor.role.value if actor.role else None,
        "organisation": actor.organisation_code,
        "action": action[:120],
        "target": target or {},
        "outcome": outcome,
        "detail": printable(detail or "")[:2000] or None,
        "client_ip": client_ip,
    }


def add(
    session: Session,
    *,
    actor: Principal,
    action: str,
    correlation_id: str,
    target: dict[str, Any] | None = None,
    outcome: str = "ok",
    detail: str | None = None,
    client_ip: str | None = None,
) -> None:
    """Append one event in the caller's transaction (it commits, or vanishes, with the change it tells)."""
    session.add(AuditEvent(**_values(actor, action, correlation_id, target, outcome, detail, client_ip)))


def add_many(
    session: Session,
    *,
    actor: Principal,
    action: str,
    correlation_id: str,
    targets: list[dict[str, Any]],
    outcome: str = "ok",
    client_ip: str | None = None,
) -> None:
    """Append one event per target in the caller's transaction, in one statement (a page of persons
    read: govkit.privacy.reads), at one moment."""
    if not targets:
        return
    at = utcnow()
    rows = [
        {"at": at, **_values(actor, action, correlation_id, target, outcome, None, client_ip)} for target in targets
    ]
    session.execute(sa.insert(AuditEvent), rows)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    has_next: bool
    end_cursor: str | None


def events(
    *,
    db: Database,
    actor: Principal,
    first: int = 50,
    after: str | None = None,
    outcome: str | None = None,
    subject: str | None = None,
) -> AuditPage:
    """Newest first, keyset-paginated."""
    authorize(actor, Action.READ_AUDIT)
    if not 1 <= first <= 500:
        raise InvalidInput("`first` is between 1 and 500.")
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc())
    if after:
        try:
            last = int(base64.urlsafe_b64decode(after.encode()).decode().removeprefix("a:"))
        except ValueError:
            raise InvalidInput(f"Invalid cursor {after!r}.") from None
        query = query.where(col(AuditEvent.id) < last)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if subject:
        query = query.where(AuditEvent.subject == subject)
    with db.reading() as session:
        rows = list(session.exec(query.limit(first + 1)).all())
    page = rows[:first]
    cursor = base64.urlsafe_b64encode(f"a:{page[-1].id}".encode()).decode() if page else None
    return AuditPage(page, len(rows) > first, cursor)
