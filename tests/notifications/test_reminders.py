"""Reminders follow the school's schedule (counted from each person's opening notice), never after
an acknowledgement or a departure; one overdue notice after the deadline; a weekly digest to the
school's administrators — each created once however often the notices are brought up to date."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import select

from govkit.access.roles import SYSTEM
from govkit.acknowledgements.models import Person
from govkit.auth.models import Identity, RoleGrant
from govkit.days import utc_today
from govkit.db import Database, stored_id, utcnow
from govkit.jobs.inprocess import InProcessQueue
from govkit.notifications import reads
from govkit.notifications.schedule import digest_week
from govkit.notifications.service import bring_up_to_date
from govkit.notifications.vocabulary import NoticeKind
from govkit.organisations.models import Organisation
from govkit.settings import Settings
from tests.ack_helpers import acknowledge, member, republish
from tests.notifications.conftest import SmtpServer
from tests.notifications.helpers import campaign_of, messages, pending

SCHOOL = "imt-mines-albi"


def _run(db: Database, jobs: InProcessQueue, settings: Settings, day: date) -> dict[str, int]:
    made = bring_up_to_date(db=db, jobs=jobs, settings=settings, school_code=SCHOOL, today=day)
    jobs.drain(timeout=60)
    return {k.value: n for k, n in made.created.items()}


def _depart(db: Database, person_id: int) -> None:
    with db.transaction() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.status, person.departure_date, person.departure_recorded_at = "departed", utc_today(), utcnow()
        session.add(person)


def test_reminders_on_schedule_never_after_acknowledgement_or_departure_and_overdue_once(
    db: Database, smtp: SmtpServer, jobs: InProcessQueue, settings_smtp: Settings
) -> None:
    reads.set_notice_schedule(db=db, actor=SYSTEM, settings=settings_smtp, school=SCHOOL, reminder_days=[3, 6])
    document = republish(db, SCHOOL, "internal", "substantive")  # no job queue: nothing sent yet
    campaign = campaign_of(db, document)
    today = utc_today()
    assert campaign.deadline == today + timedelta(days=30)
    everyone = pending(db, campaign)
    assert _run(db, jobs, settings_smtp, today)["opening"] >= len(everyone)
    mine = list(messages(db, campaign_id=campaign.id))
    assert sorted(m.person_id for m in mine) == sorted(p.id for p in everyone)

    acknowledged, departed, *others = everyone
    acknowledge(db=db, actor=member(db, SCHOOL, acknowledged.external_id), document_version_id=document.id)
    _depart(db, stored_id(departed))

    def reminders(step: int) -> list[int]:
        return sorted(m.person_id for m in messages(db, campaign_id=campaign.id, kind="reminder", step=step))

    assert _run(db, jobs, settings_smtp, today + timedelta(days=2))["reminder"] == 0  # step 1 is on day 3
    _run(db, jobs, settings_smtp, today + timedelta(days=3))
    assert reminders(1) == sorted(p.id for p in others)
    assert _run(db, jobs, settings_smtp, today + timedelta(days=4))["reminder"] == 0  # once a step
    _run(db, jobs, settings_smtp, today + timedelta(days=8))
    assert reminders(2) == sorted(p.id for p in others)
    assert _run(db, jobs, settings_smtp, today + timedelta(days=20)) == dict.fromkeys(
        (k.value for k in NoticeKind), 0
    )  # nothing of any kind: the schedule is over; the week's digest was sent (no administrators yet)

    late = _run(db, jobs, settings_smtp, today + timedelta(days=31))  # the deadline has passed
    overdue = messages(db, campaign_id=campaign.id, kind="overdue")
    assert late["reminder"] == 0 and sorted(m.person_id for m in overdue) == sorted(p.id for p in others)
    assert _run(db, jobs, settings_smtp, today + timedelta(days=32))["overdue"] == 0  # once
    for person in (acknowledged, departed):
        assert [m.kind for m in messages(db, campaign_id=campaign.id, person_id=person.id)] == ["opening"]
    # every message of the campaign reached the SMTP server once, overdue ones in the right words
    received = smtp.collector.by_notice()
    for m in messages(db, campaign_id=campaign.id):
        assert m.status == "sent" and len(received[stored_id(m)]) == 1
    sample = received[stored_id(overdue[0])][0]
    assert sample.message["Subject"].startswith("En retard" if overdue[0].language == "fr" else "Overdue")


def _administrator(db: Database, address: str, language: str | None = None) -> int:
    """A school_admin identity of the school reachable at ``address`` (its subject, or its person's e-mail)."""
    with db.transaction() as session:
        school = session.exec(select(Organisation).where(Organisation.code == SCHOOL)).one()
        person_id = None
        if language is not None:
            person = Person(
                organisation_id=stored_id(school),
                external_id=f"admin-{language}",
                given_name="Alex",
                family_name="Martin",
                email=address,
                preferred_language=language,
            )
            session.add(person)
            session.flush()
            person_id = person.id
        identity = Identity(
            subject=address if language is None else f"oidc:{address}", display_name="Direction", person_id=person_id
        )
        session.add(identity)
        session.flush()
        session.add(
            RoleGrant(
                identity_id=stored_id(identity), role="school_admin", organisation_id=school.id, created_by="test"
            )
        )
        return stored_id(identity)


def test_a_weekly_digest_to_each_school_administrator_in_their_language(
    db: Database, smtp: SmtpServer, jobs: InProcessQueue, settings_smtp: Settings
) -> None:
    french = _administrator(db, "direction@mines-albi.example")
    english = _administrator(db, "dean@mines-albi.example", language="en")
    with db.transaction() as session:  # a revoked administrator gets nothing
        revoked = stored_id(session.get(Identity, _administrator(db, "former@mines-albi.example")))
        session.execute(sa.update(RoleGrant).where(RoleGrant.identity_id == revoked).values(revoked_at=utcnow()))
    today = utc_today()
    _run(db, jobs, settings_smtp, today)
    digests = messages(db, kind="digest")
    assert {(m.identity_id, m.recipient, m.language) for m in digests} == {
        (french, "direction@mines-albi.example", "fr"),
        (english, "dean@mines-albi.example", "en"),
    }
    assert {m.step for m in digests} == {digest_week(today)}
    received = smtp.collector.by_notice()
    fr = received[stored_id(next(m for m in digests if m.language == "fr"))][0]
    en = received[stored_id(next(m for m in digests if m.language == "en"))][0]
    assert "d'IMT Mines Albi" in fr.message["Subject"] and "personnes concernées" in fr.text
    assert "of IMT Mines Albi" in en.message["Subject"] and "persons concerned" in en.text
    assert f"/ui/schools/{SCHOOL}" in fr.text
    # the same week: no second digest; the next week: one more each
    assert _run(db, jobs, settings_smtp, today + timedelta(days=1))["digest"] == (
        0 if digest_week(today + timedelta(days=1)) == digest_week(today) else 2
    )
    # 8 days on is always a week of its own (7 days after tomorrow), whatever today's weekday
    assert _run(db, jobs, settings_smtp, today + timedelta(days=8))["digest"] == 2
    # a school that turned digests off gets none
    reads.set_notice_schedule(
        db=db, actor=SYSTEM, settings=settings_smtp, school=SCHOOL, reminder_days=[7], digest=False
    )
    assert _run(db, jobs, settings_smtp, today + timedelta(days=14))["digest"] == 0
