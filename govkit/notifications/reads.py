"""The notices as their readers see them: a school's messages with their counts and SMTP answers
(its administration and legal staff), its reminder schedule (set by them; audited), the templates
(legal staff) and the local outbox (legal staff, on the dev page)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.audit import AuditEvent
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.acknowledgements.models import Person
from govkit.db import Database, stored_id
from govkit.errors import InvalidInput
from govkit.notifications.models import NoticeMessage, NoticeSchedule
from govkit.notifications.rendering import TemplateText, template_sources
from govkit.notifications.schedule import Schedule, checked_days, schedules
from govkit.notifications.vocabulary import NoticeStatus
from govkit.organisations.service import organisation_for
from govkit.privacy import reads
from govkit.privacy.exposure import Exposure, exposed_fields
from govkit.settings import Settings

MAX_FIRST = 500


@dataclass(frozen=True)
class Notice:
    message: NoticeMessage
    person_external_id: str | None


@dataclass(frozen=True)
class NoticePage:
    """One page of a school's messages (newest first), the counts by status and its schedule."""

    school: str
    counts: dict[str, int]
    schedule: Schedule
    notices: list[Notice]
    has_next: bool
    end_cursor: str | None


def encode_cursor(message_id: int) -> str:
    return base64.urlsafe_b64encode(f"n:{message_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "n":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            f"Curseur {cursor!r} invalide : reprenez l'endCursor d'une page précédente. / "
            f"Invalid cursor {cursor!r}: use the endCursor of a previous page."
        ) from None


def _status(status: str | None) -> str | None:
    if status is None:
        return None
    try:
        return NoticeStatus(status).value
    except ValueError:
        known = ", ".join(s.value for s in NoticeStatus)
        raise InvalidInput(f"Statut {status!r} inconnu ({known}). / Unknown status {status!r} ({known}).") from None


def notices(
    *,
    db: Database,
    actor: Principal,
    settings: Settings,
    school: str,
    status: str | None = None,
    first: int = 50,
    after: str | None = None,
    correlation_id: str = "-",
) -> NoticePage:
    """A school's messages, newest first (``status``: only those), keyset-paginated. The messages name
    their recipients: the page's persons are written to their read log (govkit.privacy.reads)."""
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.READ_NOTICES, school)
        wanted = _status(status)
        if not 1 <= first <= MAX_FIRST:
            raise InvalidInput(f"`first` est entre 1 et {MAX_FIRST}. / `first` is between 1 and {MAX_FIRST}.")
        organisation_id = stored_id(organisation)
        counts = dict.fromkeys((s.value for s in NoticeStatus), 0)
        for found, count in session.execute(
            select(col(NoticeMessage.status), sa.func.count())
            .where(NoticeMessage.organisation_id == organisation_id)
            .group_by(col(NoticeMessage.status))
        ).all():
            counts[found] = int(count)
        query = (
            select(NoticeMessage, col(Person.external_id))
            .outerjoin(Person, col(Person.id) == NoticeMessage.person_id)
            .where(NoticeMessage.organisation_id == organisation_id)
        )
        if wanted is not None:
            query = query.where(NoticeMessage.status == wanted)
        if after is not None:
            query = query.where(col(NoticeMessage.id) < decode_cursor(after))
        rows = session.execute(query.order_by(col(NoticeMessage.id).desc()).limit(first + 1)).all()
        plan = schedules(session, [organisation_id], settings.reminder_days)[organisation_id]
        _log(session, actor, [m for m, _ in rows[:first]], "graphql", correlation_id)
    page = [Notice(message, external_id) for message, external_id in rows[:first]]
    cursor = encode_cursor(stored_id(page[-1].message)) if page else None
    return NoticePage(organisation.code, counts, plan, page, len(rows) > first, cursor)


def failed_notices(*, db: Database, actor: Principal, school: str, first: int = 50) -> tuple[int, list[Notice]]:
    """How many of a school's messages failed, and the latest of them (the dashboard's section; their
    recipients written to their read log)."""
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.READ_NOTICES, school)
        condition = sa.and_(
            col(NoticeMessage.organisation_id) == stored_id(organisation),
            col(NoticeMessage.status) == NoticeStatus.FAILED.value,
        )
        total = session.execute(select(sa.func.count()).where(condition)).scalar_one()
        rows = session.execute(
            select(NoticeMessage, col(Person.external_id))
            .outerjoin(Person, col(Person.id) == NoticeMessage.person_id)
            .where(condition)
            .order_by(col(NoticeMessage.id).desc())
            .limit(first)
        ).all()
        _log(session, actor, [m for m, _ in rows], "page", "-")
    return int(total), [Notice(message, external_id) for message, external_id in rows]


