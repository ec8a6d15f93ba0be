"""What the notices' tests share: the campaign a publication opened, its pending persons, the
messages stored."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from govkit.acknowledgements.campaign_progress import pending_persons
from govkit.acknowledgements.models import Campaign, Person
from govkit.days import utc_today
from govkit.db import Database
from govkit.documents.models import DocumentVersion
from govkit.notifications.models import NoticeMessage


def campaign_of(db: Database, document: DocumentVersion) -> Campaign:
    with db.reading() as session:
        return session.exec(select(Campaign).where(Campaign.document_version_id == document.id)).one()


def pending(db: Database, campaign: Campaign, today: date | None = None) -> list[Person]:
    with db.reading() as session:
        page, _more, _total = pending_persons(session, campaign, today=today or utc_today(), days=30, first=10_000)
    return [p.person for p in page]


def messages(db: Database, **where: object) -> list[NoticeMessage]:
    with db.reading() as session:
        query = select(NoticeMessage).order_by(col(NoticeMessage.id))
        for name, value in where.items():
            query = query.where(getattr(NoticeMessage, name) == value)
        return list(session.exec(query).all())
