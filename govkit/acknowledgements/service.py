"""Acknowledging documents, receipts, verification, follow-up and data protection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize, is_allowed, person_data_exposure
from govkit.access.roles import Principal, Role
from govkit.access.scoped import authorize_some, given_id, row_id, unknown
from govkit.acknowledgements import campaign_progress as campaign_queries
from govkit.acknowledgements import chain
from govkit.acknowledgements.campaign_progress import CampaignStatus
from govkit.acknowledgements.member_view import MyView, PendingDocument, me
from govkit.acknowledgements.models import Acknowledgement, Campaign, Person
from govkit.acknowledgements.person_view import ReadNote, ShownPending, log_reads, refuse_search, shown_pending
from govkit.acknowledgements.receipts import AuditNote, ClientInfo, Display, Receipt, Request, erasure_statement
from govkit.acknowledgements.recorder import Recorder
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.disconnects import run_service
from govkit.documents.models import DocumentVersion
from govkit.errors import Forbidden, InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for
from govkit.privacy.exposure import Exposure, exposed_fields, pseudonym
from govkit.timeline import AsOf

__all__ = [
    "AuditNote",
    "ClientInfo",
    "MyView",
    "PendingDocument",
    "ReadNote",
    "Receipt",
    "Verification",
    "acknowledge",
    "campaigns",
    "me",
    "pending_persons",
    "progress_over_time",
    "receipt",
    "record_paper_acknowledgement",
    "verify_chain",
    "verify_receipt",
]


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person {person_id}.")
    return person


async def acknowledge(
    *,
    recorder: Recorder,
    actor: Principal,
    document_version_id: int | str,
    client: ClientInfo | None = None,
    language: str | None = None,
    shown_sha256: str | None = None,
    displayed_by: str | None = None,
    displayed_at: datetime | None = None,
    audit: AuditNote | None = None,
) -> Receipt:
    """The authenticated member acknowledges a document version in force, for themself only.

    ``shown_sha256`` is the SHA-256 of the version shown to them: required, and it must be the
    version's; the version must have been delivered to them before (opened on their page or
    downloaded: govkit.acknowledgements.deliveries), or be displayed by the intranet they acknowledge
    through, which says so with ``displayed_by`` (its name) and ``displayed_at`` (when): that
    delivery is recorded with the acknowledgement (decisions.shown).

    Authorised here (only members acknowledge, the id as they gave it), then decided and chained by
    ``recorder`` (the process's, from the composition) in a batch with the concurrent calls: the
    checks that need the database (their school's version in force, their populations, what was
    delivered to them) are the batch's (govkit.acknowledgements.decisions). ``audit`` is written with
    the record."""
    display = (displayed_by, displayed_at)
    request = _acknowledgement(
        actor, document_version_id, client or ClientInfo(), language, shown_sha256, display, audit
    )
    return await recorder.record_one(request)


#: The longest name an intranet gives itself (document_delivery.displayed_by).
_DISPLAYED_BY = 200


def _display(by: str | None, at: datetime | None) -> Display | None:
    """An intranet's display of the version, from ``acknowledge``'s displayedBy and displayedAt."""
    if by is None and at is None:
        return None
    name = (by or "").strip()
    if at is None or not name:
        raise InvalidInput(
            "displayedBy and displayedAt go together: the intranet that displayed the document, and when.",
            key="display_incomplete",
        )
    if len(name) > _DISPLAYED_BY:
        raise InvalidInput(f"displayedBy is at most {_DISPLAYED_BY} characters.", key="displayed_by_too_long")
    if at.tzinfo is None:
        raise InvalidInput("displayedAt gives its time zone, e.g. 2025-09-01T08:30:00Z.", key="displayed_at_time_zone")
    return Display(name, at.astimezone(UTC))


def _acknowledgement(
    actor: Principal,
    document_version_id: int | str,
    client: ClientInfo,
    language: str | None,
    shown_sha256: str | None,
    display: tuple[str | None, datetime | None],
    audit: AuditNote | None,
) -> Request:
    """The request to record for a member's call, or the refusal of a caller who may not acknowledge."""
    if actor.role is not Role.MEMBER or actor.person_id is None:
        authorize(actor, Action.ACKNOWLEDGE, organisation_id=-1)  # raises: only members acknowledge
        raise Forbidden("Only the person concerned acknowledges a document.")
    document_id = given_id(actor, Action.ACKNOWLEDGE, document_version_id, "document version")
    displayed = _display(*display)

    def check(person: Person, document: DocumentVersion | None) -> None:
        authorize(actor, Action.ACKNOWLEDGE, organisation_id=document.organisation_id if document else None)
        if person.id != actor.person_id:  # pragma: no cover - the person comes from the token
            raise Forbidden("Nobody acknowledges on another person's behalf.")
        if language is not None and language not in ("fr", "en"):
            raise InvalidInput("The wording language is fr or en.")

    return Request(
        person_id=actor.person_id,
        document_version_id=document_id,
        method="electronic",
        auth_method=actor.auth_method,
        recorded_by=actor.subject,
        language=language,
        client=client,
        shown_sha256=shown_sha256.strip().lower() if shown_sha256 else None,
        display=displayed,
        authorise=check,
        audit=audit,
    )


async def record_paper_acknowledgement(
    *,
    db: Database,
    recorder: Recorder,
    actor: Principal,
    school: str,
    person_external_id: str,
    document_version_id: int | str,
    reason: str,
    signed_on: date | None = None,
) -> Receipt:
    """A school administrator records a visa signed on paper, with a reason, recorded as such."""
    request = await run_service(
        _paper_request,
        db=db,
        actor=actor,
        school=school,
        person_external_id=person_external_id,
        document_version_id=document_version_id,
        reason=reason,
        signed_on=signed_on,
    )
    return await recorder.record_one(request)


def _paper_request(
    *,
    db: Database,
    actor: Principal,
    school: str,
    person_external_id: str,
    document_version_id: int | str,
    reason: str,
    signed_on: date | None,
) -> Request:
    """The request to record for a paper visa (the person read by external id), or its refusal."""
    authorize_some(actor, Action.RECORD_PAPER)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.RECORD_PAPER, school)
        document_id = given_id(actor, Action.RECORD_PAPER, document_version_id, "document version")
        if len(reason.strip()) < 10:
            raise InvalidInput("Give the reason for a paper acknowledgement (at least 10 characters).")
        if signed_on is not None and signed_on > utc_today():
            raise InvalidInput("A paper visa cannot be signed in the future.")
        person = session.exec(
            select(Person).where(Person.organisation_id == organisation.id, Person.external_id == person_external_id)
        ).first()
        if person is None:
            raise NotFound(f"No person with external id {person_external_id!r} at {school}.")

    def check(_person: Person, document: DocumentVersion | None) -> None:
        authorize(actor, Action.RECORD_PAPER, organisation_id=document.organisation_id if document else None)

    note = reason.strip() + (f" (signé le {signed_on:%d/%m/%Y})" if signed_on else "")
    return Request(
        person_id=stored_id(person),
        document_version_id=document_id,
        method="paper",
        auth_method="paper_signature",
        recorded_by=actor.label,
        language=person.preferred_language,
        reason=note,
        authorise=check,
    )


