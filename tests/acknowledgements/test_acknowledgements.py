"""Acknowledging documents: the member's journey, receipts, verification, campaigns, the chain."""

from __future__ import annotations

import io

import docx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from govkit.acknowledgements import chain, privacy
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.campaign_progress import encode_cursor
from govkit.acknowledgements.models import Acknowledgement
from govkit.db import Database
from govkit.errors import Conflict, Forbidden, InvalidInput
from tests.ack_helpers import acknowledge, admin, current, member, record_paper_acknowledgement, republish, someone
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"
ME = """{ me {
  person { externalId school populations }
  pendingDocuments { document { id kind version sha256 language } translation { id language } wording deadline overdue }
  acknowledgements { verificationCode kind version method documentSha256 }
} }"""
ACK = """mutation($id: ID!, $sha: String!) {
  acknowledge(documentVersionId: $id, documentSha256: $sha) {
    id verificationCode kind version method authentication wording documentSha256 acknowledgedAt
    shownAt shownVia recordHash previousHash certificateUrl verificationUrl
  }
}"""


def test_the_member_journey(api: Api, token: TokenFactory, db: Database) -> None:
    student = token("member", SCHOOL, "E00001")
    me = api.data(ME, token=student)["me"]
    assert me["person"]["school"] == SCHOOL
    pending = {d["document"]["kind"]: d for d in me["pendingDocuments"]}
    assert {"internal", "study", "equality_annex"} <= set(pending)
    assert all(d["document"]["language"] == "fr" for d in me["pendingDocuments"])
    internal = pending["internal"]
    assert internal["translation"]["language"] == "en"
    assert internal["document"]["sha256"] in internal["wording"]
    assert internal["deadline"]

    given = {"id": internal["document"]["id"], "sha": internal["document"]["sha256"]}
    # never delivered to them: refused, with what to do
    unseen = api.graphql(ACK, given, token=student).json()["errors"][0]
    assert unseen["extensions"]["code"] == "CONFLICT"
    assert "never delivered to you" in unseen["message"]
    # they download it with their token (as an intranet's link does): delivered, then accepted
    downloaded = api.request("GET", f"/documents/{given['sha']}", headers={"Authorization": f"Bearer {student}"})
    assert downloaded.status_code == 200
    receipt = api.data(ACK, given, token=student)["acknowledge"]
    assert receipt["method"] == "electronic"
    assert receipt["authentication"] == "govkit_token"
    assert receipt["wording"] == internal["wording"]
    assert receipt["shownVia"] == "docx"
    assert receipt["shownAt"] <= receipt["acknowledgedAt"]
    again = api.data(ACK, given, token=student)["acknowledge"]
    assert again["id"] == receipt["id"]
    assert again["verificationCode"] == receipt["verificationCode"]

    me = api.data(ME, token=student)["me"]
    assert "internal" not in {d["document"]["kind"] for d in me["pendingDocuments"]}
    assert me["acknowledgements"][0]["verificationCode"] == receipt["verificationCode"]

    verified = api.request("GET", receipt["verificationUrl"]).json()
    assert verified["valid"] is True
    assert verified["school"] == SCHOOL
    assert verified["kind"] == "internal"
    assert "person" not in verified
    wrong = api.request("GET", f"/verify/{receipt['verificationCode']}", params={"sha256": "0" * 64}).json()
    assert wrong == {"valid": False}
    assert api.request("GET", "/verify/AAAA-BBBB-CCCC-DDDD", params={"sha256": "0" * 64}).json() == {"valid": False}

    certificate = api.request("GET", receipt["certificateUrl"], headers={"Authorization": f"Bearer {student}"})
    assert certificate.status_code == 200
    text = "\n".join(
        c.text for t in docx.Document(io.BytesIO(certificate.content)).tables for r in t.rows for c in r.cells
    )
    assert receipt["verificationCode"] in text
    assert receipt["documentSha256"] in text
    as_json = api.request(
        "GET", receipt["certificateUrl"].replace(".docx", ".json"), headers={"Authorization": f"Bearer {student}"}
    ).json()
    assert as_json["record_hash"] == receipt["recordHash"]
    other = token("member", SCHOOL, "E00002")
    assert (
        api.request("GET", receipt["certificateUrl"], headers={"Authorization": f"Bearer {other}"}).status_code == 404
    )

    # a substantive republication: pending again, and the first receipt still verifies
    republish(db, SCHOOL, "internal", "substantive")
    me = api.data(ME, token=student)["me"]
    again_pending = next(d for d in me["pendingDocuments"] if d["document"]["kind"] == "internal")
    assert again_pending["document"]["version"] == internal["document"]["version"] + 1
    assert api.request("GET", receipt["verificationUrl"]).json()["valid"] is True
    # the first receipt is kept for whoever acknowledged version 1; anyone else is sent to the new version
    assert api.data(ACK, given, token=student)["acknowledge"]["id"] == receipt["id"]
    stale = api.graphql(ACK, given, token=other).json()["errors"][0]
    assert stale["extensions"]["code"] == "CONFLICT"
    assert f"acknowledge version {again_pending['document']['version']}" in stale["message"]
    assert chain.verify(db).ok


