"""Personal data out of the chain: records commit to them only through digests salted by a secret of
their own; erasing a record's personal data keeps every hash verifiable, and what shows a record
(receipt, certificate, `/verify`, evidence file) says they were erased instead of failing."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from govkit.access.roles import Principal, Role
from govkit.acknowledgements import chain, privacy
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.certificate import certificate_docx
from govkit.acknowledgements.models import Acknowledgement, Person
from govkit.acknowledgements.receipts import ERASED
from govkit.days import utc_today
from govkit.db import Database
from govkit.evidence import export
from govkit.evidence.document import evidence_docx
from govkit.evidence.service import evidence_file
from tests.ack_helpers import acknowledge, admin, current, member, record_paper_acknowledgement
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"
LEGAL = Principal(role=Role.LEGAL, subject="test:legal")


def _row(db: Database, record_id: int) -> dict[str, object]:
    with db.reading() as session:
        return dict(
            session.execute(sa.select(Acknowledgement.__table__).where(sa.column("id") == record_id)).mappings().one()  # type: ignore[attr-defined]
        )


def test_a_record_commits_to_personal_data_only_through_salted_digests(db: Database) -> None:
    student = member(db, SCHOOL, "E00001")
    receipt = acknowledge(
        db=db,
        actor=student,
        document_version_id=current(db, SCHOOL).id,
        client=acks.ClientInfo(ip="192.0.2.10", user_agent="Firefox"),
    )
    record = receipt.record
    assert record.wording is not None and "E00001" not in record.wording
    with db.reading() as session:
        person = session.get(Person, student.person_id)
    assert person is not None and person.family_name in record.wording
    body = chain.body(record)
    for personal in (person.family_name, person.given_name, student.subject, "192.0.2.10", "Firefox"):
        assert personal not in body, personal
    # the unsalted digest of the wording (which a guessed name lets anyone rebuild) is nowhere
    assert hashlib.sha256(record.wording.encode()).hexdigest() not in body
    salt = record.personal_salt
    assert salt is not None and len(salt) == 64
    assert record.wording_sha256 == chain.salted(salt, "wording", record.wording)
    assert record.client_sha256 == chain.salted(salt, "client", "192.0.2.10", "Firefox")
    assert record.recorded_sha256 == chain.salted(salt, "recorded", student.subject, None)


def test_erasing_personal_data_keeps_the_chain_and_what_shows_the_record(db: Database, api: Api) -> None:
    student = member(db, SCHOOL, "E00002")
    document = current(db, SCHOOL)
    receipt = acknowledge(
        db=db,
        actor=student,
        document_version_id=document.id,
        client=acks.ClientInfo(ip="192.0.2.11", user_agent="Firefox"),
    )
    paper = record_paper_acknowledgement(
        db=db,
        actor=admin(db, SCHOOL),
        school=SCHOOL,
        person_external_id="E00003",
        document_version_id=document.id,
        reason="Visa signé sur papier à l'accueil",
    )
    wording = receipt.record.wording
    assert wording is not None
    ids = [receipt.record.id, paper.record.id]
    assert privacy.erase_personal_data(db=db, record_ids=ids) == 2  # type: ignore[arg-type]
    assert privacy.erase_personal_data(db=db, record_ids=ids) == 0  # type: ignore[arg-type]
    assert chain.verify(db).ok
    for record_id in ids:
        row = _row(db, record_id)  # type: ignore[arg-type]
        for column in chain.PERSONAL:
            assert row[column] is None, column
        text = " ".join(str(v) for v in row.values())
        for personal in ("Visa signé", student.subject, "192.0.2.11", "Firefox", "test:admin"):
            assert personal not in text, personal
        assert wording not in text

    # the receipt, its certificate and its public verification
    code = receipt.record.verification_code
    found = acks.receipt(db=db, actor=student, code=code)
    data = found.to_json()
    assert data["personal_data_erased"] is True
    assert data["wording"] == ERASED and data["recorded_by"] == ERASED
    assert certificate_docx(data, "https://govkit.example/verify/" + code)[:2] == b"PK"
    checked = acks.verify_receipt(db=db, actor=student, code=code, sha256=document.sha256)
    assert checked.valid and checked.chain_intact_to_here
    public = api.request("GET", f"/verify/{code}", params={"sha256": document.sha256}).json()
    assert public["valid"] is True

    # the evidence file
    file = evidence_file(db=db, actor=LEGAL, school=SCHOOL, person="E00002", day=utc_today())
    (internal,) = [k for k in file.kinds if k.kind == "internal"]
    assert internal.acknowledgement is not None
    assert internal.acknowledgement.personal_data_erased
    assert internal.acknowledgement.wording == ERASED
    assert internal.acknowledgement.chain.verified
    data = export.to_json(file, "https://govkit.example")
    assert evidence_docx(data)[:2] == b"PK"


def test_erasure_is_the_only_change_a_record_takes(db: Database) -> None:
    receipt = acknowledge(db=db, actor=member(db, SCHOOL, "E00004"), document_version_id=current(db, SCHOOL).id)
    record_id = receipt.record.id
    for statement in (
        "UPDATE acknowledgement SET wording = 'autre' WHERE id = :id",
        "UPDATE acknowledgement SET personal_salt = :salt WHERE id = :id",
        "UPDATE acknowledgement SET wording_sha256 = :salt WHERE id = :id",
        # the salt erased, the wording kept: it could no longer be checked against its digest
        "UPDATE acknowledgement SET personal_salt = NULL WHERE id = :id",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as session:
            session.execute(sa.text(statement), {"id": record_id, "salt": "0" * 64})
    with db.transaction() as session:
        session.execute(
            sa.text("UPDATE acknowledgement SET client_ip = NULL, user_agent = NULL WHERE id = :id"), {"id": record_id}
        )
    assert chain.verify(db).ok


def test_an_altered_wording_is_found_by_audit_verify(db: Database) -> None:
    receipt = acknowledge(db=db, actor=member(db, SCHOOL, "E00005"), document_version_id=current(db, SCHOOL).id)
    with db.transaction() as session:  # an attacker with database rights goes around the trigger
        if db.dialect == "sqlite":
            session.execute(sa.text("DROP TRIGGER acknowledgement_append_only"))
        else:
            session.execute(sa.text("ALTER TABLE acknowledgement DISABLE TRIGGER acknowledgement_append_only"))
        session.execute(
            sa.text("UPDATE acknowledgement SET wording = 'Autre texte' WHERE id = :id"), {"id": receipt.record.id}
        )
    report = chain.verify(db)
    assert not report.ok
    assert report.broken_at == receipt.record.id
    assert "wording does not match its salted digest" in (report.reason or "")


def test_the_receipt_query_says_the_personal_data_were_erased(api: Api, token: TokenFactory, db: Database) -> None:
    receipt = acknowledge(db=db, actor=member(db, SCHOOL, "E00006"), document_version_id=current(db, SCHOOL).id)
    privacy.erase_personal_data(db=db, record_ids=[receipt.record.id])  # type: ignore[list-item]
    query = "query($code: String!) { receipt(code: $code) { wording recordedBy personalDataErased } }"
    found = api.data(query, {"code": receipt.record.verification_code}, token=token("member", SCHOOL, "E00006"))
    assert found["receipt"] == {"wording": ERASED, "recordedBy": ERASED, "personalDataErased": True}
