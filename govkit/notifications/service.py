"""Bringing the notices up to date: for every open campaign, the notice due to each concerned
person who has not acknowledged (govkit.notifications.schedule), and the week's digest to each
school administrator; then their sending, deferred in batches — in one transaction, idempotent
(a notice's unique key: running it again creates nothing new)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from govkit.acknowledgements.campaign_progress import PendingPerson, encode_cursor, pending_persons, statuses
from govkit.acknowledgements.models import Campaign
from govkit.days import utc_day, utc_today
from govkit.db import Database, stored_id
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import NotFound
from govkit.french import of
from govkit.jobs.queue import JobQueue, lock_key
from govkit.notifications.digests import administrators, digest_values
from govkit.notifications.models import NoticeMessage
from govkit.notifications.rendering import LINK, long_date, render
from govkit.notifications.schedule import PersonNotices, Schedule, digest_week, due, schedules
from govkit.notifications.vocabulary import BATCH, SEND, NoticeKind
from govkit.organisations.models import Organisation
from govkit.settings import Settings

#: Pending persons read at once.
PAGE = 1000


@dataclass
class UpToDate:
    """What one run created: messages by kind, their ids, and the sending jobs deferred."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NoticeKind, 0))
    message_ids: list[int] = field(default_factory=list)
    send_jobs: int = 0


def bring_up_to_date(
    *, db: Database, jobs: JobQueue, settings: Settings, school_code: str | None = None, today: date | None = None
) -> UpToDate:
    """Create the notices due on ``today`` (of one school, or of all) and defer their sending."""
    today = today or utc_today()
    report = UpToDate()
    with db.transaction() as session:
        if db.dialect == "postgresql":
            lock_key(session.connection(), "notices")  # two runs at once would create the same notices
        campaigns = _open_campaigns(session, school_code)
        schools = {
            stored_id(o): o
            for o in session.exec(
                select(Organisation).where(col(Organisation.id).in_({c.organisation_id for c in campaigns}))
            ).all()
        }
        documents = {
            d.id: d
            for d in session.exec(
                select(DocumentVersion).where(col(DocumentVersion.id).in_([c.document_version_id for c in campaigns]))
            ).all()
        }
        plans = schedules(session, list(schools), settings.reminder_days)
        created: list[NoticeMessage] = []
        for campaign in campaigns:
            school = schools[campaign.organisation_id]
            document = documents[campaign.document_version_id]
            created += _person_notices(
                session, campaign, school, document, plans[campaign.organisation_id], settings, today
            )
        created += _digests(session, campaigns, schools, plans, settings, today)
        session.add_all(created)
        session.flush()
        report.message_ids = [stored_id(m) for m in created]
        for m in created:
            report.created[m.kind] += 1
        for start in range(0, len(report.message_ids), BATCH):
            batch = report.message_ids[start : start + BATCH]
            jobs.defer(session, SEND, key=f"notices:send:{batch[0]}-{batch[-1]}", message_ids=batch)
            report.send_jobs += 1
    return report


def _open_campaigns(session: Session, school_code: str | None) -> list[Campaign]:
    query = select(Campaign).where(col(Campaign.closed_at).is_(None)).order_by(col(Campaign.id))
    if school_code is not None:
        school = session.exec(select(Organisation).where(Organisation.code == school_code)).first()
        if school is None:
            raise NotFound(f"No organisation with code {school_code!r}.")
        query = query.where(Campaign.organisation_id == school.id)
    return list(session.exec(query).all())


def _already(session: Session, campaign_id: int) -> dict[int, PersonNotices]:
    """What each person was already sent about the campaign."""
    found: dict[int, PersonNotices] = {}
    rows = session.execute(
        select(
            col(NoticeMessage.person_id),
            col(NoticeMessage.kind),
            col(NoticeMessage.step),
            col(NoticeMessage.created_at),
        ).where(NoticeMessage.campaign_id == campaign_id)
    ).all()
    for person_id, kind, step, created_at in rows:
        known = found.get(person_id, PersonNotices())
        if kind == NoticeKind.OPENING:
            known = PersonNotices(utc_day(created_at), known.last_step, known.overdue)
        elif kind == NoticeKind.REMINDER:
            known = PersonNotices(known.opened_on, max(known.last_step, step), known.overdue)
        elif kind == NoticeKind.OVERDUE:
            known = PersonNotices(known.opened_on, known.last_step, True)
        found[person_id] = known
    return found