def test_the_english_text_is_read_not_acknowledged(api: Api, token: TokenFactory, db: Database) -> None:
    english = current(db, SCHOOL, "internal", "en")
    french = current(db, SCHOOL, "internal", "fr")
    given = {"id": str(english.id), "sha": english.sha256}
    error = api.graphql(ACK, given, token=token("member", SCHOOL, "E00001")).json()["errors"][0]
    assert f"document version id {french.id}" in error["message"]


def test_reflex_sheets_and_unconcerned_kinds_are_refused(db: Database) -> None:
    student = member(db, SCHOOL, "E00001")
    with pytest.raises(InvalidInput, match="for information"):
        acknowledge(db=db, actor=student, document_version_id=current(db, SCHOOL, "reflex_sheet.student_victim").id)
    staff = member(db, SCHOOL, someone(db, SCHOOL, "staff"))
    with pytest.raises(InvalidInput, match="does not concern"):
        acknowledge(db=db, actor=staff, document_version_id=current(db, SCHOOL, "study").id)


def test_reading_a_different_version_is_refused(db: Database) -> None:
    document = current(db, SCHOOL)
    with pytest.raises(Conflict, match="not the version in force"):
        acknowledge(db=db, actor=member(db, SCHOOL, "E00001"), document_version_id=document.id, shown_sha256="f" * 64)


def test_paper_visa_is_recorded_as_such(db: Database) -> None:
    document = current(db, SCHOOL)
    receipt = record_paper_acknowledgement(
        db=db,
        actor=admin(db, SCHOOL),
        school=SCHOOL,
        person_external_id="E00003",
        document_version_id=document.id,
        reason="Étudiant sans accès au SI lors de l'inscription",  # type: ignore[arg-type]
    )
    assert receipt.record.method == "paper"
    assert receipt.record.auth_method == "paper_signature"
    assert "sans accès" in (receipt.record.reason or "")
    with pytest.raises(InvalidInput, match="reason"):
        record_paper_acknowledgement(
            db=db,
            actor=admin(db, SCHOOL),
            school=SCHOOL,
            person_external_id="E00004",
            document_version_id=document.id,
            reason="x",
        )  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        record_paper_acknowledgement(
            db=db,
            actor=admin(db, "telecom-paris"),
            school=SCHOOL,
            person_external_id="E00004",
            document_version_id=document.id,  # type: ignore[arg-type]
            reason="Une raison suffisamment longue",
        )


def test_editorial_change_carries_acknowledgements_forward(db: Database) -> None:
    student = member(db, SCHOOL, "E00001")
    first = current(db, SCHOOL)
    original = acknowledge(db=db, actor=student, document_version_id=first.id)  # type: ignore[arg-type]
    before = {c.campaign.kind: c for c in acks.campaigns(db=db, actor=admin(db, SCHOOL), school=SCHOOL)}["internal"]
    second = republish(db, SCHOOL, "internal", "editorial")
    view = acks.me(db=db, actor=student)
    assert "internal" not in {p.document.kind for p in view.pending}
    carried = next(r for r in view.receipts if r.document.id == second.id)
    assert carried.record.method == "carried_forward"
    assert carried.record.carried_from_id == original.record.id
    after = {c.campaign.kind: c for c in acks.campaigns(db=db, actor=admin(db, SCHOOL), school=SCHOOL)}["internal"]
    assert after.campaign.continues_campaign_id == before.campaign.id
    assert after.campaign.deadline == before.campaign.deadline
    assert after.total.acknowledged == before.total.acknowledged
    assert chain.verify(db).ok