# --- receipts and verification ------------------------------------------------------------


def receipt(*, db: Database, actor: Principal, code: str, note: ReadNote | None = None) -> Receipt:
    """A receipt, for the person it belongs to or those who follow their school, with what the caller
    may see of the person (``exposure``: auditors get a pseudonym); the read written down with ``note``
    (govkit.privacy.reads)."""
    authorize_some(actor, Action.READ_RECEIPTS)
    with db.transaction() as session:
        record = session.exec(select(Acknowledgement).where(Acknowledgement.verification_code == code)).first()
        allowed = record is not None and is_allowed(actor, Action.READ_RECEIPTS, organisation_id=record.organisation_id)
        if allowed and actor.role is Role.MEMBER:
            allowed = record is not None and actor.person_id == record.person_id
        if record is None or not allowed:
            # the same answer whether the receipt does not exist or is someone else's: no probing
            raise NotFound("No receipt with this code that you may read.", key="no_receipt")
        person = _person(session, record.person_id)
        organisation = session.get(Organisation, record.organisation_id)
        document = session.get(DocumentVersion, record.document_version_id)
        assert organisation is not None
        assert document is not None
        exposure = person_data_exposure(actor, organisation_id=record.organisation_id, person_id=record.person_id)
        key = note.pseudonym_key if note else ""
        if note is not None:
            log_reads(session, actor, [record.person_id], exposed_fields("Receipt", exposure), note)
        alias = pseudonym(record.person_id, key) if key and exposure is not Exposure.WITHHELD else None
        return Receipt(record, person, organisation, document, exposure=exposure, pseudonym=alias)


@dataclass(frozen=True)
class Verification:
    valid: bool
    acknowledged_at: datetime | None = None
    school: str | None = None
    kind: str | None = None
    version: int | None = None
    method: str | None = None
    chain_intact_to_here: bool | None = None
    #: The person's personal data were erased (govkit.flows.retention): on which day, under which rule.
    erased_at: datetime | None = None
    erased_under: str | None = None

    @property
    def erasure(self) -> str | None:
        """ "personal data erased on D under the retention rule", in French and English (None: not erased)."""
        return erasure_statement(self.erased_at, self.erased_under) if self.erased_at else None


