"""GraphQL entry points of the e-mail notices: map input, call the service, map output."""

from __future__ import annotations

import strawberry

from govkit.notifications import reads
from govkit.notifications.types import Notices, NoticeSchedule, NoticeStatus, NoticeTemplate
from govkit.resolving import Info


@strawberry.type
class NoticesQuery:
    @strawberry.field(
        description="A school's e-mail notices, newest first: counts by status, its reminder schedule, and "
        "the messages with the SMTP server's answers (the school's administration, legal staff)"
    )
    async def notices(
        self, info: Info, school: str, status: NoticeStatus | None = None, first: int = 50, after: str | None = None
    ) -> Notices:
        page = await info.context.call(
            reads.notices,
            settings=info.context.settings,
            school=school,
            status=None if status is None else status.value,
            first=first,
            after=after,
            correlation_id=info.context.correlation_id,
        )
        return Notices.of(page)

    @strawberry.field(description="The templates of the notices in French and English (legal staff)")
    async def notice_templates(self, info: Info) -> list[NoticeTemplate]:
        return [NoticeTemplate.of(t) for t in await info.context.call(reads.notice_templates)]


@strawberry.type
class NoticesMutation:
    @strawberry.mutation(
        description="Set a school's reminder days after the opening notice (positive, ascending, at most 10) "
        "and whether its administrators get weekly digests (the school's administration, legal staff; audited)"
    )
    async def set_notice_schedule(
        self, info: Info, school: str, reminder_days: list[int], digest: bool | None = None
    ) -> NoticeSchedule:
        schedule = await info.context.call(
            reads.set_notice_schedule,
            settings=info.context.settings,
            school=school,
            reminder_days=reminder_days,
            digest=digest,
            action="mutation.setNoticeSchedule",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))  # written with the schedule, in its transaction
        return NoticeSchedule.of(schedule)
