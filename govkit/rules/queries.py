"""Load the facts of every organisation as of a date, in a fixed number of batch queries."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

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


class _Plain:
    """Read date and timestamp columns as the driver gives them, and convert them here.

    A column whose type processes each value (UTCDateTime; dates on SQLite, stored as text)
    takes SQLAlchemy's slow path for every row of the result: over thousands of rows, most
    of the time of a query. The values are the same as those the column types give.
    """

    def __init__(self, dialect: str) -> None:
        self.text = dialect == "sqlite"

    def timestamp(self, column: Any) -> Any:
        return sa.type_coerce(column, sa.String if self.text else sa.DateTime(timezone=True))

    def day(self, column: Any) -> Any:
        return sa.type_coerce(column, sa.String) if self.text else column

    def to_timestamp(self, value: Any) -> datetime:  # as govkit.db.UTCDateTime
        if self.text:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def to_day(self, value: Any) -> date | None:
        return date.fromisoformat(value) if self.text and value is not None else value


def load_facts(session: Session, as_of: date, codes: list[str] | None = None) -> Facts:
    """Seven queries, whatever the number of organisations; only what was recorded by ``as_of``.

    Each query reads plain columns (no ORM objects) of every organisation at once: when
    ``codes`` restricts the organisations, through a subquery on their codes.
    """
    moment = end_of(as_of)
    connection = session.connection()  # plain rows: no ORM bookkeeping for thousands of them
    plain = _Plain(connection.dialect.name)
    query = select(Organisation.id, Organisation.code, Organisation.type, Organisation.name).order_by(Organisation.code)
    if codes:
        query = query.where(col(Organisation.code).in_(codes))
    organisations = connection.execute(query).all()
    ids = [o.id for o in organisations]

    def scoped(column: Any) -> Any:
        """Rows of the organisations evaluated: every one, or those of ``codes``."""
        if not codes:
            return sa.true()
        return column.in_(select(Organisation.id).where(col(Organisation.code).in_(codes)).scalar_subquery())

    latest_profile = (
        select(ProfileRevision.organisation_id, sa.func.max(ProfileRevision.revision).label("revision"))
        .where(scoped(ProfileRevision.organisation_id), ProfileRevision.created_at <= moment)
        .group_by(ProfileRevision.organisation_id)
        .subquery()
    )
    profiles: dict[int, dict[str, Any]] = dict(
        connection.execute(  # type: ignore[arg-type]
            select(ProfileRevision.organisation_id, ProfileRevision.data).join(
                latest_profile,
                sa.and_(
                    ProfileRevision.organisation_id == latest_profile.c.organisation_id,
                    ProfileRevision.revision == latest_profile.c.revision,
                ),
            )
        ).all()
    )

    if len(profiles) < len(ids):  # nothing recorded by then: the first profile recorded is the best knowledge
        first = (
            select(ProfileRevision.organisation_id, sa.func.min(ProfileRevision.revision).label("revision"))
            .where(col(ProfileRevision.organisation_id).in_([i for i in ids if i not in profiles]))
            .group_by(ProfileRevision.organisation_id)
            .subquery()
        )
        profiles.update(
            connection.execute(  # type: ignore[arg-type]
                select(ProfileRevision.organisation_id, ProfileRevision.data).join(
                    first,
                    sa.and_(
                        ProfileRevision.organisation_id == first.c.organisation_id,
                        ProfileRevision.revision == first.c.revision,
                    ),
                )
            ).all()
        )

    # a commitment counts from its effective date (a charter signed in 2018 was signed in 2022 too),
    # or from when it was recorded if its date is unknown
    commitments: dict[int, dict[tuple[str, str], CommitmentFact]] = defaultdict(dict)
    for c in connection.execute(
        select(
            Commitment.id,
            Commitment.organisation_id,
            Commitment.type,
            Commitment.status,
            Commitment.title,
            plain.day(Commitment.effective_on),
            plain.day(Commitment.expires_on),
        )
        .where(
            scoped(Commitment.organisation_id),
            sa.or_(
                sa.and_(col(Commitment.effective_on).is_not(None), col(Commitment.effective_on) <= as_of),
                sa.and_(col(Commitment.effective_on).is_(None), Commitment.recorded_at <= moment),
            ),
        )
        .order_by(col(Commitment.id))
    ).all():
        commitment_id, organisation_id, type_, status, title, effective_on, expires_on = c
        key = (type_, title.casefold()) if type_ != "referent_meeting" else (type_, str(commitment_id))
        # the latest record of each (type, title) wins
        commitments[organisation_id][key] = CommitmentFact(
            type_, status, title, plain.to_day(effective_on), plain.to_day(expires_on)
        )
    documents: dict[int, list[DocumentFact]] = defaultdict(list)
    clause_lists: dict[str, tuple[str, ...]] = {}  # most versions of a kind have the same clauses: parsed once
    for d in connection.execute(
        select(
            DocumentVersion.organisation_id,
            DocumentVersion.kind,
            DocumentVersion.language,
            DocumentVersion.number,
            plain.day(DocumentVersion.effective_from),
            plain.timestamp(DocumentVersion.published_at),
            sa.cast(DocumentVersion.clauses, sa.Text),
        ).where(
            scoped(DocumentVersion.organisation_id),
            DocumentVersion.effective_from <= as_of,
            DocumentVersion.published_at <= moment,
        )
    ).all():
        organisation_id, kind, language, number, effective_from, published_at, clause_list = d
        clauses = clause_lists.get(clause_list)
        if clauses is None:
            clauses = clause_lists[clause_list] = tuple(json.loads(clause_list))
        documents[organisation_id].append(
            DocumentFact(
                kind, language, number, plain.to_day(effective_from), plain.to_timestamp(published_at), clauses
            )
        )

    is_open = sa.and_(
        scoped(Campaign.organisation_id),
        Campaign.opened_at <= moment,
        sa.or_(col(Campaign.closed_at).is_(None), col(Campaign.closed_at) > moment),
    )
    open_campaigns = connection.execute(
        select(
            Campaign.id,
            Campaign.organisation_id,
            Campaign.kind,
            plain.timestamp(Campaign.opened_at),
            plain.day(Campaign.deadline),
            DocumentVersion.number,
        )
        .outerjoin(DocumentVersion, DocumentVersion.id == Campaign.document_version_id)  # type: ignore[arg-type]
        .where(is_open)
        .order_by(col(Campaign.id))
    ).all()
    rates: dict[int, list[PopulationRate]] = defaultdict(list)
    if open_campaigns:
        present = sa.and_(
            Person.organisation_id == Campaign.organisation_id,
            sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) <= as_of),
            sa.or_(Person.status == "active", col(Person.departure_date) > as_of),
        )
        for campaign_id, population, concerned, acknowledged in connection.execute(
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
            .where(is_open)
            .group_by(Campaign.id, PersonPopulation.population)
        ).all():
            rates[campaign_id].append(PopulationRate(population, concerned, acknowledged))
    campaigns: dict[int, list[CampaignFact]] = defaultdict(list)
    for campaign_id, organisation_id, kind, opened_at, deadline, number in open_campaigns:
        campaigns[organisation_id].append(
            CampaignFact(
                kind,
                number or 0,
                plain.to_timestamp(opened_at).date(),
                plain.to_day(deadline),  # type: ignore[arg-type]
                tuple(sorted(rates[campaign_id], key=lambda r: r.population)),
            )
        )

    training: dict[int, list[TrainingFact]] = defaultdict(list)
    for t in connection.execute(
        select(
            TrainingCoverage.organisation_id,
            TrainingCoverage.year,
            TrainingCoverage.population,
            TrainingCoverage.training,
            TrainingCoverage.trained,
            TrainingCoverage.total,
        )
        .where(scoped(TrainingCoverage.organisation_id), TrainingCoverage.recorded_at <= moment)
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
                commitments=tuple(commitments[o.id].values()),
                documents=tuple(sorted(documents[o.id], key=lambda d: (d.kind, d.language, d.number))),
                campaigns=tuple(campaigns[o.id]),
                training=tuple(training[o.id]),
            )
            for o in organisations
        ),
    )
