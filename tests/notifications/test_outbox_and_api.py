"""Without SMTP the messages stay in the local outbox (its dev page lists them, links clickable);
the schedule is set through GraphQL (validated, audited), the templates read by legal staff; a
person imported while a campaign is open is told of it; and, end to end, the link of a message the
SMTP server received signs its person in once, landing on the document."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import anyio
import httpx
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import SYSTEM
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.persons import import_persons
from govkit.db import Database, stored_id
from govkit.jobs.inprocess import InProcessQueue
from govkit.notifications.models import NoticeSchedule
from govkit.notifications.service import bring_up_to_date
from govkit.settings import Settings
from tests.ack_helpers import republish
from tests.conftest import Api, TokenFactory
from tests.docx_factory import minimal_docx
from tests.notifications.conftest import PUBLIC_URL, SmtpServer, mail_settings, queue_for
from tests.notifications.helpers import campaign_of, messages, pending

SCHOOL = "imt-lille-douai"

SET = """mutation($school: String!, $days: [Int!]!, $digest: Boolean) {
  setNoticeSchedule(school: $school, reminderDays: $days, digest: $digest) { reminderDays digest recordedBy }
}"""
TEMPLATES = "{ noticeTemplates { kind language name source } }"


def test_without_smtp_the_messages_are_kept_in_the_outbox_page_with_their_links(
    db: Database, token: TokenFactory
) -> None:
    settings = mail_settings(None)
    jobs = queue_for(db, settings)
    try:
        campaign = campaign_of(db, republish(db, SCHOOL, "internal", "substantive", policy=CampaignPolicy(jobs=jobs)))
        jobs.drain(timeout=60)
    finally:
        jobs.close()
    kept = messages(db, campaign_id=campaign.id)
    assert len(kept) == len(pending(db, campaign))
    assert {(m.status, m.attempts, m.smtp_code) for m in kept} == {("kept", 1, None)}
    assert all(f"{PUBLIC_URL}/ui/signin/link/" in m.body for m in kept)  # the outbox is the mailbox
    legal = token("legal")
    api = Api(db, settings)
    page = api.request("GET", "/ui/dev/outbox", headers={"Cookie": f"govkit_session={legal}"})
    assert page.status_code == 200
    link = re.search(r'<a href="(http://govkit\.test/ui/signin/link/[^"]+)"', page.text)
    assert link is not None and any(link.group(1) in m.body for m in kept)  # each kept link, clickable
    assert kept[0].subject in page.text.replace("&#39;", "'")
    member = token("school_admin", SCHOOL)
    refused = api.request("GET", "/ui/dev/outbox", headers={"Cookie": f"govkit_session={member}"})
    assert refused.status_code == 403
    # not in production: the page does not exist
    prod = Api(db, mail_settings(None, env="prod"))
    gone = prod.request("GET", "/ui/dev/outbox", headers={"Cookie": f"govkit_session={legal}"})
    assert gone.status_code == 404 and "/ui/signin/link/" not in gone.text


def test_the_schedule_is_validated_audited_and_scoped(db: Database, api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", SCHOOL)
    done = api.data(SET, {"school": SCHOOL, "days": [5, 10, 20]}, token=admin)["setNoticeSchedule"]
    assert done["reminderDays"] == [5, 10, 20] and done["digest"] is True
    off = api.data(SET, {"school": SCHOOL, "days": [3], "digest": False}, token=admin)["setNoticeSchedule"]
    assert off == {"reminderDays": [3], "digest": False, "recordedBy": off["recordedBy"]}
    for wrong in ([7, 7], [14, 7], [0, 7], [-3], list(range(1, 12)), [400]):
        response = api.graphql(SET, {"school": SCHOOL, "days": wrong}, token=admin).json()
        assert response["errors"][0]["extensions"]["code"] == "INVALID_INPUT", wrong
        assert "Traceback" not in str(response)
    other = token("school_admin", "imt-bs")
    assert (
        api.graphql(SET, {"school": SCHOOL, "days": [7]}, token=other).json()["errors"][0]["extensions"]["code"]
        == "FORBIDDEN"
    )
    legal = token("legal")
    assert api.data(SET, {"school": SCHOOL, "days": [7, 14]}, token=legal)["setNoticeSchedule"]["digest"] is False
    with db.reading() as session:
        rows = session.exec(select(NoticeSchedule).order_by(col(NoticeSchedule.id))).all()
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "mutation.setNoticeSchedule")).all()
    assert [r.reminder_days for r in rows] == [[5, 10, 20], [3], [7, 14]]  # nothing of the refused ones
    assert len([a for a in audited if a.outcome == "ok"]) == 3
    assert any("[5, 10, 20] -> [3]" in (a.detail or "") for a in audited)


def test_legal_staff_read_the_templates_in_both_languages(api: Api, token: TokenFactory) -> None:
    found = api.data(TEMPLATES, token=token("legal"))["noticeTemplates"]
    assert {(t["kind"], t["language"]) for t in found} == {
        (k, lang) for k in ("OPENING", "REMINDER", "OVERDUE", "DIGEST", "CORRECTION") for lang in ("fr", "en")
    }
    assert all("{{ " in t["source"] for t in found)
    refused = api.graphql(TEMPLATES, token=token("school_admin", SCHOOL)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_person_imported_while_a_campaign_is_open_is_told_of_it(
    db: Database, smtp: SmtpServer, jobs: InProcessQueue, settings_smtp: Settings
) -> None:
    bring_up_to_date(db=db, jobs=jobs, settings=settings_smtp, school_code=SCHOOL)  # the demo's campaigns
    jobs.drain(timeout=60)
    smtp.collector.reset()
    csv = (
        "external_id,given_name,family_name,email,populations,language\n"
        "new-2027-001,Zoé,Dupont,zoe.dupont@imt-lille-douai.example,student,en\n"
    ).encode()
    report = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=csv, jobs=jobs)
    assert report.created == 1
    jobs.drain(timeout=60)
    got = [r for r in smtp.collector.received if r.rcpt_tos == ["zoe.dupont@imt-lille-douai.example"]]
    assert got and all(r.message["Content-Language"] == "en" for r in got)
    assert len(smtp.collector.received) == len(got)  # no one else was told again
    assert all("of IMT Lille Douai" in r.message["Subject"] and "Hello Zoé" in r.text for r in got)


def test_end_to_end_the_link_a_person_received_signs_them_in_once(
    db: Database, smtp: SmtpServer, jobs: InProcessQueue, settings_smtp: Settings
) -> None:
    data = minimal_docx()  # a real .docx: the member page shows it as HTML
    document = republish(db, SCHOOL, "internal", "substantive", policy=CampaignPolicy(jobs=jobs), data=data)
    jobs.drain(timeout=60)
    campaign = campaign_of(db, document)
    person = pending(db, campaign)[0]
    [mail] = [
        r
        for r in smtp.collector.received
        if r.rcpt_tos == [person.email] and messages(db, id=r.notice_id)[0].campaign_id == campaign.id
    ]
    url = re.search(r"http://govkit\.test/ui/signin/link/\S+", mail.text)
    assert url is not None
    path = urlsplit(url.group(0)).path
    api = Api(db, settings_smtp)

    async def follow() -> tuple[httpx.Response, httpx.Response, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:
            opened = await client.get(path)  # what a mail scanner would do too: nothing used up
            again = await client.get(path)
            csrf = re.search(r'name="csrf" value="([^"]+)"', again.text)
            assert csrf is not None, again.text
            signed = await client.post(path, data={"csrf": csrf.group(1)})
            landed = await client.get(signed.headers["location"])
            second = await client.post(path, data={"csrf": csrf.group(1)})
            return opened, signed, landed, second

    opened, signed, landed, second = anyio.run(follow)
    assert opened.status_code == 200
    assert signed.status_code in (302, 303)
    assert signed.headers["location"].endswith(f"/ui/me/documents/{stored_id(document)}")
    assert landed.status_code == 200, landed.text[-1500:]
    assert f'action="/ui/me/documents/{stored_id(document)}/acknowledge"' in landed.text  # to read and accept
    assert second.status_code in (403, 410)  # used once: refused
