"""GraphQL entry points of local provisions (govkit.documents.provisions): the places of a kind, a
school's provisions with their revisions; the school's administration proposes, legal staff approve
or send back."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.access.policy import Action
from govkit.documents import provisions as service
from govkit.documents.kinds import catalogue
from govkit.documents.provision_models import LocalProvisionRevision
from govkit.resolving import Info, public


@strawberry.type(description="A place of a kind's root template where a school may add its own provisions")
class ProvisionPlace:
    kind: str
    key: str
    title_fr: str
    title_en: str


@strawberry.type(description="One proposal of a provision's text, and legal staff's decision on it")
class ProvisionRevision:
    id: strawberry.ID
    number: int
    text_fr: str
    text_en: str
    proposed_by: str
    proposed_at: datetime
    decision: str | None = strawberry.field(description="null while it awaits review; approved or sent_back")
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None = strawberry.field(description="Legal staff's comment (why it was sent back)")

    @classmethod
    def of(cls, r: LocalProvisionRevision) -> ProvisionRevision:
        return cls(
            id=strawberry.ID(str(r.id)),
            number=r.number,
            text_fr=r.text_fr,
            text_en=r.text_en,
            proposed_by=r.proposed_by,
            proposed_at=r.proposed_at,
            decision=r.decision,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            comment=r.comment,
        )


@strawberry.type(description="A school's provision at one place of a kind: its revisions, newest first")
class LocalProvision:
    school: str
    kind: str
    place: ProvisionPlace
    status: str = strawberry.field(description="none, proposed (awaiting review), approved or sent_back")
    approved: ProvisionRevision | None = strawberry.field(description="The text its next variants print")
    pending: ProvisionRevision | None = strawberry.field(description="The revision awaiting review")
    revisions: list[ProvisionRevision]

    @classmethod
    def of(cls, s: service.ProvisionState) -> LocalProvision:
        return cls(
            school=s.school,
            kind=s.kind,
            place=ProvisionPlace(kind=s.kind, key=s.place.key, title_fr=s.place.title.fr, title_en=s.place.title.en),
            status=s.status,
            approved=ProvisionRevision.of(s.approved) if s.approved else None,
            pending=ProvisionRevision.of(s.pending) if s.pending else None,
            revisions=[ProvisionRevision.of(r) for r in s.revisions],
        )


@strawberry.type
class ProvisionQuery:
    @strawberry.field(
        description="The provision places of a kind (every kind's when none is given)",
        metadata=public(Action.READ_KINDS),
    )
    def provision_places(self, info: Info, kind: str | None = None) -> list[ProvisionPlace]:
        specs = [catalogue().kind(kind)] if kind else list(catalogue().kinds.values())
        return [
            ProvisionPlace(kind=s.key, key=p.key, title_fr=p.title.fr, title_en=p.title.en)
            for s in specs
            for p in s.provision_places
        ]

    @strawberry.field(description="A school's provisions at every place of every kind (or of kind)")
    async def local_provisions(self, info: Info, school: str, kind: str | None = None) -> list[LocalProvision]:
        states = await info.context.call(service.school_provisions, school=school, kind=kind)
        return [LocalProvision.of(s) for s in states]

    @strawberry.field(description="The provisions awaiting legal staff's review, by school (legal staff)")
    async def pending_provisions(self, info: Info) -> list[LocalProvision]:
        return [LocalProvision.of(s) for s in await info.context.call(service.pending_provisions)]


@strawberry.type
class ProvisionMutation:
    @strawberry.mutation(
        description="Propose the school's own text, in French and English (plain paragraphs, one per line), "
        "for a provision place of a kind (the school's administration; audited): it awaits legal staff's review"
    )
    async def propose_local_provision(
        self, info: Info, school: str, kind: str, place: str, text_fr: str, text_en: str
    ) -> ProvisionRevision:
        revision = await info.context.call(
            service.propose_provision,
            school=school,
            kind=kind,
            place=place,
            text_fr=text_fr,
            text_en=text_en,
            action="mutation.proposeLocalProvision",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))
        return ProvisionRevision.of(revision)

    @strawberry.mutation(
        description="Approve a proposed provision (legal staff; audited): the school's next variants print it"
    )
    async def approve_local_provision(self, info: Info, revision_id: strawberry.ID) -> ProvisionRevision:
        return await _decide(info, revision_id, approve=True, comment=None, name="approveLocalProvision")

    @strawberry.mutation(
        description="Send a proposed provision back to the school with a comment (legal staff; audited)"
    )
    async def send_back_local_provision(
        self, info: Info, revision_id: strawberry.ID, comment: str
    ) -> ProvisionRevision:
        return await _decide(info, revision_id, approve=False, comment=comment, name="sendBackLocalProvision")


async def _decide(info: Info, revision_id: str, *, approve: bool, comment: str | None, name: str) -> ProvisionRevision:
    revision = await info.context.call(
        service.decide_provision,
        revision_id=revision_id,
        approve=approve,
        comment=comment,
        action=f"mutation.{name}",
        correlation_id=info.context.correlation_id,
        client_ip=info.context.client_ip,
    )
    info.context.audited.add(str(info.path.key))
    return ProvisionRevision.of(revision)
