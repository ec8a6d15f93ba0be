"""Load the facts of every organisation as of a date (valid time), as known at a moment, in a fixed
number of batch queries."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, Campaign, CampaignPopulation, Person
from govkit.acknowledgements.persons import population_members, present_at
from govkit.documents.clause_library import load_library
from govkit.documents.models import DocumentVersion, RootTemplateVersion, Variant
from govkit.organisations.models import Commitment, Organisation, ProfileRevision
from govkit.organisations.revisions import in_effect_revisions
from govkit.rules.arrangement_facts import add_arrangements, holders_serving, memberships
from govkit.rules.clause_facts import with_clause_texts
from govkit.rules.facts import (
    CampaignFact,
    CommitmentFact,
    DocumentFact,
    Facts,
    OrganisationFacts,
    PopulationRate,
)
from govkit.rules.parameter_records import recorded as recorded_parameters
from govkit.rules.training_facts import load_training
from govkit.timeline import AsOf, is_uncertain, known_by, not_superseded

_ZERO = timedelta(0)


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

    def day_of(self, value: Any) -> date:
        """The UTC day of a timestamp column's value (SQLite stores naive UTC text)."""
        if self.text:
            return date.fromisoformat(value[:10])
        return value.date() if value.utcoffset() == _ZERO else value.astimezone(UTC).date()