def _pending(session: Session, campaign: Campaign, settings: Settings, today: date) -> list[PendingPerson]:
    """Every active person the campaign concerns who has not acknowledged (govkit.acknowledgements)."""
    everyone: list[PendingPerson] = []
    after = None
    while True:
        page, has_next, _total = pending_persons(
            session, campaign, today=today, days=settings.campaign_days, first=PAGE, after=after
        )
        everyone += page
        if not has_next or not page:
            return everyone
        after = encode_cursor(stored_id(page[-1].person))


def _person_notices(
    session: Session,
    campaign: Campaign,
    school: Organisation,
    document: DocumentVersion,
    plan: Schedule,
    settings: Settings,
    today: date,
) -> list[NoticeMessage]:
    campaign_id = stored_id(campaign)
    sent = _already(session, campaign_id)
    spec = catalogue().kind(campaign.kind)
    messages = []
    for pending in _pending(session, campaign, settings, today):
        person = pending.person
        person_id = stored_id(person)
        if not person.email:
            continue
        decided = due(
            sent.get(person_id, PersonNotices()),
            today=today,
            deadline=campaign.deadline,
            days=plan.reminder_days,
            late=pending.overdue,
        )
        if decided is None:
            continue
        kind, step = decided
        language = person.preferred_language
        text = render(
            kind,
            language,
            {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "document": spec.title.get(language),
                "version": document.number,
                "school": school.name,
                "of_school": of(school.name, language),
                "deadline": long_date(campaign.deadline, language),
                "days_left": (campaign.deadline - today).days + 1,
                "step": step,
                "steps": len(plan.reminder_days),
                "link": LINK,
            },
        )
        suffix = f":{step}" if kind is NoticeKind.REMINDER else ""
        messages.append(
            NoticeMessage(
                key=f"{kind.value}:{campaign_id}:{person_id}{suffix}",
                organisation_id=campaign.organisation_id,
                person_id=person_id,
                campaign_id=campaign_id,
                kind=kind.value,
                step=step,
                template=text.template,
                language=text.language,
                recipient=person.email,
                subject=text.subject,
                body=text.body,
            )
        )
    return messages


def _digests(
    session: Session,
    campaigns: Sequence[Campaign],
    schools: dict[int, Organisation],
    plans: dict[int, Schedule],
    settings: Settings,
    today: date,
) -> list[NoticeMessage]:
    """This week's digest to each administrator of each school with open campaigns, unless sent."""
    week = digest_week(today)
    messages = []
    for organisation_id, school in sorted(schools.items(), key=lambda item: item[1].code):
        if not plans[organisation_id].digest:
            continue
        mine = [c for c in campaigns if c.organisation_id == organisation_id]
        admins = administrators(session, organisation_id)
        keys = {f"digest:{organisation_id}:{a.identity_id}:{week}": a for a in admins}
        done = set(session.exec(select(NoticeMessage.key).where(col(NoticeMessage.key).in_(list(keys)))).all())
        wanted = [(key, admin) for key, admin in keys.items() if key not in done]
        if not mine or not wanted:
            continue
        counts = statuses(session, mine, today=today, days=settings.campaign_days)
        link = f"{settings.public_url.rstrip('/')}/ui/schools/{school.code}"
        for key, admin in wanted:
            values = digest_values(
                session,
                organisation_id=organisation_id,
                school=school.name,
                statuses=counts,
                language=admin.language,
                today=today,
                week=week,
                link=link,
            )
            text = render(NoticeKind.DIGEST, admin.language, values)
            messages.append(
                NoticeMessage(
                    key=key,
                    organisation_id=organisation_id,
                    person_id=admin.person_id,
                    identity_id=admin.identity_id,
                    kind=NoticeKind.DIGEST.value,
                    step=week,
                    template=text.template,
                    language=text.language,
                    recipient=admin.address,
                    subject=text.subject,
                    body=text.body,
                )
            )
    return messages
