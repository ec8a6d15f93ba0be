"""Opening a campaign e-mails every concerned person once, in their language, through a real SMTP
server: the publication defers ``notices.bring_up_to_date``, which defers ``notices.send``."""

from __future__ import annotations

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.db import Database
from govkit.jobs.inprocess import InProcessQueue
from govkit.notifications import delivery
from govkit.notifications.rendering import LINK
from govkit.notifications.sending import mailer
from govkit.notifications.service import bring_up_to_date
from govkit.settings import Settings
from tests.ack_helpers import republish
from tests.notifications.conftest import PUBLIC_URL, SmtpServer
from tests.notifications.helpers import campaign_of, messages, pending

SCHOOL = "imt-atlantique"


def test_opening_a_campaign_mails_each_concerned_person_once_in_their_language(
    db: Database, smtp: SmtpServer, jobs: InProcessQueue, settings_smtp: Settings
) -> None:
    document = republish(db, SCHOOL, "internal", "substantive", policy=CampaignPolicy(jobs=jobs))
    jobs.drain(timeout=60)
    campaign = campaign_of(db, document)
    persons = {p.id: p for p in pending(db, campaign)}
    assert len(persons) > 10
    openings = messages(db, campaign_id=campaign.id, kind="opening")
    assert sorted(m.person_id for m in openings) == sorted(persons)  # one each, no one else
    received = smtp.collector.by_notice()
    languages = set()
    for m in openings:
        person = persons[m.person_id]
        assert m.status == "sent" and m.attempts == 1 and m.smtp_code == 250, m
        assert m.recipient == person.email
        assert LINK in m.body and PUBLIC_URL not in m.body  # the link itself is never stored
        [got] = received[m.id]  # delivered once
        assert got.rcpt_tos == [person.email]
        assert got.message["Content-Language"] == person.preferred_language
        languages.add(person.preferred_language)
        text = got.text
        assert f"{PUBLIC_URL}/ui/signin/link/" in text and LINK not in text
        if person.preferred_language == "fr":
            assert "d'IMT Atlantique" in got.message["Subject"] and "Bonjour" in text
            assert "Règlement intérieur" in text
        else:
            assert "of IMT Atlantique" in got.message["Subject"] and "Hello" in text
    assert languages == {"fr", "en"}  # the demo has both
    assert smtp.collector.connections <= len(received)  # one connection per batch, not per message

    # idempotent: bringing up to date again creates and sends nothing more
    again = bring_up_to_date(db=db, jobs=jobs, settings=settings_smtp, school_code=SCHOOL)
    jobs.drain(timeout=30)
    assert again.message_ids == []
    assert sum(len(v) for v in smtp.collector.by_notice().values()) == len(smtp.collector.received)
    before = len(smtp.collector.received)
    # a sending job run again (a retry after a crash) sends nothing already sent
    report = delivery.send(
        db=db, mailer=mailer(settings_smtp), settings=settings_smtp, message_ids=[m.id for m in openings]
    )
    assert (report.sent, report.failed, report.waiting) == (0, 0, 0)
    assert len(smtp.collector.received) == before
