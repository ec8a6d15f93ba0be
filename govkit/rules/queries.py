"""Load the facts of every organisation as of a date, in a fixed number of batch queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, Campaign, CampaignPopulation, Person, PersonPopulation
from govkit.documents.models import DocumentVersion
from govkit.organisations.models import Commitment, Organisation, ProfileRevision
from govkit.rules.facts import (
    CampaignFact,
    CommitmentFact,
    DocumentFact,
    Facts,
    OrganisationFacts,
    PopulationRate,
    TrainingFact,
)
from govkit.rules.models import TrainingCoverage


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def load_facts(session: Session, as_of: date, codes: list[str] | None = None) -> Facts:
    """Seven queries, whatever the number of organisations; only what was recorded by ``as_of``."""
    moment = end_of(as_of)
    query = select(Organisation).order_by(Organisation.code)
    if codes:
        query = query.where(col(Organisation.code).in_(codes))
    organisations = list(session.exec(query).all())
    ids = [o.id for o in organisations]

    latest_profile = (
        select(ProfileRevision.organisation_id, sa.func.max(ProfileRevision.revision).label("revision"))
        .where(col(ProfileRevision.organisation_id).in_(ids), ProfileRevision.created_at <= moment)
        .group_by(ProfileRevision.organisation_id)
        .subquery()
    )
    profiles = {
        p.organisation_id: p.data
        for p in session.exec(
            select(ProfileRevision).join(
                latest_profile,
                sa.and_(
                    ProfileRevision.organisation_id == latest_profile.c.organisation_id,
                    ProfileRevision.revision == latest_profile.c.revision,
                ),
            )
        ).all()
    }

    if len(profiles) < len(ids):  # nothing recorded by then: the first profile recorded is the best knowledge
        first = (
            select(ProfileRevision.organisation_id, sa.func.min(ProfileRevision.revision).label("revision"))
            .where(col(ProfileRevision.organisation_id).in_([i for i in ids if i not in profiles]))
            .group_by(ProfileRevision.organisation_id)
            .subquery()
        )
        for p in session.exec(
            select(ProfileRevision).join(
                first,
                sa.and_(
                    ProfileRevision.organisation_id == first.c.organisation_id,
                    ProfileRevision.revision == first.c.revision,
                ),
            )
        ).all():
            profiles[p.organisation_id] = p.data

    # a commitment counts from its effective date (a charter signed in 2018 was signed in 2022 too),
    # or from when it was recorded if its date is unknown
    commitments: dict[int, dict[tuple[str, str], Commitment]] = defaultdict(dict)
    for c in session.exec(
        select(Commitment)
        .where(
            col(Commitment.organisation_id).in_(ids),
            sa.or_(
                sa.and_(col(Commitment.effective_on).is_not(None), col(Commitment.effective_on) <= as_of),
                sa.and_(col(Commitment.effective_on).is_(None), Commitment.recorded_at <= moment),
            ),
        )
        .order_by(col(Commitment.id))
    ).all():
        key = (c.type, c.title.casefold()) if c.type != "referent_meeting" else (c.type, str(c.id))
        commitments[c.organisation_id][key] = c  # the latest record of each (type, title) wins
    documents: dict[int, list[DocumentFact]] = defaultdict(list)
    for d in session.exec(
        select(DocumentVersion).where(
            col(DocumentVersion.organisation_id).in_(ids),
            DocumentVersion.effective_from <= as_of,
            DocumentVersion.published_at <= moment,
        )
    ).all():
        documents[d.organisation_id].append(
            DocumentFact(d.kind, d.language, d.number, d.effective_from, d.published_at, tuple(d.clauses))
        )

    open_campaigns = list(
        session.exec(
            select(Campaign).where(
                col(Campaign.organisation_id).in_(ids),
                Campaign.opened_at <= moment,
                sa.or_(col(Campaign.closed_at).is_(None), col(Campaign.closed_at) > moment),
            )
        ).all()
    )
    rates: dict[int, list[PopulationRate]] = defaultdict(list)
    if open_campaigns:
        present = sa.and_(
            Person.organisation_id == Campaign.organisation_id,
            sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) <= as_of),
            sa.or_(Person.status == "active", col(Person.departure_date) > as_of),
        )
        for campaign_id, population, concerned, acknowledged in session.execute(
            select(Campaign.id, PersonPopulation.population, sa.func.count(), sa.func.count(Acknowledgement.id))
            .select_from(Campaign)
            .join(CampaignPopulation, CampaignPopulation.campaign_id == Campaign.id)  # type: ignore[arg-type]
            .join(PersonPopulation, PersonPopulation.population == CampaignPopulation.population)  # type: ignore[arg-type]
            .join(Person, sa.and_(Person.id == PersonPopulation.person_id, present))
            .outerjoin(
                Acknowledgement,
                sa.and_(
                    Acknowledgement.person_id == Person.id,
                    Acknowledgement.document_version_id == Campaign.document_version_id,
                    Acknowledgement.acknowledged_at <= moment,
                ),
            )
            .where(col(Campaign.id).in_([c.id for c in open_campaigns]))
            .group_by(Campaign.id, PersonPopulation.population)
        ).all():
            rates[campaign_id].append(PopulationRate(population, concerned, acknowledged))
    version_numbers = dict(
        session.execute(
            select(DocumentVersion.id, DocumentVersion.number).where(
                col(DocumentVersion.id).in_([c.document_version_id for c in open_campaigns])
            )
        ).all()
    )
    campaigns: dict[int, list[CampaignFact]] = defaultdict(list)
    for c in open_campaigns:
        campaigns[c.organisation_id].append(
            CampaignFact(
                c.kind,
                version_numbers.get(c.document_version_id, 0),
                c.opened_at.date(),
                c.deadline,
                tuple(sorted(rates[c.id], key=lambda r: r.population)),  # type: ignore[index]
            )
        )

    training: dict[int, list[TrainingFact]] = defaultdict(list)
    for t in session.exec(
        select(TrainingCoverage)
        .where(col(TrainingCoverage.organisation_id).in_(ids), TrainingCoverage.recorded_at <= moment)
        .order_by(col(TrainingCoverage.id))
    ).all():
        training[t.organisation_id].append(TrainingFact(t.year, t.population, t.training, t.trained, t.total))

    return Facts(
        as_of=as_of,
        organisations=tuple(
            OrganisationFacts(
                code=o.code,
                type=o.type,
                name=o.name,
                profile=profiles.get(o.id),
                commitments=tuple(
                    CommitmentFact(c.type, c.status, c.title, c.effective_on, c.expires_on)
                    for c in commitments[o.id].values()  # type: ignore[index]
                ),
                documents=tuple(sorted(documents[o.id], key=lambda d: (d.kind, d.language, d.number))),  # type: ignore[index]
                campaigns=tuple(campaigns[o.id]),  # type: ignore[index]
                training=tuple(training[o.id]),  # type: ignore[index]
            )
            for o in organisations
        ),
    )
