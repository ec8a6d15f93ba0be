"""Who may export an evidence file, through the service, GraphQL and the download routes: legal staff
everywhere, a school's administration for its own persons, nobody else; unknown schools and persons
NOT_FOUND to legal staff and refused as another school's to a school's administration."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlmodel import select

from govkit.access.audit import AuditEvent
from govkit.access.roles import ANONYMOUS, SYSTEM, Principal, Role
from govkit.db import Database
from govkit.errors import Forbidden, GovkitError, NotAuthenticated, NotFound
from govkit.evidence.service import AUDIT_ACTION, evidence_file
from tests.ack_helpers import admin, member
from tests.conftest import Api, TokenFactory
from tests.evidence.history import SCHOOL, History, make_history, person_id

DAY = date(2025, 2, 1)
QUERY = """query($school: String!, $person: String!, $date: Date!) {
  evidence(school: $school, person: $person, date: $date) {
    school person { externalId populations present } date documentUrl chainHead { id hash records }
    kinds { kind standing statementFr statementEn
      version { id version effectiveFrom effectiveTo sha256 downloadUrl }
      acknowledgement { verificationCode method wording chain { position recordHash previousHash verified } }
      original { verificationCode } earlier { verificationCode } }
  }
}"""


@pytest.fixture
def history(db: Database) -> History:
    return make_history(db)


def _refusal(db: Database, actor: Principal, school: str = SCHOOL, person: str = "P1") -> type[GovkitError] | None:
    try:
        evidence_file(db=db, actor=actor, school=school, person=person, day=DAY)
    except GovkitError as exc:
        return type(exc)
    return None


def test_the_service_allows_legal_staff_and_the_persons_school_administration(db: Database, history: History) -> None:
    auditor = Principal(role=Role.AUDITOR, subject="test:auditor")
    intranet = Principal(
        role=Role.INTRANET,
        subject="test:intranet",
        organisation_id=admin(db, SCHOOL).organisation_id,
        organisation_code=SCHOOL,
    )
    assert _refusal(db, SYSTEM) is None
    assert _refusal(db, admin(db, SCHOOL)) is None
    assert _refusal(db, admin(db, "imt-atlantique")) is Forbidden
    assert _refusal(db, member(db, SCHOOL, "P1")) is Forbidden  # not even one's own file
    assert _refusal(db, intranet) is Forbidden
    assert _refusal(db, auditor) is Forbidden
    assert _refusal(db, ANONYMOUS) is NotAuthenticated
    # an unknown school: NOT_FOUND to legal staff, another school's refusal to a school's administration;
    # an unknown person of a school one may read: NOT_FOUND (as for a paper visa)
    assert _refusal(db, SYSTEM, person="NOBODY") is NotFound
    assert _refusal(db, SYSTEM, school="no-such-school") is NotFound
    assert _refusal(db, admin(db, SCHOOL), school="no-such-school") is Forbidden
    assert _refusal(db, admin(db, SCHOOL), person="NOBODY") is NotFound
    assert _refusal(db, admin(db, "imt-atlantique"), person="NOBODY") is Forbidden
    # only the two allowed exports were written to the audit log
    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION)).all()
    assert sorted(e.subject for e in events) == ["system", f"test:admin:{SCHOOL}"]


def test_graphql_evidence_by_role(api: Api, token: TokenFactory, db: Database, history: History) -> None:
    variables = {"school": SCHOOL, "person": "P1", "date": DAY.isoformat()}
    for caller in (token("legal"), token("school_admin", SCHOOL)):
        data = api.data(QUERY, variables, token=caller)["evidence"]
        assert data["school"] == SCHOOL and data["date"] == DAY.isoformat()
        kind = next(k for k in data["kinds"] if k["kind"] == "internal")
        assert kind["standing"] == "ACKNOWLEDGED"
        assert kind["version"]["id"] == str(history.v2.id) and kind["version"]["effectiveTo"] == "2025-03-01"
        assert kind["acknowledgement"]["verificationCode"] == history.p1_v2.verification_code
        assert kind["acknowledgement"]["chain"]["verified"] is True
        assert kind["version"]["downloadUrl"].endswith(f"/documents/{history.v2.sha256}")
        assert data["documentUrl"] == f"/evidence/{SCHOOL}/P1/{DAY.isoformat()}.docx"
    refused = {
        "other school's administration": token("school_admin", "imt-atlantique"),
        "member": token("member", SCHOOL, "P1"),
        "intranet": token("intranet", SCHOOL),
        "auditor": token("auditor"),
    }
    for name, caller in refused.items():
        body = api.graphql(QUERY, variables, token=caller).json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], name
    anonymous = api.graphql(QUERY, variables)
    assert anonymous.status_code == 401
    missing = api.graphql(QUERY, {**variables, "person": "NOBODY"}, token=token("legal")).json()
    assert [e["extensions"]["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    # the refusals are in the audit log too (by the GraphQL layer), the two exports by the service
    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action.in_([AUDIT_ACTION, "query.evidence"]))).all()  # type: ignore[attr-defined]
    pid = person_id(db, "P1")
    assert sum(1 for e in events if e.action == AUDIT_ACTION and e.target["person_id"] == pid) == 2
    assert sum(1 for e in events if e.action == "query.evidence" and e.outcome == "refused") >= len(refused)


def test_the_docx_downloads_with_a_token_or_the_session_cookie(api: Api, token: TokenFactory, history: History) -> None:
    path = f"/evidence/{SCHOOL}/P1/{DAY.isoformat()}.docx"
    legal = api.request("GET", path, headers={"Authorization": f"Bearer {token('legal')}"})
    assert legal.status_code == 200, legal.text
    assert legal.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in legal.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(legal.content)).paragraphs)
    assert "Alice Martin avait pris connaissance de la version 2" in text
    assert history.p1_v2.verification_code in _cells(legal.content)

    english = api.request(
        "GET", path + "?lang=en", headers={"Authorization": f"Bearer {token('school_admin', SCHOOL)}"}
    )
    assert english.status_code == 200
    assert "Alice Martin had acknowledged version 2" in "\n".join(
        p.text for p in docx.Document(io.BytesIO(english.content)).paragraphs
    )
    as_json = api.request("GET", path.replace(".docx", ".json"), headers={"Authorization": f"Bearer {token('legal')}"})
    assert as_json.status_code == 200 and as_json.json()["person"]["external_id"] == "P1"

    # the page route, signed in with the session cookie
    cookie = api.request("GET", "/ui" + path, headers={"Cookie": f"govkit_session={token('school_admin', SCHOOL)}"})
    assert cookie.status_code == 200 and cookie.content[:2] == b"PK"

    assert api.request("GET", path).status_code == 401
    other = api.request("GET", path, headers={"Authorization": f"Bearer {token('school_admin', 'imt-atlantique')}"})
    assert other.status_code == 403
    member_page = api.request(
        "GET", "/ui" + path, headers={"Cookie": f"govkit_session={token('member', SCHOOL, 'P1')}"}
    )
    assert member_page.status_code == 403
    missing = api.request(
        "GET", path.replace("/P1/", "/NOBODY/"), headers={"Authorization": f"Bearer {token('legal')}"}
    )
    assert missing.status_code == 404
    bad_date = api.request(
        "GET", f"/evidence/{SCHOOL}/P1/2025-13-01.docx", headers={"Authorization": f"Bearer {token('legal')}"}
    )
    assert bad_date.status_code == 400


def _cells(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