def _log(session: Session, actor: Principal, messages: list[NoticeMessage], channel: str, correlation_id: str) -> None:
    """The persons messages name, written down as read by ``actor`` (one statement)."""
    person_ids = [m.person_id for m in messages if m.person_id is not None]
    fields = exposed_fields("Notice", Exposure.FULL)
    reads.record_reads(
        session, reader=actor, person_ids=person_ids, channel=channel, fields=fields, correlation_id=correlation_id
    )


def set_notice_schedule(
    *,
    db: Database,
    actor: Principal,
    settings: Settings,
    school: str,
    reminder_days: list[int],
    digest: bool | None = None,
    action: str = "notifications.set_schedule",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> Schedule:
    """Record a school's reminder days (and digests on or off; None: as they are) from now, with
    its audit event in the same transaction."""
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.SET_NOTICE_SCHEDULE, school)
        days = checked_days(reminder_days)
        organisation_id = stored_id(organisation)
        before = schedules(session, [organisation_id], settings.reminder_days)[organisation_id]
        row = NoticeSchedule(
            organisation_id=organisation_id,
            reminder_days=list(days),
            digest=before.digest if digest is None else digest,
            recorded_by=actor.label,
        )
        session.add(row)
        session.add(
            AuditEvent(
                correlation_id=correlation_id,
                subject=actor.subject,
                role=actor.role.value if actor.role else None,
                organisation=actor.organisation_code,
                action=action,
                target={"school": organisation.code},
                outcome="ok",
                detail=f"{list(before.reminder_days)} -> {list(days)}; digest {before.digest} -> {row.digest}",
                client_ip=client_ip,
            )
        )
        session.flush()
        return Schedule(days, row.digest, row.recorded_at, row.recorded_by)


def notice_templates(*, db: Database, actor: Principal) -> list[TemplateText]:
    """The templates of the notices, in French and English (legal staff)."""
    authorize(actor, Action.READ_NOTICE_TEMPLATES)
    return template_sources()


def outbox(*, db: Database, actor: Principal, first: int = 200) -> list[Notice]:
    """The messages kept in the local outbox (no SMTP server), newest first (legal staff)."""
    authorize(actor, Action.READ_OUTBOX)
    with db.reading() as session:
        rows = session.execute(
            select(NoticeMessage, col(Person.external_id))
            .outerjoin(Person, col(Person.id) == NoticeMessage.person_id)
            .where(NoticeMessage.status == NoticeStatus.KEPT.value)
            .order_by(col(NoticeMessage.id).desc())
            .limit(first)
        ).all()
    return [Notice(message, external_id) for message, external_id in rows]


def as_plain(notice: Notice) -> dict[str, Any]:
    """A notice's fields for the GraphQL type and the pages."""
    m = notice.message
    return {
        "id": stored_id(m),
        "kind": m.kind,
        "step": m.step,
        "template": m.template,
        "language": m.language,
        "recipient": m.recipient,
        "person_external_id": notice.person_external_id,
        "campaign_id": m.campaign_id,
        "subject": m.subject,
        "body": m.body,
        "status": m.status,
        "attempts": m.attempts,
        "smtp_code": m.smtp_code,
        "smtp_answer": m.smtp_answer,
        "created_at": m.created_at,
        "last_attempt_at": m.last_attempt_at,
        "sent_at": m.sent_at,
    }


def totals(*, db: Database, ids: list[int] | None = None) -> dict[str, int]:
    """How many messages (of ``ids``, or all) are queued, sent, failed and kept (for the commands)."""
    counts = dict.fromkeys((s.value for s in NoticeStatus), 0)
    query = select(col(NoticeMessage.status), sa.func.count()).group_by(col(NoticeMessage.status))
    if ids is not None:
        query = query.where(col(NoticeMessage.id).in_(ids))
    with db.reading() as session:
        for status, count in session.execute(query).all():
            counts[status] = int(count)
    return counts


def summary(counts: dict[str, int], *, smtp: bool) -> str:
    """A command's line about the messages ``counts``."""
    where = "sent" if smtp else "kept in the local outbox (GOVKIT_SMTP_HOST is not set; see /ui/dev/outbox)"
    parts = [f"{counts['sent'] + counts['kept']} {where}"]
    if counts["queued"]:
        parts.append(f"{counts['queued']} queued (govkit worker sends them)")
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    return "e-mail notices: " + ", ".join(parts)
