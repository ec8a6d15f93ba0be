"""GraphQL entry points of four eyes: the pending requests, a target's history, approve, refuse.

Requests are made by the mutations of the actions that need approval (e.g. ``publishRootVersion``),
which authorise the action itself first."""

from __future__ import annotations

import strawberry

from govkit.approvals import service
from govkit.approvals.types import Approval
from govkit.resolving import Info, Wired

#: What each approved action does, by action name (built by govkit.composition).
HANDLERS: Wired[service.Handlers] = Wired("approval handlers")


@strawberry.type
class ApprovalQuery:
    @strawberry.field(description="The requests waiting for a second legal officer, oldest first (legal, auditors)")
    async def pending_approvals(self, info: Info, action: str | None = None) -> list[Approval]:
        return [Approval.of(a) for a in await info.context.call(service.pending, action=action)]

    @strawberry.field(description="Every request about one target (e.g. root_template_version:12), oldest first")
    async def approvals(self, info: Info, target: str) -> list[Approval]:
        return [Approval.of(a) for a in await info.context.call(service.history, target=target)]


@strawberry.type
class ApprovalMutation:
    @strawberry.mutation(
        description="Approve a pending request (a legal officer other than the requester): the action is carried out"
    )
    async def approve(self, info: Info, approval_id: strawberry.ID, comment: str | None = None) -> Approval:
        done = await info.context.call(
            service.approve, handlers=info.context.wired(HANDLERS), approval_id=approval_id, comment=comment
        )
        return Approval.of(done)

    @strawberry.mutation(
        description="Refuse a pending request with a comment (a legal officer other than the requester)"
    )
    async def refuse_approval(self, info: Info, approval_id: strawberry.ID, comment: str) -> Approval:
        return Approval.of(await info.context.call(service.refuse, approval_id=approval_id, comment=comment))