def verify_receipt(*, db: Database, actor: Principal, code: str, sha256: str) -> Verification:
    """Public: does this code and document hash match a record? No personal data is returned."""
    authorize(actor, Action.VERIFY)
    normalised = code.strip().upper()
    with db.reading() as session:
        row = session.exec(
            select(Acknowledgement, Organisation, DocumentVersion)
            .join(Organisation, col(Organisation.id) == Acknowledgement.organisation_id)
            .join(DocumentVersion, col(DocumentVersion.id) == Acknowledgement.document_version_id)
            .where(Acknowledgement.verification_code == normalised)
        ).first()
        if row is None or row[0].document_sha256 != sha256.strip().lower():
            return Verification(valid=False)
        record, organisation, document = row
        erased_at, erased_under = session.exec(
            select(Person.erased_at, Person.erased_under).where(Person.id == record.person_id)
        ).one()
        previous = session.exec(
            select(Acknowledgement.record_hash)
            .where(col(Acknowledgement.id) < record.id)
            .order_by(col(Acknowledgement.id).desc())
            .limit(1)
        ).first()
    expected_previous = previous or chain.GENESIS_HASH
    intact = (
        record.previous_hash == expected_previous
        and record.record_hash == chain.record_hash(record.previous_hash, record)
        and chain.personal_data_mismatch(record) is None  # nothing left to check once erased
    )
    return Verification(
        valid=intact,
        acknowledged_at=record.acknowledged_at,
        school=organisation.code,
        kind=document.kind,
        version=document.number,
        method=record.method,
        chain_intact_to_here=intact,
        erased_at=erased_at,
        erased_under=erased_under,
    )


# --- follow-up of campaigns -------------------------------------------------------------------


def campaigns(
    *,
    db: Database,
    actor: Principal,
    school: str,
    include_closed: bool = False,
    days: int = 30,
    as_of: date | None = None,
) -> list[CampaignStatus]:
    """A school's campaigns open today, or open at the end of ``as_of`` and counted as on that day."""
    authorize_some(actor, Action.READ_CAMPAIGNS)
    when = _as_of(as_of)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.READ_CAMPAIGNS, school)
        condition: sa.ColumnElement[bool] = col(Campaign.organisation_id) == organisation.id
        if when is not None:
            condition = sa.and_(condition, campaign_queries.open_on(when, include_closed=include_closed))
        elif not include_closed:
            condition = sa.and_(condition, col(Campaign.closed_at).is_(None))
        return campaign_queries.follow(
            session,
            condition,
            order=(col(Campaign.kind).asc(), col(Campaign.opened_at).desc(), col(Campaign.id).asc()),
            today=when.day if when else utc_today(),
            days=days,
            when=when,
        )


def _as_of(day: date | None) -> AsOf | None:
    """The question as of ``day``; None for today (the current state answers)."""
    return None if day is None or day == utc_today() else AsOf(day)


def _campaign(session: Session, actor: Principal, campaign_id: int) -> Campaign:
    """The campaign a caller names, once they may follow its school's campaigns (access.scoped)."""
    authorize_some(actor, Action.READ_CAMPAIGNS)
    campaign = session.get(Campaign, campaign_id) if row_id(campaign_id) is not None else None
    if campaign is None:
        unknown(
            actor,
            Action.READ_CAMPAIGNS,
            NotFound(f"No campaign {campaign_id}.", key="no_campaign", params={"id": campaign_id}),
        )
    authorize(actor, Action.READ_CAMPAIGNS, organisation_id=campaign.organisation_id)
    return campaign


def pending_persons(
    *,
    db: Database,
    actor: Principal,
    campaign_id: int,
    note: ReadNote | None = None,
    first: int = 50,
    after: str | None = None,
    population: str | None = None,
    search: str | None = None,
    days: int = 30,
    as_of: date | None = None,
) -> tuple[list[ShownPending], bool, int]:
    """A page of a campaign's pending persons, as ``actor`` may see them (minimal exposure: names and
    e-mails withheld from intranets without the persons:read scope, pseudonyms for auditors); the
    reads of personal data written down with the page (govkit.privacy.reads)."""
    when = _as_of(as_of)
    with db.transaction() as session:
        campaign = _campaign(session, actor, campaign_id)
        if not 1 <= first <= 500:
            raise InvalidInput("`first` is between 1 and 500.", key="page_size", params={"most": 500})
        refuse_search(actor, organisation_id=campaign.organisation_id, search=search)
        page, has_next, total = campaign_queries.pending_persons(
            session,
            campaign,
            today=when.day if when else utc_today(),
            days=days,
            first=first,
            after=after,
            population=population,
            search=search,
            when=when,
        )
        note = note or ReadNote("cli", pseudonym_key="")  # a direct call: no pseudonyms without their key
        return shown_pending(session, actor, campaign.organisation_id, page, note), has_next, total


def verify_chain(*, db: Database) -> chain.ChainReport:
    return chain.verify(db)


def progress_over_time(*, db: Database, actor: Principal, campaign_id: int) -> list[tuple[date, int]]:
    """Cumulative acknowledgements of a campaign's version, day by day (one aggregate query)."""
    with db.reading() as session:
        campaign = _campaign(session, actor, campaign_id)
        day = sa.func.date(Acknowledgement.acknowledged_at)
        rows = session.execute(
            select(day, sa.func.count())
            .where(Acknowledgement.document_version_id == campaign.document_version_id)
            .group_by(day)
            .order_by(day)
        ).all()
    total = 0
    result = []
    for value, count in rows:
        total += count
        result.append((value if isinstance(value, date) else date.fromisoformat(str(value)[:10]), total))
    return result
