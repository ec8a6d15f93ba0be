"""Digests to a school's administration: who receives them (the identities holding the
school_admin role of the school, at their address) and what they say (each open campaign's
counts, the week's e-mails, the failed deliveries)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.roles import Role
from govkit.acknowledgements.campaign_progress import CampaignStatus
from govkit.acknowledgements.models import Person
from govkit.auth.models import Identity, RoleGrant
from govkit.db import utcnow
from govkit.documents.kinds import catalogue
from govkit.french import of
from govkit.notifications.models import NoticeMessage
from govkit.notifications.rendering import long_date
from govkit.notifications.vocabulary import NoticeStatus

#: Failed deliveries a digest names (the dashboard lists them all).
NAMED_FAILURES = 20


@dataclass(frozen=True)
class Administrator:
    identity_id: int
    person_id: int | None
    address: str
    language: str


def administrators(session: Session, organisation_id: int, now: datetime | None = None) -> list[Administrator]:
    """The school's administrators with an address: identities holding a valid school_admin grant
    of the school; their address is their person's e-mail, else their subject when it is one."""
    moment = now or utcnow()
    rows = session.execute(
        sa.select(
            col(Identity.id), col(Identity.subject), col(Person.id), col(Person.email), col(Person.preferred_language)
        )
        .join(RoleGrant, col(RoleGrant.identity_id) == Identity.id)
        .outerjoin(Person, col(Person.id) == Identity.person_id)
        .where(
            col(RoleGrant.role) == Role.SCHOOL_ADMIN.value,
            col(RoleGrant.organisation_id) == organisation_id,
            col(RoleGrant.revoked_at).is_(None),
            sa.or_(col(RoleGrant.expires_at).is_(None), col(RoleGrant.expires_at) > moment),
        )
        .order_by(col(Identity.id))
    ).all()
    found: dict[int, Administrator] = {}
    for identity_id, subject, person_id, email, language in rows:
        address = email or (subject if "@" in subject else "")
        if address and identity_id not in found:
            found[identity_id] = Administrator(identity_id, person_id, address, language or "fr")
    return list(found.values())


def digest_values(
    session: Session,
    *,
    organisation_id: int,
    school: str,
    statuses: Sequence[CampaignStatus],
    language: str,
    today: date,
    week: int,
    link: str,
) -> dict[str, Any]:
    """What a digest says, in ``language``."""
    since = datetime.combine(today - timedelta(days=7), time.min, tzinfo=UTC)
    counts = dict(
        session.execute(
            select(col(NoticeMessage.status), sa.func.count())
            .where(NoticeMessage.organisation_id == organisation_id, col(NoticeMessage.sent_at) >= since)
            .group_by(col(NoticeMessage.status))
        ).all()
    )
    failed = session.execute(
        select(sa.func.count()).where(
            NoticeMessage.organisation_id == organisation_id, NoticeMessage.status == NoticeStatus.FAILED.value
        )
    ).scalar_one()
    failures = session.execute(
        select(col(NoticeMessage.recipient), col(NoticeMessage.smtp_code), col(NoticeMessage.smtp_answer))
        .where(NoticeMessage.organisation_id == organisation_id, NoticeMessage.status == NoticeStatus.FAILED.value)
        .order_by(col(NoticeMessage.id).desc())
        .limit(NAMED_FAILURES)
    ).all()
    return {
        "school": school,
        "of_school": of(school, language),
        "week": week % 100,
        "campaigns": [
            {
                "document": catalogue().kind(s.campaign.kind).title.get(language),
                "version": s.document.number,
                "deadline": long_date(s.campaign.deadline, language),
                "concerned": s.total.concerned,
                "acknowledged": s.total.acknowledged,
                "pending": s.total.pending,
                "overdue": s.total.overdue,
            }
            for s in statuses
        ],
        "sent": int(counts.get(NoticeStatus.SENT.value, 0)),
        "kept": int(counts.get(NoticeStatus.KEPT.value, 0)),
        "failed": int(failed),
        "failures": [
            {"recipient": recipient, "answer": f"{code or ''} {answer or ''}".strip() or "?"}
            for recipient, code, answer in failures
        ],
        "link": link,
    }
