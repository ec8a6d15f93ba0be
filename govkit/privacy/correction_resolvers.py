"""GraphQL entry points of correction requests (govkit.privacy.corrections): a member asks for the
correction of their data and follows their requests; the administration of their school reads its
open requests and decides them; legal staff read every school's."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.privacy import corrections as service
from govkit.privacy.correction_models import CorrectionRequest as Row
from govkit.resolving import Info, Wired

#: What is told by e-mail when a request is made or decided (govkit.flows.corrections, wired by
#: govkit.composition).
TELLING: Wired[service.Telling] = Wired("correction notices")


@strawberry.type(description="Who asked for a correction (shown to their school's administration and legal staff)")
class CorrectionRequester:
    school: str
    external_id: str
    given_name: str
    family_name: str
    email: str


@strawberry.type(description="A request for the correction of one's data (GDPR art. 16), and its decision")
class CorrectionRequest:
    id: strawberry.ID
    section: str = strawberry.field(description=f"Which section of your data: {', '.join(service.CORRECTABLE)}")
    field: str = strawberry.field(description="Which data, in the requester's words")
    requested_text: str = strawberry.field(description="What it should say")
    status: str = strawberry.field(description="open, done or refused")
    requested_at: datetime
    decided_at: datetime | None
    note: str | None = strawberry.field(description="done: what was corrected; refused: why")
    requester: CorrectionRequester | None = strawberry.field(
        description="Who asked (staff only; null in your own requests)"
    )

    @classmethod
    def of(cls, row: Row, requester: CorrectionRequester | None = None) -> CorrectionRequest:
        return cls(
            id=strawberry.ID(str(row.id)),
            section=row.section,
            field=row.field,
            requested_text=row.requested_text,
            status=row.status,
            requested_at=row.requested_at,
            decided_at=row.decided_at,
            note=row.note,
            requester=requester,
        )

    @classmethod
    def requested(cls, item: service.Requested) -> CorrectionRequest:
        who = CorrectionRequester(
            school=item.school,
            external_id=item.external_id,
            given_name=item.given_name,
            family_name=item.family_name,
            email=item.email,
        )
        return cls.of(item.request, who)


@strawberry.type
class CorrectionQuery:
    @strawberry.field(description="Your requests for the correction of your data, newest first (members)")
    async def my_correction_requests(self, info: Info) -> list[CorrectionRequest]:
        return [CorrectionRequest.of(r) for r in await info.context.call(service.my_requests)]

    @strawberry.field(
        description="The correction requests of your school (its administration) or of every school (legal "
        "staff), oldest first; status open (default), done or refused, null for all. The read is audited."
    )
    async def correction_requests(self, info: Info, status: str | None = "open") -> list[CorrectionRequest]:
        found = await info.context.call(
            service.school_requests,
            status=status,
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        return [CorrectionRequest.requested(item) for item in found]


@strawberry.type
class CorrectionMutation:
    @strawberry.mutation(
        description="Ask your school's administration to correct your data (members; GDPR art. 16): section "
        f"({', '.join(service.CORRECTABLE)}), field (which data, {service.MAX_FIELD} characters at most) and "
        f"requestedText (what it should say, {service.MAX_TEXT} characters at most); neither is written to the "
        "audit log. The administration is told by e-mail; "
        "you are told of its decision. Audited; rate-limited."
    )
    async def request_correction(self, info: Info, section: str, field: str, requested_text: str) -> CorrectionRequest:
        row = await info.context.call(
            service.request_correction,
            section=section,
            field=field,
            text=requested_text,
            tell=info.context.wired(TELLING).requested,
            action="mutation.requestCorrection",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))
        return CorrectionRequest.of(row)

    @strawberry.mutation(
        description="Decide a correction request of your school (its administration), once: done=true with a "
        "decisionNote of what was corrected (optional), or done=false with the reason (required). The person is told "
        "by e-mail. Audited."
    )
    async def decide_correction_request(
        self, info: Info, request_id: strawberry.ID, done: bool, decision_note: str = ""
    ) -> CorrectionRequest:
        row = await info.context.call(
            service.decide_correction,
            request_id=request_id,
            done=done,
            note=decision_note,
            tell=info.context.wired(TELLING).decided,
            action="mutation.decideCorrectionRequest",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))
        return CorrectionRequest.of(row)
