"""GraphQL entry points of the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from govkit.access import audit
from govkit.resolving import Info, build


@strawberry.type
class AuditEntry:
    id: strawberry.ID
    at: datetime
    correlation_id: str
    subject: str
    role: str | None
    organisation: str | None
    action: str
    target: JSON
    outcome: str = strawberry.field(description="ok, refused or error")
    detail: str | None


@strawberry.type
class AuditPage:
    entries: list[AuditEntry]
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit log, newest first (auditors and legal staff)")
    async def audit_log(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        outcome: str | None = None,
        subject: str | None = None,
    ) -> AuditPage:
        page = await info.context.call(audit.events, first=first, after=after, outcome=outcome, subject=subject)
        return AuditPage(
            entries=[build(AuditEntry, e) for e in page.events],
            has_next_page=page.has_next,
            end_cursor=page.end_cursor,
        )
