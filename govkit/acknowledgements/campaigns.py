"""Campaigns: opened when a document version is published, followed with SQL aggregates."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

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


def _overdue(deadline: date, today: date, late_entry: date) -> sa.ColumnElement[int]:
    """Pending persons past their deadline (the campaign's, or their own if they joined late)."""
    if deadline >= today:
        return sa.literal(0)
    late = sa.and_(
        col(Acknowledgement.id).is_(None),
        sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) < late_entry),
    )
    return sa.func.count(sa.case((late, 1), else_=None))


def _counts(
    session: Session, campaign: Campaign, populations: list[str], today: date, late_entry: date
) -> CampaignCounts:
    """Two aggregate queries for one campaign, with its school, version and populations bound as values
    (the planner then estimates well and hash-joins; (person, population) and (person, version) are
    unique, so plain counts are exact, without DISTINCT)."""
    acknowledged_join = sa.and_(
        Acknowledgement.person_id == Person.id,
        Acknowledgement.document_version_id == campaign.document_version_id,
    )
    overdue = _overdue(campaign.deadline, today, late_entry)
    concerned_person = sa.and_(Person.organisation_id == campaign.organisation_id, Person.status == "active")
    by_population = session.execute(
        select(PersonPopulation.population, sa.func.count(), sa.func.count(Acknowledgement.id), overdue)
        .select_from(Person)
        .join(PersonPopulation, PersonPopulation.person_id == Person.id)  # type: ignore[arg-type]
        .outerjoin(Acknowledgement, acknowledged_join)
        .where(concerned_person, col(PersonPopulation.population).in_(populations))
        .group_by(PersonPopulation.population)
    ).all()
    in_populations = sa.exists().where(
        PersonPopulation.person_id == Person.id, col(PersonPopulation.population).in_(populations)
    )
    total = session.execute(
        select(sa.func.count(), sa.func.count(Acknowledgement.id), overdue)
        .select_from(Person)
        .outerjoin(Acknowledgement, acknowledged_join)
        .where(concerned_person, in_populations)
    ).one()
    return CampaignCounts(
        PopulationCount("all", total[0], total[1], total[2]),
        sorted((PopulationCount(p, n, a, o) for p, n, a, o in by_population), key=lambda c: c.population),
    )


@dataclass(frozen=True)
class CampaignCounts:
    total: PopulationCount
    populations: list[PopulationCount]


def statuses(session: Session, campaigns: Sequence[Campaign], *, today: date, days: int) -> list[CampaignStatus]:
    """Concerned, acknowledged, pending and overdue counts of each campaign, from SQL aggregates."""
    if not campaigns:
        return []
    late_entry = today - timedelta(days=days)
    populations: dict[int, list[str]] = {}
    for campaign_id, population in session.execute(
        select(CampaignPopulation.campaign_id, CampaignPopulation.population).where(
            col(CampaignPopulation.campaign_id).in_([c.id for c in campaigns])
        )
    ).all():
        populations.setdefault(campaign_id, []).append(population)
    documents = {
        d.id: d
        for d in session.exec(
            select(DocumentVersion).where(col(DocumentVersion.id).in_([c.document_version_id for c in campaigns]))
        ).all()
    }
    result = []
    for campaign in campaigns:
        counts = _counts(session, campaign, populations.get(campaign.id, []), today, late_entry)  # type: ignore[arg-type]
        result.append(
            CampaignStatus(campaign, documents[campaign.document_version_id], counts.total, counts.populations)
        )
    return result


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
