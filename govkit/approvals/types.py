"""GraphQL type of a four-eyes request."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from govkit.approvals.models import Approval as ApprovalRow


@strawberry.type(
    description="A request for a second legal officer's approval (four eyes): who asked and when, "
    "who decided what and when"
)
class Approval:
    id: strawberry.ID
    action: str = strawberry.field(description="What is to be done, e.g. root_template_version.publish")
    target: str = strawberry.field(description="What it is done to, e.g. root_template_version:12")
    summary: str
    status: str = strawberry.field(description="pending, approved or refused")
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None = strawberry.field(description="The decider's comment (required to refuse)")
    outcome: JSON = strawberry.field(description="What carrying out the approved action made (ids)")

    @classmethod
    def of(cls, row: ApprovalRow) -> Approval:
        return cls(
            id=strawberry.ID(str(row.id)),
            action=row.action,
            target=row.target,
            summary=row.summary,
            status=row.status,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            comment=row.comment,
            outcome=cast(JSON, row.outcome),
        )
