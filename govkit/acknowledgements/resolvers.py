"""GraphQL entry points of acknowledgements: map input, call the service, map output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from govkit.access import audit
from govkit.acknowledgements import persons, service
from govkit.acknowledgements.recorder import Recorder
from govkit.acknowledgements.types import Campaign, ImportReport, Me, Receipt
from govkit.documents.resolvers import JOB_QUEUE
from govkit.resolving import Info, Wired, upload_reader

#: The process's acknowledgement recorder (govkit.composition builds it once).
RECORDER: Wired[Recorder] = Wired("acknowledgement recorder")


def _client(info: Info) -> service.ClientInfo:
    request = info.context.request
    host = request.client.host if request is not None and request.client else None
    agent = request.headers.get("user-agent") if request is not None else None
    return service.ClientInfo(ip=host, user_agent=agent)


@strawberry.type
class AcknowledgementQuery:
    @strawberry.field(description="The signed-in member: documents to acknowledge and acknowledgements")
    async def me(self, info: Info) -> Me:
        view = await info.context.call(service.me, days=info.context.settings.campaign_days)
        settings = info.context.settings
        return Me.from_data(view, settings.public_url, settings.pseudonym_secret())

    @strawberry.field(description="A school's acknowledgement campaigns with their progress, today or as of a date")
    async def campaigns(
        self,
        info: Info,
        school: str,
        include_closed: bool = False,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The campaigns open at the end of that day, counted as then: the persons present "
                "that day, the acknowledgements recorded by its end"
            ),
        ] = None,
    ) -> list[Campaign]:
        rows = await info.context.call(
            service.campaigns,
            school=school,
            include_closed=include_closed,
            days=info.context.settings.campaign_days,
            as_of=as_of,
        )
        return [Campaign.from_status(school, s, info.context.settings.public_url, as_of) for s in rows]

    @strawberry.field(description="A receipt by its verification code (yours, or of your school as its admin)")
    async def receipt(self, info: Info, code: str) -> Receipt:
        note = service.ReadNote(
            "graphql", info.context.settings.pseudonym_secret(), info.context.correlation_id, info.context.client_ip
        )
        found = await info.context.call(service.receipt, code=code, note=note)
        return Receipt.from_data(found, info.context.settings.public_url)


@strawberry.type
class AcknowledgementMutation:
    @strawberry.mutation(
        description="Acknowledge a document version in force, as yourself; idempotent. Proof of display: "
        "the version must have been delivered to you before (opened on your page /ui/me/documents/{id}, or "
        "downloaded while signed in: /documents/{sha256} with your token, /ui/files/{sha256}, "
        "/ui/me/documents/{id}/pdf), or be displayed by the intranet "
        "you acknowledge through, which says so with displayedBy and displayedAt. Since issue 18 documentSha256 "
        "is required: this deliberately tightens the public contract (an acknowledgement without the SHA-256 "
        "of the version shown, or of a version never delivered to you, is refused)."
    )
    async def acknowledge(
        self,
        info: Info,
        document_version_id: strawberry.ID,
        document_sha256: Annotated[
            str,
            strawberry.argument(
                description="The SHA-256 of the version shown to you (publishedDocuments' or me's sha256): "
                "required; a mismatch (another version) is refused"
            ),
        ],
        language: str | None = None,
        displayed_by: Annotated[
            str | None,
            strawberry.argument(
                description="For an intranet that displays the document itself: its name. With displayedAt, "
                "recorded as the delivery of the version to you by that intranet, with the acknowledgement"
            ),
        ] = None,
        displayed_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="With displayedBy: when the intranet displayed the version to you (with its time "
                "zone; not in the future, not before the version was published)"
            ),
        ] = None,
    ) -> Receipt:
        given = {
            "documentVersionId": document_version_id,
            "documentSha256": document_sha256,
            "language": language,
            "displayedBy": displayed_by,
            "displayedAt": displayed_at.isoformat() if displayed_at else None,
        }
        note = service.AuditNote(
            actor=info.context.actor,
            action="mutation.acknowledge",
            correlation_id=info.context.correlation_id,
            target=audit.summarise({k: v for k, v in given.items() if v is not None}),
            client_ip=info.context.client_ip,
        )
        found = await service.acknowledge(
            recorder=info.context.wired(RECORDER),
            actor=info.context.actor,
            document_version_id=document_version_id,
            client=_client(info),
            language=language,
            shown_sha256=document_sha256,
            displayed_by=displayed_by,
            displayed_at=displayed_at,
            audit=note,
        )
        info.context.audited.add(str(info.path.key))  # written with the record, in its transaction
        return Receipt.from_data(found, info.context.settings.public_url)

    @strawberry.mutation(description="Record a visa signed on paper for a person of your school, with a reason")
    async def record_paper_acknowledgement(
        self,
        info: Info,
        school: str,
        person_external_id: str,
        document_version_id: strawberry.ID,
        reason: str,
        signed_on: date | None = None,
    ) -> Receipt:
        found = await service.record_paper_acknowledgement(
            db=info.context.db,
            recorder=info.context.wired(RECORDER),
            actor=info.context.actor,
            school=school,
            person_external_id=person_external_id,
            document_version_id=document_version_id,
            reason=reason,
            signed_on=signed_on,
        )
        return Receipt.from_data(found, info.context.settings.public_url)

    @strawberry.mutation(description="Import a school's persons from CSV (multipart); all lines or none")
    async def import_persons(self, info: Info, school: str, file: Upload) -> ImportReport:
        data = upload_reader(file, argument="file", limit=persons.MAX_BYTES)
        jobs = info.context.wired(JOB_QUEUE)  # the notices to whoever joined
        report = await info.context.call(persons.import_persons, school=school, data=data, jobs=jobs)
        return ImportReport.from_data(report)
