"""A sealed receipt after the retention erased its person, on both databases: the PDF that named them
is gone, the next sealing run seals one that says "personal data erased on D under the retention
rule", and both the new one and the copy handed out before still verify against the chain."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import sqlalchemy as sa
from sqlmodel import col

from govkit.acknowledgements.models import Person
from govkit.acknowledgements.receipt_check import check_receipt_pdf
from govkit.acknowledgements.sealing import SEAL_PENDING
from govkit.days import paris_day
from govkit.db import Database
from govkit.flows.retention import run_retention
from govkit.proof.sealer import Sealer
from govkit.settings import Settings
from tests.ack_helpers import acknowledge, current, member
from tests.proof.test_sealing import receipts_of, run_job, sealing  # noqa: F401 - the sealing fixture

SCHOOL = "imt-atlantique"


def _text(pdf: bytes) -> str:
    return " ".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_receipt_of_an_erased_person(db: Database, sealing: Settings) -> None:  # noqa: F811
    student = member(db, SCHOOL, "E00008")
    version = current(db, SCHOOL)
    receipt = acknowledge(db=db, actor=student, document_version_id=version.id, shown_sha256=version.sha256)
    record_id = receipt.record.id
    assert record_id is not None
    run_job(db, sealing, SEAL_PENDING)
    before = receipts_of(db)[record_id].pdf
    assert before is not None
    with db.transaction() as session:
        person = session.get(Person, student.person_id)
        assert person is not None
        family = person.family_name
        session.execute(
            sa.update(Person)
            .where(col(Person.id) == person.id)
            .values(
                status="departed",
                departure_date=date(2018, 6, 30),
                departure_recorded_at=datetime(2018, 7, 1, tzinfo=UTC),
            )
        )
    assert family in _text(before)

    report = run_retention(db=db, settings=sealing, as_of=date(2025, 1, 1))
    assert student.person_id in report.erased
    assert record_id not in receipts_of(db)  # the PDF naming the person went with their data
    run_job(db, sealing, SEAL_PENDING)
    after = receipts_of(db)[record_id].pdf
    assert after is not None
    with db.reading() as session:
        erased = session.get(Person, student.person_id)
    assert erased is not None and erased.erased_at is not None
    day = paris_day(erased.erased_at)  # the day in Paris, as the pages say it
    statement = f"personal data erased on {day.isoformat()} under the retention rule"
    text = _text(after)
    assert family not in text and statement in text and f"effacées le {day:%d/%m/%Y}" in text

    sealer = Sealer(sealing)
    for pdf in (after, before):  # the new receipt, and the copy the person was given before
        found = check_receipt_pdf(db=db, data=pdf, sealer=sealer)
        assert found.ok, found.reason
        assert any(c.name == "personal data" and statement in c.detail for c in found.checks)
