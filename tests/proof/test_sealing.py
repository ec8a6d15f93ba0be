"""Sealed PDF receipts on both databases: the sealing job (the real in-process job path) seals every
new acknowledgement, electronic, paper and carried forward; each PDF is PDF/A-2b, states the code and
the document's SHA-256, validates with pyHanko against the demo CA and carries a time-stamp from the
local TSA; one changed byte breaks it; the routes answer 503 while sealing, then the PDF."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pypdf
import pytest
import sqlalchemy as sa
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlmodel import select

import govkit.tasks  # noqa: F401 - registers the sealing tasks
from govkit.acknowledgements.models import Acknowledgement
from govkit.acknowledgements.receipt_check import check_receipt_pdf
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.acknowledgements.sealing import SEAL_PENDING, SEAL_RECEIPTS, seal_pending
from govkit.db import Database
from govkit.documents.pdfa import check_pdfa
from govkit.jobs.inprocess import InProcessQueue
from govkit.proof.demo_pki import DemoPki
from govkit.proof.identity import load_certificates
from govkit.proof.pades import verify_pdf
from govkit.proof.sealer import Sealer
from govkit.settings import Environment, Settings
from tests.ack_helpers import acknowledge, admin, current, member, record_paper_acknowledgement, republish
from tests.conftest import Api, TokenFactory, make_settings
from tests.proof_pki import LocalTsa

SCHOOL = "imt-atlantique"


@pytest.fixture(scope="module")
def sealing(demo_pki: DemoPki, tsa: LocalTsa) -> Settings:
    """Settings sealing with the demo PKI, time-stamped by the local TSA."""
    return make_settings(
        seal_certificate=demo_pki.certificate,
        seal_key=demo_pki.key,
        seal_trust_roots=[demo_pki.ca_certificate],
        tsa_url=tsa.url,
        tsa_trust_roots=[tsa.root_path],
        public_url="https://govkit.example.fr",
        job_retry_base_seconds=0.05,
        jobs_in_process=True,  # the API's sealing jobs run in the test's process, on PostgreSQL too
    )


def run_job(db: Database, settings: Settings, name: str, **args: object) -> None:
    queue = InProcessQueue(db, settings)
    try:
        with db.transaction() as session:
            queue.defer(session, name, key=None, **args)
        queue.drain(timeout=120)
    finally:
        queue.close()


def receipts_of(db: Database) -> dict[int, SealedReceipt]:
    with db.reading() as session:
        return {r.acknowledgement_id: r for r in session.exec(select(SealedReceipt)).all()}


def test_the_sealing_job_seals_every_new_acknowledgement(
    db: Database, sealing: Settings, demo_pki: DemoPki, tsa: LocalTsa
) -> None:
    student = member(db, SCHOOL, "E00001")
    first = current(db, SCHOOL)
    electronic = acknowledge(db=db, actor=student, document_version_id=first.id, shown_sha256=first.sha256)
    paper = record_paper_acknowledgement(
        db=db,
        actor=admin(db, SCHOOL),
        school=SCHOOL,
        person_external_id="E00003",
        document_version_id=first.id,
        reason="Étudiant sans accès au SI lors de l'inscription",
    )
    republish(db, SCHOOL, "internal", "editorial")  # E00001's acknowledgement carried forward
    with db.reading() as session:
        records = {a.id: a for a in session.exec(select(Acknowledgement)).all()}
    assert {a.method for a in records.values()} == {"electronic", "paper", "carried_forward"}

    run_job(db, sealing, SEAL_PENDING)  # the job the workers run every minute

    sealed = receipts_of(db)
    assert set(sealed) == set(records)
    assert {r.status for r in sealed.values()} == {"sealed"}
    ca = load_certificates([demo_pki.ca_certificate])
    for record_id, row in sealed.items():
        record = records[record_id]
        assert row.pdf is not None and row.timestamp_time is not None
        assert row.tsa_name is not None and "govkit test TSA" in row.tsa_name
        assert check_pdfa(row.pdf).passed, check_pdfa(row.pdf).reason
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(row.pdf)).pages)
        flat = "".join(text.split())
        assert record.verification_code in flat and record.document_sha256 in flat
        # pyHanko's own validator, against the demo CA (seal) and the local TSA's root (time-stamp)
        signature = PdfFileReader(io.BytesIO(row.pdf)).embedded_signatures[0]
        status = validate_pdf_signature(
            signature,
            signer_validation_context=ValidationContext(trust_roots=ca),
            ts_validation_context=ValidationContext(trust_roots=load_certificates([tsa.root_path])),
        )
        assert status.bottom_line, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    # the whole check, the chain included; then one byte changed breaks it
    sealer = Sealer(sealing)
    pdf = sealed[electronic.record.id].pdf  # type: ignore[index]
    assert pdf is not None
    found = check_receipt_pdf(db=db, data=pdf, sealer=sealer)
    assert found.ok, found.reason
    assert {c.name for c in found.checks} >= {"seal", "integrity", "timestamp", "record", "hash", "chain"}
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    broken = check_receipt_pdf(db=db, data=bytes(changed), sealer=sealer)
    assert not broken.ok
    appended = check_receipt_pdf(db=db, data=pdf + b"\n% one more line\n", sealer=sealer)
    assert not appended.ok and "integrity" in appended.reason
    # nothing left to seal: a second run seals nothing again
    assert seal_pending(db=db, sealer=sealer).sealed == []
    # a run out of time after its first batch hands the rest over to the same job, deferred at once
    with db.transaction() as session:
        session.execute(sa.delete(SealedReceipt))
    short = seal_pending(db=db, sealer=sealer, batch_size=1, budget_seconds=0)
    assert len(short.sealed) == 1 and short.more
    run_job(db, sealing, SEAL_PENDING)  # its run ends with the rest done by its continuation
    assert {r.status for r in receipts_of(db).values()} == {"sealed"} and len(receipts_of(db)) == len(records)
    assert paper.record.id in sealed


def test_without_a_sealing_identity_in_prod_receipts_say_they_are_not_sealed(db: Database) -> None:
    student = member(db, SCHOOL, "E00002")
    document = current(db, SCHOOL)
    receipt = acknowledge(db=db, actor=student, document_version_id=document.id, shown_sha256=document.sha256)
    prod = make_settings(env=Environment.PROD)
    report = seal_pending(db=db, sealer=Sealer(prod), ids=[receipt.record.id])  # type: ignore[list-item]
    assert report.unsealed == [receipt.record.id]
    row = receipts_of(db)[receipt.record.id]  # type: ignore[index]
    assert row.status == "unsealed" and row.pdf is not None
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(row.pdf)).pages)
    assert "NON SCELLÉ" in text and "NOT SEALED" in text
    report = verify_pdf(row.pdf, [])
    assert not report.ok and "no seal" in report.reason


def test_a_tsa_that_does_not_answer_fails_the_receipt_until_it_does(
    db: Database, sealing: Settings, tsa: LocalTsa
) -> None:
    student = member(db, SCHOOL, "E00004")
    document = current(db, SCHOOL)
    receipt = acknowledge(db=db, actor=student, document_version_id=document.id, shown_sha256=document.sha256)
    record_id = int(receipt.record.id or 0)
    tsa.down = True
    try:
        report = seal_pending(db=db, sealer=Sealer(sealing), ids=[record_id])
    finally:
        tsa.down = False
    assert report.stopped and "time-stamping authority" in report.stopped
    row = receipts_of(db)[record_id]
    assert (row.status, row.attempts) == ("failed", 1) and "time-stamping" in (row.error or "")
    run_job(db, sealing, SEAL_RECEIPTS, acknowledgement_ids=[record_id])  # on demand, the TSA back
    row = receipts_of(db)[record_id]
    assert (row.status, row.attempts) == ("sealed", 2) and row.error is None


@pytest.fixture
def sealed_api(db: Database, sealing: Settings) -> Iterator[Api]:
    api = Api(db, sealing)
    yield api
    jobs = api.app.state.wiring.jobs
    jobs.drain(timeout=60)  # the sealing jobs the requests queued run before the test's rollback
    jobs.close()


RECEIPT = """query($code: String!) { receipt(code: $code) {
  verificationCode pdfUrl sealStatus sealedAt timestampedAt tsaName
} }"""


def test_the_pdf_route_answers_503_while_sealing_then_the_sealed_pdf(
    sealed_api: Api, token: TokenFactory, db: Database
) -> None:
    student = member(db, SCHOOL, "E00005")
    document = current(db, SCHOOL)
    receipt = acknowledge(db=db, actor=student, document_version_id=document.id, shown_sha256=document.sha256)
    code = receipt.record.verification_code
    bearer = {"Authorization": f"Bearer {token('member', SCHOOL, 'E00005')}"}
    data = sealed_api.data(RECEIPT, {"code": code}, token=token("member", SCHOOL, "E00005"))["receipt"]
    assert data["pdfUrl"] == f"https://govkit.example.fr/receipts/{code}.pdf"
    assert (data["sealStatus"], data["sealedAt"], data["timestampedAt"]) == ("sealing", None, None)
    first = sealed_api.request("GET", f"/receipts/{code}.pdf", headers=bearer)
    assert first.status_code == 503, first.text
    assert first.headers["Retry-After"] and "being sealed" in first.json()["detail"]
    deadline = time.monotonic() + 60
    while (answer := sealed_api.request("GET", f"/receipts/{code}.pdf", headers=bearer)).status_code == 503:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.2)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["X-Govkit-Seal"] == "sealed"
    data = sealed_api.data(RECEIPT, {"code": code}, token=token("member", SCHOOL, "E00005"))["receipt"]
    assert data["sealStatus"] == "sealed" and data["sealedAt"] and data["timestampedAt"]
    assert "govkit test TSA" in data["tsaName"]
    # the public verification says it is sealed, and checks the PDF itself
    verified = sealed_api.request("GET", f"/verify/{code}", params={"sha256": document.sha256}).json()
    assert verified["valid"] and verified["seal"]["status"] == "sealed"
    checked = sealed_api.request(
        "POST", f"/verify/{code}", content=answer.content, headers={"Content-Type": "application/pdf"}
    )
    assert checked.status_code == 200 and checked.json()["valid"] is True, checked.text
    changed = bytearray(answer.content)
    changed[len(changed) // 3] ^= 0x01
    refused = sealed_api.request(
        "POST", f"/verify/{code}", content=bytes(changed), headers={"Content-Type": "application/pdf"}
    )
    assert refused.status_code in (200, 422) and refused.json().get("valid") is not True
    other = sealed_api.request(
        "POST", "/verify/AAAA-BBBB-CCCC-DDDD", content=answer.content, headers={"Content-Type": "application/pdf"}
    )
    assert other.json()["valid"] is False
    assert any(c["name"] == "code" and not c["ok"] for c in other.json()["checks"])
    # the member page's link: the same PDF, with the session cookie
    session = {"Cookie": f"govkit_session={bearer['Authorization'][7:]}"}
    page = sealed_api.request("GET", f"/ui/me/receipts/{code}", headers=session)
    assert f"/ui/receipts/{code}.pdf" in page.text and 'data-status="sealed"' in page.text
    from_page = sealed_api.request("GET", f"/ui/receipts/{code}.pdf", headers=session)
    assert from_page.status_code == 200 and from_page.content == answer.content


def test_only_the_holder_gets_the_pdf_and_an_anonymous_caller_learns_only_authenticate(
    sealed_api: Api, token: TokenFactory, db: Database
) -> None:
    student = member(db, SCHOOL, "E00006")
    document = current(db, SCHOOL)
    code = acknowledge(
        db=db, actor=student, document_version_id=document.id, shown_sha256=document.sha256
    ).record.verification_code
    anonymous = sealed_api.request("GET", f"/receipts/{code}.pdf")
    assert anonymous.status_code == 401 and "authenticat" in anonymous.json()["detail"].lower()
    assert code not in anonymous.text
    unknown = sealed_api.request("GET", "/receipts/AAAA-BBBB-CCCC-DDDD.pdf")
    assert unknown.status_code == 401 and unknown.json() == anonymous.json()
    other = {"Authorization": f"Bearer {token('member', SCHOOL, 'E00007')}"}
    assert sealed_api.request("GET", f"/receipts/{code}.pdf", headers=other).status_code == 404


def test_hostile_bodies_posted_to_verify_get_4xx(sealed_api: Api, db: Database) -> None:
    code = "AAAA-BBBB-CCCC-DDDD"
    pdf = {"Content-Type": "application/pdf"}
    cases = [
        (b"", pdf, 422),
        (b"not a pdf at all", pdf, 422),
        (b"%PDF-1.7\n" + b"\x00\xff" * 500, pdf, 422),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", pdf, 422),
        (b"%PDF-1.7\n" + b"[" * 20000, pdf, 422),
        (b"{}", {"Content-Type": "application/json"}, 415),
        (b"%PDF-" + b"0" * (2 * 1024 * 1024), pdf, 413),
    ]
    for body, headers, status in cases:
        answer = sealed_api.request("POST", f"/verify/{code}", content=body, headers=headers)
        assert answer.status_code == status, (body[:30], answer.status_code, answer.text[:300])
    form = sealed_api.request("POST", f"/verify/{code}", files={"file": ("r.pdf", b"%PDF-1.7", "application/pdf")})
    assert form.status_code == 401  # multipart needs a bearer token (govkit.middleware)


def test_erasing_personal_data_deletes_the_receipt_and_the_next_one_holds_no_erased_data(
    db: Database, sealing: Settings
) -> None:
    from govkit.acknowledgements import privacy
    from govkit.acknowledgements.models import Person

    student = member(db, SCHOOL, "E00007")
    version = current(db, SCHOOL)
    receipt = acknowledge(db=db, actor=student, document_version_id=version.id, shown_sha256=version.sha256)
    record_id = receipt.record.id
    assert record_id is not None
    run_job(db, sealing, SEAL_PENDING)
    with db.reading() as session:
        person = session.get(Person, receipt.record.person_id)
        assert person is not None
        family = person.family_name

    def text_of(pdf: bytes) -> str:
        return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    before = receipts_of(db)[record_id].pdf
    wording = receipt.record.wording or ""
    assert before is not None and family in wording and " ".join(wording.split()) in " ".join(text_of(before).split())

    assert privacy.erase_personal_data(db=db, record_ids=[record_id]) == 1
    assert record_id not in receipts_of(db)  # the PDF naming the person is gone with the data
    run_job(db, sealing, SEAL_PENDING)
    after = receipts_of(db)[record_id]
    assert after.status == "sealed" and after.pdf is not None
    assert verify_pdf(after.pdf, trust_roots=sealing.seal_trust_roots, tsa_trust_roots=sealing.tsa_trust_roots).ok
    flat = " ".join(text_of(after.pdf).split())
    assert " ".join(wording.split()) not in flat and "personal data erased" in flat  # the wording is gone
    assert receipt.record.verification_code in "".join(text_of(after.pdf).split())
