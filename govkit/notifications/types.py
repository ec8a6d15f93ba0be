"""GraphQL types of the e-mail notices."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.notifications import reads
from govkit.notifications.rendering import TemplateText
from govkit.notifications.schedule import Schedule
from govkit.notifications.vocabulary import NoticeKind, NoticeStatus
from govkit.resolving import build

strawberry.enum(NoticeKind, description="What a notice is about")
strawberry.enum(NoticeStatus, description="Where a notice stands")


@strawberry.type(description="An e-mail notice to a person, or a digest to a school administrator")
class Notice:
    id: strawberry.ID
    kind: NoticeKind
    step: int = strawberry.field(description="A reminder's step of the schedule; a digest's ISO week (YYYYWW)")
    template: str = strawberry.field(description="The template it was rendered from, e.g. reminder.fr")
    language: str
    recipient: str
    person_external_id: str | None
    campaign_id: strawberry.ID | None
    subject: str
    body: str = strawberry.field(description="The text; the personal sign-in link is never stored but in the outbox")
    status: NoticeStatus
    attempts: int
    smtp_code: int | None = strawberry.field(description="The SMTP server's last answer code (null: none came)")
    smtp_answer: str | None = strawberry.field(description="The SMTP server's last answer, or why none came")
    created_at: datetime
    last_attempt_at: datetime | None
    sent_at: datetime | None = strawberry.field(description="When the server accepted it (or it was kept)")

    @classmethod
    def of(cls, notice: reads.Notice) -> Notice:
        return build(cls, reads.as_plain(notice))


@strawberry.type(description="Messages of a school by status")
class NoticeCounts:
    queued: int
    sent: int
    failed: int
    kept: int


@strawberry.type(description="A school's reminder schedule")
class NoticeSchedule:
    reminder_days: list[int] = strawberry.field(description="Days after the opening notice, ascending")
    digest: bool = strawberry.field(description="Weekly digests to the school's administrators")
    recorded_at: datetime | None = strawberry.field(description="null: govkit's default (GOVKIT_REMINDER_DAYS)")
    recorded_by: str | None

    @classmethod
    def of(cls, schedule: Schedule) -> NoticeSchedule:
        return cls(
            reminder_days=list(schedule.reminder_days),
            digest=schedule.digest,
            recorded_at=schedule.recorded_at,
            recorded_by=schedule.recorded_by,
        )


@strawberry.type
class NoticePageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A school's notices: counts, schedule, and a page of messages (newest first)")
class Notices:
    school: str
    counts: NoticeCounts
    schedule: NoticeSchedule
    nodes: list[Notice]
    page_info: NoticePageInfo

    @classmethod
    def of(cls, page: reads.NoticePage) -> Notices:
        return cls(
            school=page.school,
            counts=NoticeCounts(**page.counts),
            schedule=NoticeSchedule.of(page.schedule),
            nodes=[Notice.of(n) for n in page.notices],
            page_info=NoticePageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        )


@strawberry.type(description="A template of the notices, as legal staff read it")
class NoticeTemplate:
    kind: NoticeKind
    language: str
    name: str
    source: str = strawberry.field(description="Jinja text: the first line is the subject")

    @classmethod
    def of(cls, text: TemplateText) -> NoticeTemplate:
        return cls(kind=NoticeKind(text.kind), language=text.language, name=text.name, source=text.source)
