"""Campaigns: opened when a document version is published, followed with SQL aggregates."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements import chain
from govkit.acknowledgements.models import (
    Acknowledgement,
    Campaign,
    CampaignPopulation,
    ChainHead,
    Person,
    PersonPopulation,
    WebhookDelivery,
)
from govkit.acknowledgements.wording import carried_forward_wording
from govkit.db import utcnow
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import InvalidInput

#: The text in force is French; English versions are translations read alongside it.
ACKNOWLEDGED_LANGUAGE = "fr"


@dataclass(frozen=True)
class CampaignPolicy:
    days: int = 30
    webhook_urls: tuple[str, ...] = ()


def needs_campaign(document: DocumentVersion) -> bool:
    spec = catalogue().kinds.get(document.kind)
    return bool(spec and spec.acknowledgement and document.language == ACKNOWLEDGED_LANGUAGE)


def enqueue(session: Session, event: str, campaign: Campaign | None, payload: dict, urls: Sequence[str]) -> None:
    for url in urls:
        session.add(
            WebhookDelivery(
                event=event,
                campaign_id=campaign.id if campaign else None,
                url=url,
                payload={"event": event, **payload},
            )
        )


def campaign_payload(campaign: Campaign, document: DocumentVersion, school: str) -> dict:
    return {
        "campaign_id": campaign.id,
        "school": school,
        "kind": campaign.kind,
        "document_version_id": document.id,
        "version": document.number,
        "change_kind": campaign.change_kind,
        "deadline": campaign.deadline.isoformat(),
        "sha256": document.sha256,
    }


def on_publication(
    session: Session,
    head: ChainHead,
    document: DocumentVersion,
    previous: DocumentVersion | None,
    *,
    school: str,
    actor_label: str,
    policy: CampaignPolicy,
) -> Campaign | None:
    """Open the campaign of a newly published version; carry acknowledgements over an editorial change."""
    if not needs_campaign(document):
        return None
    now = utcnow()
    open_campaigns = session.exec(
        select(Campaign).where(
            Campaign.organisation_id == document.organisation_id,
            Campaign.kind == document.kind,
            col(Campaign.closed_at).is_(None),
        )
    ).all()
    earlier = max(open_campaigns, key=lambda c: c.opened_at, default=None)
    for old in open_campaigns:
        old.closed_at = now
        session.add(old)
    editorial = document.change_kind == "editorial" and previous is not None
    start = max(document.effective_from, now.date())
    deadline = earlier.deadline if editorial and earlier is not None else start + timedelta(days=policy.days)
    campaign = Campaign(
        organisation_id=document.organisation_id,
        document_version_id=document.id,  # type: ignore[arg-type]
        kind=document.kind,
        change_kind=document.change_kind,
        deadline=deadline,
        continues_campaign_id=earlier.id if editorial and earlier is not None else None,
    )
    session.add(campaign)
    session.flush()
    for population in catalogue().kind(document.kind).populations:
        session.add(CampaignPopulation(campaign_id=campaign.id, population=population.value))  # type: ignore[arg-type]
    if editorial and previous is not None:
        carried = session.exec(
            select(Acknowledgement)
            .where(Acknowledgement.document_version_id == previous.id)
            .order_by(col(Acknowledgement.id))
        ).all()
        text = carried_forward_wording(language="fr", previous_version=previous.number, version=document.number)
        for old in carried:
            code = new_code()
            chain.append(
                session,
                head,
                Acknowledgement(
                    person_id=old.person_id,
                    organisation_id=old.organisation_id,
                    document_version_id=document.id,  # type: ignore[arg-type]
                    campaign_id=campaign.id,
                    method="carried_forward",
                    document_sha256=document.sha256,
                    wording=text,
                    wording_sha256=sha(text),
                    acknowledged_at=now,
                    auth_method="carried_forward",
                    recorded_by=actor_label,
                    carried_from_id=old.id,
                    client_sha256=chain.client_digest(None, None, code),
                    verification_code=code,
                    previous_hash="",
                    record_hash="",
                ),
            )
    enqueue(
        session,
        "campaign.opened",
        campaign,
        campaign_payload(campaign, document, school),
        policy.webhook_urls,
    )
    return campaign


def sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """A verification code: 16 characters from an unambiguous alphabet, in groups of four."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


# --- follow-up ------------------------------------------------------------------------------


@dataclass
class PopulationCount:
    population: str
    concerned: int
    acknowledged: int
    overdue: int

    @property
    def pending(self) -> int:
        return self.concerned - self.acknowledged

    @property
    def rate(self) -> float:
        return self.acknowledged / self.concerned if self.concerned else 1.0


@dataclass
class CampaignStatus:
    campaign: Campaign
    document: DocumentVersion
    total: PopulationCount
    populations: list[PopulationCount] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.total.overdue > 0


def _concerned(today: date, late_entry: date) -> tuple:
    """Columns shared by the counting queries."""
    acknowledged = sa.func.count(sa.distinct(Acknowledgement.person_id))
    pending_overdue = sa.case(
        (
            sa.and_(
                col(Acknowledgement.id).is_(None),
                Campaign.deadline < today,
                sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) < late_entry),
            ),
            Person.id,
        ),
        else_=None,
    )
    return acknowledged, sa.func.count(sa.distinct(pending_overdue))


