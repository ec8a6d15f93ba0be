"""Correction requests (GDPR art. 16), end to end on both databases: a member asks from their page or
through GraphQL; the request reaches the administration of their school (its page, and an e-mail over
the real SMTP path to a real SMTP server); that administration decides, once; the person is told of
the decision by e-mail. Every other caller is refused, and bad input writes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from govkit.db import Database
from govkit.errors import InvalidInput
from govkit.notifications.models import NoticeMessage
from govkit.privacy import corrections
from govkit.privacy.correction_models import CorrectionRequest
from govkit.settings import Settings
from tests.ack_helpers import member as member_of
from tests.conftest import Api, TokenFactory
from tests.notifications.conftest import SmtpServer, mail_settings
from tests.privacy.own_data_helpers import (
    MEMBER,
    SCHOOL,
    administrator,
    audit_events,
    cookie,
    csrf_of,
    person,
    post_form,
)

OTHER_SCHOOL = "imt-bs"
ADMIN = "direction@imt-atlantique.test"
OTHER_ADMIN = "direction@imt-bs.test"
REQUEST = """mutation($section: String!, $field: String!, $text: String!) {
  requestCorrection(section: $section, field: $field, requestedText: $text) { id status section field requestedText }
}"""
DECIDE = """mutation($id: ID!, $done: Boolean!, $note: String!) {
  decideCorrectionRequest(requestId: $id, done: $done, decisionNote: $note) { id status note decidedAt }
}"""
OPEN = "{ correctionRequests { id field requestedText requester { school externalId familyName email } } }"
MINE = "{ myCorrectionRequests { id status note requester { email } } }"


@pytest.fixture
def settings(smtp: SmtpServer) -> Settings:
    return mail_settings(smtp, jobs_in_process=True)


def _rows(db: Database) -> list[CorrectionRequest]:
    with db.reading() as session:
        return list(session.exec(select(CorrectionRequest).order_by(col(CorrectionRequest.id))).all())


def _notices(db: Database) -> int:
    with db.reading() as session:
        return session.exec(select(func.count()).where(NoticeMessage.kind == "correction")).one()


def _drain(api: Api) -> None:
    api.app.state.wiring.jobs.drain(timeout=60)


def _code(answer: dict) -> str:
    assert answer.get("errors"), answer
    return answer["errors"][0]["extensions"]["code"]


def test_a_request_from_the_member_page_is_decided_by_the_schools_administration(
    api: Api, db: Database, token: TokenFactory, smtp: SmtpServer
) -> None:
    administrator(db, SCHOOL, ADMIN)
    administrator(db, OTHER_SCHOOL, OTHER_ADMIN)
    me = person(db, SCHOOL, MEMBER)
    session = token("member", SCHOOL, MEMBER)
    asked = post_form(
        api,
        session,
        "/ui/me/corrections",
        {"section": "identity_and_contact", "field": "Nom de famille", "text": "Le-Corrigé"},
        page="/ui/me/data",
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/ui/me/data?done=requested#corrections"
    (row,) = _rows(db)
    assert (row.person_id, row.status, row.field, row.requested_text) == (me.id, "open", "Nom de famille", "Le-Corrigé")
    _drain(api)
    (told,) = smtp.collector.received
    assert told.rcpt_tos == [ADMIN] and f"/ui/corrections#request-{row.id}" in told.text
    assert me.family_name not in told.text and "Le-Corrigé" not in told.text  # read on the page, not by e-mail
    assert f"n° {row.id}" in str(told.message["Subject"]) or f"no. {row.id}" in str(told.message["Subject"])

    admin = token("school_admin", SCHOOL)
    listed = api.request("GET", "/ui/corrections", headers=cookie(admin))
    assert listed.status_code == 200 and "Le-Corrigé" in listed.text and me.email in listed.text
    (read,) = audit_events(db, "persons.read")  # the read log, persons by id (govkit.privacy.reads)
    assert read.target["persons"] == [me.id] and read.target["channel"] == "page"
    assert "email" in read.target["fields"]
    other = token("school_admin", OTHER_SCHOOL)
    assert "Le-Corrigé" not in api.request("GET", "/ui/corrections", headers=cookie(other)).text
    refused = post_form(api, other, f"/ui/corrections/{row.id}", {"decision": "done", "note": "x"}, "/ui/corrections")
    assert refused.status_code == 403
    no_reason = post_form(api, admin, f"/ui/corrections/{row.id}", {"decision": "refused"}, "/ui/corrections")
    assert no_reason.status_code == 422 and _rows(db)[0].status == "open"

    done = post_form(
        api, admin, f"/ui/corrections/{row.id}", {"decision": "done", "note": "Nom corrigé"}, "/ui/corrections"
    )
    assert done.status_code == 303 and done.headers["location"] == "/ui/corrections?done=done"
    (decided,) = _rows(db)
    assert (decided.status, decided.note) == ("done", "Nom corrigé") and decided.decided_at is not None
    shown = api.request("GET", "/ui/corrections?lang=fr", headers=cookie(admin))
    twice = api.request(
        "POST",
        f"/ui/corrections/{row.id}",
        headers=cookie(admin),
        data={"csrf": csrf_of(shown.text), "decision": "refused", "note": "non, non"},
    )
    assert twice.status_code == 409 and _rows(db)[0].status == "done"
    # decided, it leaves the open list for the decided ones, with its decision and who decided
    assert f'id="request-{row.id}"' not in api.request("GET", "/ui/corrections", headers=cookie(admin)).text
    for show in ("done", "all"):
        decided_page = api.request("GET", f"/ui/corrections?show={show}&lang=en", headers=cookie(admin))
        assert decided_page.status_code == 200 and f'id="request-{row.id}"' in decided_page.text, show
        assert "Nom corrigé" in decided_page.text and "correction done" in decided_page.text
        assert f'action="/ui/corrections/{row.id}"' not in decided_page.text  # decided once: no form
    assert (
        f'id="request-{row.id}"' not in api.request("GET", "/ui/corrections?show=refused", headers=cookie(admin)).text
    )
    unknown = api.request("GET", "/ui/corrections?show=<x>&lang=en", headers=cookie(admin))
    assert unknown.status_code == 422 and "Unknown list: choose one of open, done, refused, all" in unknown.text
    assert "<x>" not in unknown.text
    _drain(api)
    decision = [r for r in smtp.collector.received if r.rcpt_tos == [me.email]]
    assert len(decision) == 1 and "Nom corrigé" in decision[0].text and "/ui/me/data#corrections" in decision[0].text
    assert {r.rcpt_tos[0] for r in smtp.collector.received} == {ADMIN, me.email}  # never the other school's

    page = api.request("GET", "/ui/me/data?lang=fr", headers=cookie(session))
    assert "rectification faite" in page.text and "Nom corrigé" in page.text
    assert ADMIN not in page.text  # who decided: by role only
    actions = [
        e.action for e in audit_events(db, "page.request_correction") + audit_events(db, "page.decide_correction")
    ]
    assert actions == ["page.request_correction", "page.decide_correction"]


def test_graphql_corrections_are_authorised_both_ways(
    api: Api, db: Database, token: TokenFactory, smtp: SmtpServer
) -> None:
    administrator(db, SCHOOL, ADMIN)
    member = token("member", SCHOOL, MEMBER)
    asked = api.data(
        REQUEST, {"section": "school_and_populations", "field": "Population", "text": "Doctorant"}, token=member
    )
    request_id = asked["requestCorrection"]["id"]
    assert asked["requestCorrection"]["status"] == "open"
    mine = api.data(MINE, token=member)["myCorrectionRequests"]
    assert mine == [{"id": request_id, "status": "open", "note": None, "requester": None}]

    admin, other, legal = token("school_admin", SCHOOL), token("school_admin", OTHER_SCHOOL), token("legal")
    (seen,) = api.data(OPEN, token=admin)["correctionRequests"]
    assert seen["requester"]["externalId"] == MEMBER and seen["requestedText"] == "Doctorant"
    assert api.data(OPEN, token=other)["correctionRequests"] == []
    assert [r["id"] for r in api.data(OPEN, token=legal)["correctionRequests"]] == [request_id]
    for caller in (member, token("intranet", SCHOOL), token("auditor")):
        assert _code(api.graphql(OPEN, token=caller).json()) == "FORBIDDEN"
    for caller in (admin, legal):
        assert _code(api.graphql(MINE, token=caller).json()) == "FORBIDDEN"
        said = api.graphql(REQUEST, {"section": "other", "field": "x", "text": "y"}, token=caller).json()
        assert _code(said) == "FORBIDDEN"
    assert _code(api.graphql(MINE).json()) == "UNAUTHENTICATED"

    decide = {"id": request_id, "done": False, "note": "La population vient du registre de scolarité."}
    for caller in (other, legal, member):
        assert _code(api.graphql(DECIDE, decide, token=caller).json()) == "FORBIDDEN"
    assert _code(api.graphql(DECIDE, {**decide, "id": "999999"}, token=admin).json()) == "FORBIDDEN"  # as another's
    assert _code(api.graphql(DECIDE, {**decide, "id": "not-an-id"}, token=admin).json()) == "FORBIDDEN"
    assert _rows(db)[0].status == "open"
    refused = api.data(DECIDE, decide, token=admin)["decideCorrectionRequest"]
    assert refused["status"] == "refused" and refused["note"] == decide["note"] and refused["decidedAt"]
    assert _code(api.graphql(DECIDE, {**decide, "done": True}, token=admin).json()) == "CONFLICT"
    assert api.data(MINE, token=member)["myCorrectionRequests"][0]["status"] == "refused"
    _drain(api)
    me = person(db, SCHOOL, MEMBER)
    (told,) = [r for r in smtp.collector.received if r.rcpt_tos == [me.email]]
    assert "refusée" in str(told.message["Subject"]) or "refused" in str(told.message["Subject"])
    assert decide["note"] in told.text and "CNIL" in told.text
    decided = [e for e in audit_events(db, "mutation.decideCorrectionRequest") if e.outcome == "ok"]
    assert [e.target["decision"] for e in decided] == ["refused"]  # the refusals are audited as refused


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"section": "identity_and_contact", "field": " ", "text": "x"}, "correction_field_empty"),
        ({"section": "identity_and_contact", "field": "Nom", "text": ""}, "correction_text_empty"),
        ({"section": "identity_and_contact", "field": "N" * 101, "text": "x"}, "correction_field_too_long"),
        ({"section": "identity_and_contact", "field": "Nom", "text": "x" * 2001}, "correction_text_too_long"),
        ({"section": "nowhere", "field": "Nom", "text": "x"}, "correction_section"),
        ({"section": "other", "field": "Nom", "text": "a\x00b"}, "correction_control"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    api: Api, db: Database, token: TokenFactory, given: dict[str, str], key: str
) -> None:
    administrator(db, SCHOOL, ADMIN)
    member = token("member", SCHOOL, MEMBER)
    assert _code(api.graphql(REQUEST, given, token=member).json()) == "INVALID_INPUT"
    page = post_form(api, member, "/ui/me/corrections", given, page="/ui/me/data")
    assert page.status_code == 422 and 'role="alert"' in page.text
    with pytest.raises(InvalidInput) as raised:
        corrections.request_correction(db=db, actor=member_of(db, SCHOOL, MEMBER), **given)
    assert getattr(raised.value, "key", None) == key
    assert _rows(db) == [] and _notices(db) == 0
    (refusal,) = audit_events(db, "mutation.requestCorrection")  # the refusal, without what was written
    assert refusal.outcome == "error" and refusal.target["field"] == refusal.target["requestedText"] == "…"


def test_requests_are_rate_limited_like_other_member_mutations(
    db: Database, token: TokenFactory, smtp: SmtpServer
) -> None:
    api = Api(db, mail_settings(smtp, mutation_rate_per_minute=2, jobs_in_process=True))
    member = token("member", SCHOOL, MEMBER)
    given = {"section": "other", "field": "Adresse", "text": "Une autre"}
    for _ in range(2):
        api.data(REQUEST, given, token=member)
    limited = api.graphql(REQUEST, given, token=member)
    assert limited.status_code == 429 and _code(limited.json()) == "RATE_LIMITED"
    for _ in range(2):
        assert post_form(api, member, "/ui/me/corrections", given, page="/ui/me/data").status_code == 303
    page = post_form(api, member, "/ui/me/corrections", given, page="/ui/me/data")
    assert page.status_code == 429 and page.headers["retry-after"]
    assert len(_rows(db)) == 4