def load_facts(session: Session, when: AsOf | date, codes: list[str] | None = None) -> Facts:
    """The facts of every organisation as of ``when.day`` (valid time), as known at ``when.known_at``
    (everything recorded so far when None), in a fixed number of queries (about fourteen) whatever the
    number of organisations.

    Each query reads plain columns (no ORM objects) of every organisation at once: when
    ``codes`` restricts the organisations, through a subquery on their codes.
    """
    when = when if isinstance(when, AsOf) else AsOf(when)
    day = when.day
    #: events that are their own record (campaigns opened and closed, acknowledgements, waivers):
    #: those of ``day`` at the latest, recorded by ``known_at``
    moment = when.end if when.known_at is None else min(when.end, when.known_at)
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

    # the profile revision in effect: the greatest (valid_from, revision) valid by then, known by then
    profiles: dict[int, tuple[dict[str, Any], bool]] = {}
    for organisation_id, data, valid_from, precision in connection.execute(
        in_effect_revisions(
            col(ProfileRevision.organisation_id),
            col(ProfileRevision.data),
            plain.day(ProfileRevision.valid_from),
            col(ProfileRevision.valid_from_precision),
            when=when,
            organisation_ids=evaluated,
        )
    ).all():
        # a profile is always dated: when it was recorded does not make it uncertain
        profiles[organisation_id] = (data, is_uncertain(plain.to_day(valid_from), precision, when.end, day))

    # the commitments in effect (valid from by then, or undated), known by then and not corrected since
    latest: dict[int, dict[tuple[str, str], tuple[tuple[date, int], CommitmentFact]]] = defaultdict(dict)
    dated: dict[tuple[Any, Any], tuple[date, bool]] = {}  # by (valid from, precision): few distinct ones
    for c in connection.execute(
        sa.select(
            col(Commitment.id),
            col(Commitment.organisation_id),
            col(Commitment.type),
            col(Commitment.status),
            col(Commitment.title),
            plain.day(Commitment.effective_on),
            plain.day(Commitment.expires_on),
            col(Commitment.date_precision),
            plain.timestamp(Commitment.recorded_at),
            col(Commitment.how),
            col(Commitment.provider),
            sa.cast(Commitment.capacity, sa.Text),
        ).where(
            # with the arrangements of other organisations the evaluated ones are members of
            sa.true()
            if evaluated is None
            else sa.or_(
                scoped(Commitment.organisation_id), col(Commitment.organisation_id).in_(holders_serving(evaluated))
            ),
            sa.or_(col(Commitment.effective_on).is_(None), col(Commitment.effective_on) <= day),
            known_by(Commitment.recorded_at, when),
            not_superseded(Commitment, when),
        )
    ).all():
        commitment_id, organisation_id, type_, status, title, effective_on, expires_on, precision, recorded_at = c[:9]
        how, provider, capacity = c[9:]
        if effective_on is None:  # undated: in place from the day it was recorded, uncertain before
            valid_from = None
            since = plain.day_of(recorded_at)
            uncertain = day < since
        else:
            known = dated.get((effective_on, precision))
            if known is None:
                start = plain.to_day(effective_on)
                known = dated[effective_on, precision] = (start, is_uncertain(start, precision, when.end, day))
            valid_from = since = known[0]
            uncertain = known[1]
        key = (type_, title.casefold()) if type_ != "referent_meeting" else (type_, str(commitment_id))
        # the latest record of each (type, title) in valid time wins (undated: from when it was recorded)
        rank = (since, commitment_id)
        best = latest[organisation_id].get(key)
        if best is None or rank > best[0]:
            fact = CommitmentFact(
                type_,
                status,
                title,
                valid_from,
                plain.to_optional_day(expires_on),
                uncertain,
                precision,
                how=how,
                provider=provider,
                arrangement_id=commitment_id,
                capacity=() if capacity in (None, "null") else tuple(sorted(json.loads(capacity).items())),
            )
            latest[organisation_id][key] = (rank, fact)
    # the shared and group arrangements each organisation is a member of (or opted out of) on the day
    served, opted_out = add_arrangements(latest, memberships(connection, plain, when), plain, when)
    commitments = {o: tuple(fact for _rank, fact in by_key.values()) + tuple(served[o]) for o, by_key in latest.items()}
    for o, facts_served in served.items():
        commitments.setdefault(o, tuple(facts_served))

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
            col(DocumentVersion.sha256),
            col(RootTemplateVersion.sha256),
        )
        .join(Variant, col(Variant.id) == DocumentVersion.variant_id)
        .join(RootTemplateVersion, col(RootTemplateVersion.id) == Variant.root_template_version_id)
        .where(
            scoped(DocumentVersion.organisation_id),
            col(DocumentVersion.effective_from) <= day,
            known_by(DocumentVersion.published_at, when),
        )
    ).all():
        organisation_id, kind, language, number, effective_from, published_at, clause_list, sha256, root_sha256 = d
        clauses = clause_lists.get(clause_list)
        if clauses is None:
            clauses = clause_lists[clause_list] = tuple(json.loads(clause_list))
        documents[organisation_id].append(
            DocumentFact(
                kind,
                language,
                number,
                plain.to_day(effective_from),
                plain.to_timestamp(published_at),
                clauses,
                sha256,
                root_sha256,
            )
        )
    with_clause_texts(connection, documents)  # of the documents in force: their clause texts and their roots'

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
        members = population_members(when)  # (person_id, population) in force then, as known then
        for campaign_id, population, concerned, acknowledged in connection.execute(
            select(Campaign.id, members.c.population, sa.func.count(), sa.func.count(col(Acknowledgement.id)))
            .select_from(Campaign)
            .join(CampaignPopulation, col(CampaignPopulation.campaign_id) == Campaign.id)
            .join(members, members.c.population == CampaignPopulation.population)
            .join(
                Person,
                sa.and_(
                    col(Person.id) == members.c.person_id,
                    col(Person.organisation_id) == Campaign.organisation_id,
                    present_at(when),
                ),
            )
            .outerjoin(
                Acknowledgement,
                sa.and_(
                    col(Acknowledgement.person_id) == Person.id,
                    col(Acknowledgement.document_version_id) == Campaign.document_version_id,
                    col(Acknowledgement.acknowledged_at) <= moment,
                ),
            )
            .where(is_open)
            .group_by(col(Campaign.id), members.c.population)
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

    # training records of the academic years begun by then, surveys up to then (govkit.rules.training_facts)
    training, surveys = load_training(connection, when, scoped, plain.to_optional_day)
    # the clause library as known then: the clauses each kind requires on the day (govkit.documents.clause_library)
    library = load_library(connection, when)

    return Facts(
        as_of=day,
        known_at=when.known_at,
        parameters=recorded_parameters(connection, when),
        required_clauses=library.required_on(day),
        clause_titles={key: (t.fr, t.en) for key, t in library.titles.items()},
        organisations=tuple(
            OrganisationFacts(
                code=o.code,
                type=o.type,
                name=o.name,
                profile=profiles[o.id][0] if o.id in profiles else None,
                profile_uncertain=profiles[o.id][1] if o.id in profiles else False,
                commitments=commitments.get(o.id, ()),
                documents=tuple(sorted(documents[o.id], key=lambda d: (d.kind, d.language, d.number))),
                campaigns=tuple(campaigns[o.id]),
                training=training.get(o.id, ()),
                surveys=surveys.get(o.id, ()),
                opted_out=tuple(opted_out.get(o.id, ())),
            )
            for o in organisations
        ),
    )
