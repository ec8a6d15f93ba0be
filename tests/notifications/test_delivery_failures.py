"""What the SMTP server refuses: a temporary answer (4xx) is tried again by the job engine with
back-off, a permanent one (5xx) fails that message only, a message out of attempts fails; each
answer is recorded and the failures show to the school's administration (GraphQL, dashboard)."""

from __future__ import annotations

from sqlmodel import col, select

from govkit.db import Database, stored_id
from govkit.jobs.models import JobFailure
from govkit.notifications.service import bring_up_to_date
from govkit.privacy.read_models import PersonRead
from tests.ack_helpers import republish
from tests.conftest import Api, TokenFactory
from tests.notifications.conftest import SmtpServer, mail_settings, queue_for
from tests.notifications.helpers import campaign_of, messages, pending

SCHOOL = "mines-saint-etienne"

FAILED = """query($school: String!, $status: NoticeStatus) {
  notices(school: $school, status: $status, first: 50) {
    counts { queued sent failed kept }
    schedule { reminderDays digest recordedAt }
    nodes { id kind recipient status attempts smtpCode smtpAnswer personExternalId body }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_temporary_failures_are_retried_refusals_fail_alone_and_both_are_visible(
    db: Database, smtp: SmtpServer, api: Api, token: TokenFactory
) -> None:
    settings = mail_settings(smtp, mail_attempts=3)
    jobs = queue_for(db, settings)
    try:
        bring_up_to_date(db=db, jobs=jobs, settings=settings, school_code=SCHOOL)  # the demo's campaigns
        jobs.drain(timeout=60)
        campaign = campaign_of(db, republish(db, SCHOOL, "internal", "substantive"))
        busy, refused, hopeless, *_ = pending(db, campaign)
        smtp.collector.temporary[busy.email] = 2  # 451 twice, then accepted
        smtp.collector.refuse[refused.email] = "550 5.1.1 No such user here"
        smtp.collector.temporary[hopeless.email] = 99  # 451 every time
        bring_up_to_date(db=db, jobs=jobs, settings=settings, school_code=SCHOOL)
        jobs.drain(timeout=60)
    finally:
        jobs.close()
    by_person = {m.person_id: m for m in messages(db, campaign_id=campaign.id)}
    assert (by_person[busy.id].status, by_person[busy.id].attempts, by_person[busy.id].smtp_code) == ("sent", 3, 250)
    gone = by_person[refused.id]
    assert (gone.status, gone.attempts, gone.smtp_code) == ("failed", 1, 550)
    assert gone.smtp_answer == "5.1.1 No such user here"
    stuck = by_person[hopeless.id]
    assert (stuck.status, stuck.attempts, stuck.smtp_code) == ("failed", 3, 451)  # out of attempts
    others = [m for pid, m in by_person.items() if pid not in (busy.id, refused.id, hopeless.id)]
    assert others and {(m.status, m.attempts) for m in others} == {("sent", 1)}  # not sent again
    received = smtp.collector.by_notice()
    assert all(len(received[stored_id(m)]) == 1 for m in [*others, by_person[busy.id]])
    assert stored_id(gone) not in received and stored_id(stuck) not in received
    # the job's failures name message ids and codes, never an address
    with db.reading() as session:
        reasons = session.exec(select(JobFailure.reason).where(col(JobFailure.task_name) == "notices.send")).all()
    assert reasons and all("@" not in r for r in reasons)
    assert any(f"{stuck.id} (451)" in r and "failed after their last attempt" in r for r in reasons)

    # visible to the school's administration, with the server's answer
    admin = token("school_admin", SCHOOL)
    data = api.data(FAILED, {"school": SCHOOL, "status": "FAILED"}, token=admin)["notices"]
    assert data["counts"]["failed"] == 2 and data["counts"]["sent"] >= len(others) + 1
    assert {(n["recipient"], n["smtpCode"]) for n in data["nodes"]} == {(refused.email, 550), (hopeless.email, 451)}
    assert {n["personExternalId"] for n in data["nodes"]} == {refused.external_id, hopeless.external_id}
    assert all("/ui/signin/link/" not in n["body"] for n in data["nodes"])  # links are never stored
    page = api.request("GET", f"/ui/schools/{SCHOOL}", headers={"Cookie": f"govkit_session={admin}"})
    assert page.status_code == 200
    assert "Courriels non remis (2)" in page.text
    assert "550 5.1.1 No such user here" in page.text and refused.email in page.text
    # another school's administration, an intranet, a member: refused
    other = token("school_admin", "imt-bs")
    refusal = api.graphql(FAILED, {"school": SCHOOL}, token=other).json()["errors"][0]["extensions"]["code"]
    assert refusal == "FORBIDDEN"
    assert api.graphql(FAILED, {"school": SCHOOL}).json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    intranet = token("intranet", SCHOOL)
    assert (
        "Courriels non remis"
        not in api.request("GET", f"/ui/schools/{SCHOOL}", headers={"Cookie": f"govkit_session={intranet}"}).text
    )
    # the messages name their recipients: each read by the administration is in the person's read log
    # (issue 20: GraphQL and the dashboard's page)
    with db.reading() as session:
        logged = session.exec(select(PersonRead).where(col(PersonRead.person_id).in_([refused.id, hopeless.id]))).all()
    assert {(r.person_id, r.channel) for r in logged} == {
        (person.id, channel) for person in (refused, hopeless) for channel in ("graphql", "page")
    }
    assert {r.reader_role for r in logged} == {"school_admin"}


def test_an_unreachable_server_is_a_temporary_failure(db: Database) -> None:
    from tests.notifications.conftest import _free_port

    settings = mail_settings(None, smtp_host="127.0.0.1", smtp_port=_free_port(), mail_attempts=2)
    jobs = queue_for(db, settings)
    try:
        campaign = campaign_of(db, republish(db, SCHOOL, "internal", "substantive"))
        bring_up_to_date(db=db, jobs=jobs, settings=settings, school_code=SCHOOL)
        jobs.drain(timeout=60)
    finally:
        jobs.close()
    mine = messages(db, campaign_id=campaign.id)
    assert mine and {(m.status, m.attempts, m.smtp_code) for m in mine} == {("failed", 2, None)}
    assert all(m.smtp_answer and m.smtp_answer.startswith("connection: ") for m in mine)
