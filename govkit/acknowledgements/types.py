"""GraphQL types of persons, acknowledgements, receipts and campaigns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from govkit.acknowledgements.campaign_progress import CampaignStatus, PopulationCount, encode_cursor
from govkit.acknowledgements.models import Person as PersonRow
from govkit.acknowledgements.person_view import ShownPending, ShownPerson, shown_person
from govkit.acknowledgements.persons import ImportReport as ImportData
from govkit.acknowledgements.receipts import ERASED
from govkit.acknowledgements.sealing import SealState, seal_states
from govkit.acknowledgements.service import MyView
from govkit.acknowledgements.service import Receipt as ReceiptData
from govkit.db import stored_id
from govkit.documents.kinds import catalogue
from govkit.documents.types import PublishedDocument
from govkit.privacy.exposure import Exposure, mask, pseudonym
from govkit.resolving import Batch, Info, Wired, build

#: The seals of the receipts a request shows, read in one query.
SEALS: Batch[int, SealState] = Batch(seal_states, "acknowledgement_ids", SealState.sealing)
#: Everything govkit holds about the signed-in member (govkit.flows.data_protection.my_data, wired by
#: govkit.composition: the flows sit above this package).
MY_DATA: Wired[Callable[..., dict[str, Any]]] = Wired("own data export")


@strawberry.type(description="The proof of one acknowledgement")
class Receipt:
    id: strawberry.ID
    verification_code: str
    person_external_id: str | None = strawberry.field(
        description="The person's external id (null for auditors, who see personPseudonym)"
    )
    person_pseudonym: str | None = strawberry.field(
        description="The person's stable pseudonym, P- and 16 hex digits (govkit.privacy.exposure)"
    )
    school: str
    kind: str
    title: str
    version: int
    language: str
    document_sha256: str
    wording: str | None = strawberry.field(
        description="The exact words accepted, as recorded (a notice instead once personal data were erased; "
        "null for auditors: it names the person)"
    )
    acknowledged_at: datetime = strawberry.field(description="Server time, UTC")
    method: str = strawberry.field(description="electronic, paper or carried_forward")
    authentication: str
    recorded_by: str
    reason: str | None
    personal_data_erased: bool = strawberry.field(
        description="The record's personal data (wording, who recorded it, reason, client data) were erased; "
        "its hash still verifies through their salted digests"
    )
    shown_at: datetime | None = strawberry.field(
        description="When the version was delivered to the person before they accepted it (UTC; null for a paper "
        "visa, a record carried forward, or one made before govkit recorded deliveries)"
    )
    shown_via: str | None = strawberry.field(
        description="How it was delivered: page (opened on the member's page), pdf or docx (downloaded while signed "
        "in), intranet (displayed by an intranet, as it said)"
    )
    record_hash: str
    previous_hash: str
    certificate_url: str
    verification_url: str
    pdf_url: str = strawberry.field(
        description="The sealed PDF/A receipt (absolute URL; 503 with Retry-After while sealing)"
    )

    @strawberry.field(description="The PDF receipt's seal: sealing, sealed, unsealed (no sealing identity) or failed")
    async def seal_status(self, info: Info) -> str:
        return (await self._seal(info)).status

    @strawberry.field(description="When the receipt was sealed (the seal's signing time, govkit's clock)")
    async def sealed_at(self, info: Info) -> datetime | None:
        return (await self._seal(info)).sealed_at

    @strawberry.field(description="The time the time-stamping authority certified in the seal (null without a TSA)")
    async def timestamped_at(self, info: Info) -> datetime | None:
        return (await self._seal(info)).timestamp_time

    @strawberry.field(description="The time-stamping authority that certified the seal's time")
    async def tsa_name(self, info: Info) -> str | None:
        return (await self._seal(info)).tsa_name

    async def _seal(self, info: Info) -> SealState:
        return await info.context.loader(SEALS).load(int(self.id))

    @classmethod
    def from_data(cls, receipt: ReceiptData, public_url: str) -> Receipt:
        r = receipt.record
        base = public_url.rstrip("/")
        shown = mask(
            "Receipt",
            {
                "person_external_id": receipt.person.external_id,
                "wording": ERASED if r.wording is None else r.wording,
            },
            receipt.exposure,
        )
        return cls(
            id=strawberry.ID(str(r.id)),
            verification_code=r.verification_code,
            person_external_id=shown["person_external_id"],
            person_pseudonym=receipt.pseudonym,
            school=receipt.organisation.code,
            kind=receipt.document.kind,
            title=receipt.title,
            version=receipt.document.number,
            language=receipt.document.language,
            document_sha256=r.document_sha256,
            wording=shown["wording"],
            acknowledged_at=r.acknowledged_at,
            method=r.method,
            authentication=r.auth_method,
            recorded_by=ERASED if r.recorded_by is None else r.recorded_by,
            reason=r.reason,
            personal_data_erased=r.personal_data_erased,
            shown_at=r.shown_at,
            shown_via=r.shown_via,
            record_hash=r.record_hash,
            previous_hash=r.previous_hash,
            certificate_url=f"{base}/receipts/{r.verification_code}.docx",
            verification_url=f"{base}/verify/{r.verification_code}?sha256={r.document_sha256}",
            pdf_url=f"{base}/receipts/{r.verification_code}.pdf",
        )


@strawberry.type
class PendingDocument:
    document: PublishedDocument
    translation: PublishedDocument | None = strawberry.field(description="The English text, to read alongside")
    wording: str = strawberry.field(description="The words the acknowledgement will record")
    deadline: date | None
    overdue: bool


@strawberry.type(
    description="A person. Personal fields the caller may not see are null (minimal exposure: intranets without "
    "the persons:read scope see none; auditors see the pseudonym only; govkit.privacy.exposure)"
)
class Person:
    external_id: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    school: str
    populations: list[str]
    status: str
    entry_date: date | None
    preferred_language: str | None
    pseudonym: str | None = strawberry.field(
        description="A stable pseudonym of the person (P- and 16 hex digits), for those who may see them"
    )


def person_of(person: PersonRow | ShownPerson, school: str, populations: Iterable[str], key: str = "") -> Person:
    """A person as shown (a row: in full, the member's own record, with its pseudonym under ``key``)."""
    shown = person if isinstance(person, ShownPerson) else shown_person(person, Exposure.FULL, key)
    return build(Person, shown, school=school, populations=list(populations))


@strawberry.type(
    description="A read of your personal data by staff (GDPR art. 15): when, by which role of which school"
)
class ReadOfMyData:
    read_at: datetime = strawberry.field(description="UTC")
    role: str | None = strawberry.field(description="The reader's role: legal, school_admin, intranet, auditor")
    school: str | None = strawberry.field(description="The reader's school (null: group-wide staff)")
    channel: str = strawberry.field(description="page, graphql, csv or cli")
    fields: list[str] = strawberry.field(description="The personal fields shown")


@strawberry.type(description="The signed-in member: what to acknowledge, and what was acknowledged")
class Me:
    person: Person
    pending_documents: list[PendingDocument]
    acknowledgements: list[Receipt]

    @strawberry.field(
        description="Who read your personal data and when, newest first (staff by role and school, GDPR art. 15)"
    )
    async def reads_of_my_data(self, info: Info) -> list[ReadOfMyData]:
        from govkit.acknowledgements.member_reads import my_reads

        found = await info.context.call(my_reads)
        return [
            ReadOfMyData(read_at=r.read_at, role=r.role, school=r.school, channel=r.channel, fields=list(r.fields))
            for r in found
        ]

    @classmethod
    def from_data(cls, view: MyView, public_url: str, key: str = "") -> Me:
        code = view.organisation.code
        alias = pseudonym(stored_id(view.person), key) if key else None
        return cls(
            person=person_of(view.person, code, view.populations, key),
            pending_documents=[
                PendingDocument(
                    document=PublishedDocument.from_model(code, d.document, public_url),
                    translation=PublishedDocument.from_model(code, d.translation, public_url)
                    if d.translation
                    else None,
                    wording=d.wording,
                    deadline=d.deadline,
                    overdue=d.overdue,
                )
                for d in view.pending
            ],
            acknowledgements=[Receipt.from_data(replace(r, pseudonym=alias), public_url) for r in view.receipts],
        )

    @strawberry.field(
        description="Everything govkit holds about you, by section, as JSON (GDPR art. 15 and 20; the same as "
        "/ui/me/data.json): identity and contact, school and populations, acknowledgements and their receipts' "
        "addresses, campaigns and e-mails, sign-in links, role grants, correction requests. Audited."
    )
    async def my_data(self, info: Info) -> JSON:
        context = info.context
        data = await context.call(
            context.wired(MY_DATA),
            public_url=context.settings.public_url,
            channel="graphql",
            correlation_id=context.correlation_id,
            client_ip=context.client_ip,
        )
        return cast(JSON, data)


@strawberry.type
class PopulationProgress:
    population: str
    concerned: int
    acknowledged: int
    pending: int
    overdue: int
    rate: float

    @classmethod
    def from_data(cls, count: PopulationCount) -> PopulationProgress:
        return build(cls, count, rate=round(count.rate, 4))


@strawberry.type
class PendingPersonEdge:
    cursor: str
    node: Person
    overdue: bool


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class PendingPersonConnection:
    edges: list[PendingPersonEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, school: str, page: list[ShownPending], has_next: bool, total: int) -> PendingPersonConnection:
        edges = [
            PendingPersonEdge(
                cursor=encode_cursor(item.person.id),
                node=person_of(item.person, school, item.populations),
                overdue=item.overdue,
            )
            for item in page
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
            total_count=total,
        )


@strawberry.type
class ImportError_:
    line: int
    column: str | None
    message: str


@strawberry.type(name="ImportReport", description="Nothing is imported when there is any error")
class ImportReport:
    imported: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    departed: int
    errors: list[ImportError_]

    @classmethod
    def from_data(cls, report: ImportData) -> ImportReport:
        return build(cls, report, imported=report.ok)


def campaign_title(status: CampaignStatus) -> str:
    return catalogue().kind(status.campaign.kind).title.fr


@strawberry.type(description="An acknowledgement campaign and its progress (SQL aggregates)")
class Campaign:
    db_id: strawberry.Private[int]
    school_code: strawberry.Private[str]
    as_of: strawberry.Private[date | None]
    id: strawberry.ID
    kind: str
    title: str
    document: PublishedDocument
    change_kind: str
    opened_at: datetime
    deadline: date
    closed_at: datetime | None
    overdue: bool
    concerned: int
    acknowledged: int
    pending: int
    rate: float
    populations: list[PopulationProgress]

    @classmethod
    def from_status(cls, school: str, status: CampaignStatus, public_url: str, as_of: date | None = None) -> Campaign:
        c = status.campaign
        return cls(
            db_id=stored_id(c),
            school_code=school,
            as_of=as_of,
            id=strawberry.ID(str(c.id)),
            kind=c.kind,
            title=campaign_title(status),
            document=PublishedDocument.from_model(school, status.document, public_url),
            change_kind=c.change_kind,
            opened_at=c.opened_at,
            deadline=c.deadline,
            closed_at=c.closed_at,
            overdue=status.overdue,
            concerned=status.total.concerned,
            acknowledged=status.total.acknowledged,
            pending=status.total.pending,
            rate=round(status.total.rate, 4),
            populations=[PopulationProgress.from_data(p) for p in status.populations],
        )

    @strawberry.field(description="Persons who have not acknowledged (as of the campaigns' date), keyset-paginated")
    async def pending_persons(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        population: str | None = None,
        search: str | None = None,
    ) -> PendingPersonConnection:
        from govkit.acknowledgements import service

        page, has_next, total = await info.context.call(
            service.pending_persons,
            campaign_id=self.db_id,
            first=first,
            after=after,
            population=population,
            search=search,
            days=info.context.settings.campaign_days,
            as_of=self.as_of,
            note=service.ReadNote(
                "graphql",
                info.context.settings.pseudonym_secret(),
                info.context.correlation_id,
                info.context.client_ip,
            ),
        )
        return PendingPersonConnection.from_page(self.school_code, page, has_next, total)