def _base(campaign_ids: Sequence[int]):  # noqa: ANN202 - a SQLAlchemy select under construction
    return (
        select(Campaign.id)
        .select_from(Campaign)
        .join(CampaignPopulation, CampaignPopulation.campaign_id == Campaign.id)  # type: ignore[arg-type]
        .join(Person, sa.and_(Person.organisation_id == Campaign.organisation_id, Person.status == "active"))
        .join(
            PersonPopulation,
            sa.and_(
                PersonPopulation.person_id == Person.id,
                PersonPopulation.population == CampaignPopulation.population,
            ),
        )
        .outerjoin(
            Acknowledgement,
            sa.and_(
                Acknowledgement.person_id == Person.id,
                Acknowledgement.document_version_id == Campaign.document_version_id,
            ),
        )
        .where(col(Campaign.id).in_(campaign_ids))
    )


def statuses(session: Session, campaigns: Sequence[Campaign], *, today: date, days: int) -> list[CampaignStatus]:
    """Concerned, acknowledged, pending and overdue counts: two aggregate queries for all campaigns."""
    if not campaigns:
        return []
    ids = [c.id for c in campaigns if c.id is not None]
    late_entry = today - timedelta(days=days)
    acknowledged, overdue = _concerned(today, late_entry)
    concerned = sa.func.count(sa.distinct(Person.id))
    by_population = session.execute(
        _base(ids)
        .add_columns(PersonPopulation.population, concerned, acknowledged, overdue)
        .group_by(Campaign.id, PersonPopulation.population)
    ).all()
    totals = session.execute(_base(ids).add_columns(concerned, acknowledged, overdue).group_by(Campaign.id)).all()
    documents = {
        d.id: d
        for d in session.exec(
            select(DocumentVersion).where(col(DocumentVersion.id).in_([c.document_version_id for c in campaigns]))
        ).all()
    }
    result = {
        c.id: CampaignStatus(c, documents[c.document_version_id], PopulationCount("all", 0, 0, 0)) for c in campaigns
    }
    for campaign_id, population, n, a, o in by_population:
        result[campaign_id].populations.append(PopulationCount(population, n, a, o))
    for campaign_id, n, a, o in totals:
        result[campaign_id].total = PopulationCount("all", n, a, o)
    for status in result.values():
        status.populations.sort(key=lambda p: p.population)
    return [result[c.id] for c in campaigns]


@dataclass(frozen=True)
class PendingPerson:
    person: Person
    populations: tuple[str, ...]
    overdue: bool


def encode_cursor(person_id: int) -> str:
    return base64.urlsafe_b64encode(f"p:{person_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "p":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(f"Invalid cursor {cursor!r}: use the endCursor of a previous page.") from None


def pending_persons(
    session: Session,
    campaign: Campaign,
    *,
    today: date,
    days: int,
    first: int,
    after: str | None = None,
    population: str | None = None,
    search: str | None = None,
) -> tuple[list[PendingPerson], bool, int]:
    """One page of the persons who have not acknowledged, keyset-paginated by id; and the total."""
    populations = select(CampaignPopulation.population).where(CampaignPopulation.campaign_id == campaign.id)
    if population is not None:
        populations = populations.where(CampaignPopulation.population == population)
    concerned = sa.exists().where(
        PersonPopulation.person_id == Person.id, col(PersonPopulation.population).in_(populations)
    )
    acknowledged = sa.exists().where(
        Acknowledgement.person_id == Person.id,
        Acknowledgement.document_version_id == campaign.document_version_id,
    )
    query = select(Person).where(
        Person.organisation_id == campaign.organisation_id,
        Person.status == "active",
        concerned,
        ~acknowledged,
    )
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Person.family_name).like(pattern),
                sa.func.lower(Person.given_name).like(pattern),
                sa.func.lower(Person.email).like(pattern),
                sa.func.lower(Person.external_id).like(pattern),
            )
        )
    total = session.execute(select(sa.func.count()).select_from(query.subquery())).scalar_one()
    if after is not None:
        query = query.where(col(Person.id) > decode_cursor(after))
    rows = list(session.exec(query.order_by(col(Person.id)).limit(first + 1)).all())
    has_next = len(rows) > first
    rows = rows[:first]
    held: dict[int, list[str]] = {}
    if rows:
        for person_id, pop in session.execute(
            select(PersonPopulation.person_id, PersonPopulation.population).where(
                col(PersonPopulation.person_id).in_([p.id for p in rows])
            )
        ).all():
            held.setdefault(person_id, []).append(pop)
    late_entry = today - timedelta(days=days)
    page = [
        PendingPerson(
            p,
            tuple(sorted(held.get(p.id, []))),  # type: ignore[arg-type]
            campaign.deadline < today and (p.entry_date is None or p.entry_date < late_entry),
        )
        for p in rows
    ]
    return page, has_next, total


def opened_at_label(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
