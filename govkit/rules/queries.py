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
from govkit.organisations.revisions import latest_revisions
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

    def to_day(self, value: Any) -> date:  # of a column that is never null
        return date.fromisoformat(value) if self.text else value

    def to_optional_day(self, value: Any) -> date | None:
        return None if value is None else self.to_day(value)


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

    #: the organisations evaluated: every one (None), or a subquery on ``codes``
    evaluated = select(Organisation.id).where(col(Organisation.code).in_(codes)).scalar_subquery() if codes else None

    def scoped(column: Any) -> Any:
        """Rows of the organisations evaluated."""
        return sa.true() if evaluated is None else column.in_(evaluated)

    # the latest profile recorded by then; nothing recorded by then: the first one, the best knowledge
    profiles: dict[int, dict[str, Any]] = dict(
        connection.execute(
            latest_revisions(
                ProfileRevision.organisation_id,
                ProfileRevision.data,
                organisation_ids=evaluated,
                as_of=moment,
                else_first=True,
            )
        ).all()
    )

    # a commitment counts from its effective date (a charter signed in 2018 was signed in 2022 too),
    # or from when it was recorded if its date is unknown
    commitments: dict[int, dict[tuple[str, str], CommitmentFact]] = defaultdict(dict)
    for c in connection.execute(
        sa.select(
            col(Commitment.id),
            col(Commitment.organisation_id),
            col(Commitment.type),
            col(Commitment.status),
            col(Commitment.title),
            plain.day(Commitment.effective_on),
            plain.day(Commitment.expires_on),
        )
        .where(
            scoped(Commitment.organisation_id),
            sa.or_(
                sa.and_(col(Commitment.effective_on).is_not(None), col(Commitment.effective_on) <= as_of),
                sa.and_(col(Commitment.effective_on).is_(None), col(Commitment.recorded_at) <= moment),
            ),
        )
        .order_by(col(Commitment.id))
    ).all():
        commitment_id, organisation_id, type_, status, title, effective_on, expires_on = c
        key = (type_, title.casefold()) if type_ != "referent_meeting" else (type_, str(commitment_id))
        # the latest record of each (type, title) wins
        commitments[organisation_id][key] = CommitmentFact(
            type_, status, title, plain.to_optional_day(effective_on), plain.to_optional_day(expires_on)
        )
    documents: dict[int, list[DocumentFact]] = defaultdict(list)
    clause_lists: dict[str, tuple[str, ...]] = {}  # most versions of a kind have the same clauses: parsed once
    for d in connection.execute(
        sa.select(
            col(DocumentVersion.organisation_id),
            col(DocumentVersion.kind),
            col(DocumentVersion.language),
            col(DocumentVersion.number),
            plain.day(DocumentVersion.effective_from),
            plain.timestamp(DocumentVersion.published_at),
            sa.cast(DocumentVersion.clauses, sa.Text),
        ).where(
            scoped(DocumentVersion.organisation_id),
            col(DocumentVersion.effective_from) <= as_of,
            col(DocumentVersion.published_at) <= moment,
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
        col(Campaign.opened_at) <= moment,
        sa.or_(col(Campaign.closed_at).is_(None), col(Campaign.closed_at) > moment),
    )
    open_campaigns = connection.execute(
        sa.select(
            col(Campaign.id),
            col(Campaign.organisation_id),
            col(Campaign.kind),
            plain.timestamp(Campaign.opened_at),
            plain.day(Campaign.deadline),
            col(DocumentVersion.number),
        )
        .outerjoin(DocumentVersion, col(DocumentVersion.id) == Campaign.document_version_id)
        .where(is_open)
        .order_by(col(Campaign.id))
    ).all()
    rates: dict[int, list[PopulationRate]] = defaultdict(list)
    if open_campaigns:
        present = sa.and_(
            col(Person.organisation_id) == Campaign.organisation_id,
            sa.or_(col(Person.entry_date).is_(None), col(Person.entry_date) <= as_of),
            sa.or_(col(Person.status) == "active", col(Person.departure_date) > as_of),
        )
        for campaign_id, population, concerned, acknowledged in connection.execute(
            select(Campaign.id, PersonPopulation.population, sa.func.count(), sa.func.count(col(Acknowledgement.id)))
            .select_from(Campaign)
            .join(CampaignPopulation, col(CampaignPopulation.campaign_id) == Campaign.id)
            .join(PersonPopulation, col(PersonPopulation.population) == CampaignPopulation.population)
            .join(Person, sa.and_(col(Person.id) == PersonPopulation.person_id, present))
            .outerjoin(
                Acknowledgement,
                sa.and_(
                    col(Acknowledgement.person_id) == Person.id,
                    col(Acknowledgement.document_version_id) == Campaign.document_version_id,
                    col(Acknowledgement.acknowledged_at) <= moment,
                ),
            )
            .where(is_open)
            .group_by(col(Campaign.id), col(PersonPopulation.population))
        ).all():
            rates[campaign_id].append(PopulationRate(population, concerned, acknowledged))
    campaigns: dict[int, list[CampaignFact]] = defaultdict(list)
    for campaign_id, organisation_id, kind, opened_at, deadline, number in open_campaigns:
        campaigns[organisation_id].append(
            CampaignFact(
                kind,
                number or 0,
                plain.to_timestamp(opened_at).date(),
                plain.to_day(deadline),
                tuple(sorted(rates[campaign_id], key=lambda r: r.population)),
            )
        )

    training: dict[int, list[TrainingFact]] = defaultdict(list)
    for t in connection.execute(
        sa.select(
            col(TrainingCoverage.organisation_id),
            col(TrainingCoverage.year),
            col(TrainingCoverage.population),
            col(TrainingCoverage.training),
            col(TrainingCoverage.trained),
            col(TrainingCoverage.total),
        )
        .where(scoped(TrainingCoverage.organisation_id), col(TrainingCoverage.recorded_at) <= moment)
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