def test_campaign_counts_match_a_brute_force_count(db: Database) -> None:
    document = current(db, SCHOOL)
    for external_id in ("E00001", "E00002", someone(db, SCHOOL, "staff"), someone(db, SCHOOL, "apprentice")):
        acknowledge(db=db, actor=member(db, SCHOOL, external_id), document_version_id=document.id)  # type: ignore[arg-type]
    status = next(
        s for s in acks.campaigns(db=db, actor=admin(db, SCHOOL), school=SCHOOL) if s.campaign.kind == "internal"
    )
    with db.reading() as session:
        rows = session.execute(
            sa.text(
                "SELECT p.id, pp.population, p.status FROM person p JOIN person_population pp ON pp.person_id = p.id "
                "AND pp.valid_to IS NULL "
                "JOIN organisation o ON o.id = p.organisation_id WHERE o.code = :code"
            ),
            {"code": SCHOOL},
        ).all()
        acknowledged = set(
            session.exec(
                select(Acknowledgement.person_id).where(Acknowledgement.document_version_id == document.id)
            ).all()
        )
    wanted = {"student", "apprentice", "doctoral_student", "staff", "adjunct", "contractor"}
    concerned = {pid for pid, pop, st in rows if pop in wanted and st == "active"}
    assert status.total.concerned == len(concerned)
    assert status.total.acknowledged == len(concerned & acknowledged) == 4
    assert status.total.pending == len(concerned - acknowledged)
    for population in status.populations:
        members = {pid for pid, pop, st in rows if pop == population.population and st == "active"}
        assert population.concerned == len(members)
        assert population.acknowledged == len(members & acknowledged)
        assert 0 <= population.rate <= 1


def test_pending_persons_pages_cover_everyone_once(db: Database) -> None:
    status = next(
        s for s in acks.campaigns(db=db, actor=admin(db, SCHOOL), school=SCHOOL) if s.campaign.kind == "internal"
    )
    seen: list[str] = []
    after = None
    while True:
        page, has_next, total = acks.pending_persons(
            db=db, actor=admin(db, SCHOOL), campaign_id=status.campaign.id, first=7, after=after
        )
        seen += [p.person.external_id for p in page]
        if not has_next:
            break
        after = encode_cursor(page[-1].person.id)
    assert len(seen) == len(set(seen)) == total == status.total.pending
    found, _, count = acks.pending_persons(
        db=db, actor=admin(db, SCHOOL), campaign_id=status.campaign.id, first=50, search=seen[0].lower()
    )
    assert count >= 1
    assert seen[0] in [p.person.external_id for p in found]
    with pytest.raises(InvalidInput, match="cursor"):
        acks.pending_persons(db=db, actor=admin(db, SCHOOL), campaign_id=status.campaign.id, after="garbage")


def test_records_are_append_only_and_only_client_data_can_be_erased(db: Database) -> None:
    receipt = acknowledge(
        db=db,
        actor=member(db, SCHOOL, "E00001"),
        document_version_id=current(db, SCHOOL).id,  # type: ignore[arg-type]
        client=acks.ClientInfo(ip="192.0.2.10", user_agent="Firefox"),
    )
    for statement in (
        "UPDATE acknowledgement SET method = 'paper'",
        "UPDATE acknowledgement SET wording = 'x'",
        "DELETE FROM acknowledgement",
        "UPDATE acknowledgement SET client_ip = '198.51.100.1'",
    ):
        with pytest.raises(sa.exc.DatabaseError, match=r"append-only|never deleted"), db.transaction() as session:
            session.execute(sa.text(statement))
    with db.transaction() as session:
        session.execute(sa.text("UPDATE acknowledgement SET acknowledged_at = acknowledged_at"))
    assert privacy.erase_client_data(db=db, older_than_days=0) >= 1
    with db.reading() as session:
        record = session.get(Acknowledgement, receipt.record.id)
        assert record is not None
        assert record.client_ip is None
        assert record.user_agent is None
    assert chain.verify(db).ok


def test_audit_verify_names_the_first_broken_link(db: Database) -> None:
    document = current(db, SCHOOL)
    receipts = [
        acknowledge(db=db, actor=member(db, SCHOOL, e), document_version_id=document.id)  # type: ignore[arg-type]
        for e in ("E00001", "E00002", "E00003")
    ]
    assert chain.verify(db).ok
    with db.transaction() as session:  # an attacker with database rights goes around the trigger
        if db.dialect == "sqlite":
            session.execute(sa.text("DROP TRIGGER acknowledgement_append_only"))
        else:
            session.execute(sa.text("ALTER TABLE acknowledgement DISABLE TRIGGER acknowledgement_append_only"))
        session.execute(
            sa.text("UPDATE acknowledgement SET wording_sha256 = :h WHERE id = :id"),
            {"h": "0" * 64, "id": receipts[1].record.id},
        )
    report = chain.verify(db)
    assert not report.ok
    assert report.broken_at == receipts[1].record.id
    assert "altered" in (report.reason or "")
