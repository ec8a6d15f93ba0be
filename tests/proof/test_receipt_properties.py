"""Properties of the receipts, whatever their words (names in any script, long wordings, with or
without a display time): each is PDF/A-2b, its seal verifies against the demo CA, and the data it
carries in its metadata are the receipt's own."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.documents.pdfa import check_pdfa
from govkit.proof.demo_pki import DemoPki
from govkit.proof.pades import verify_pdf
from govkit.proof.sealer import Sealer
from tests.conftest import make_settings

WORDS = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=40)
MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@st.composite
def receipts(draw: st.DrawFn) -> dict:
    acknowledged = draw(MOMENTS)
    receipt = {
        "receipt_id": draw(st.integers(1, 10**7)),
        "verification_code": "ABCD-EFGH-JKLM-NPQR",
        "person": {"external_id": draw(WORDS), "name": f"{draw(WORDS)} {draw(WORDS)}"},
        "school": "imt-atlantique",
        "document": {
            "kind": "internal",
            "title": draw(WORDS),
            "version": draw(st.integers(1, 99)),
            "language": "fr",
            "effective_from": "2025-09-01",
            "sha256": hashlib.sha256(draw(st.binary(max_size=8))).hexdigest(),
        },
        "wording": draw(st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=1500)),
        "acknowledged_at": acknowledged.isoformat(),
        "method": draw(st.sampled_from(["electronic", "paper", "carried_forward"])),
        "authentication": draw(st.sampled_from(["oidc", "govkit_token", "paper_signature", "other"])),
        "recorded_by": draw(WORDS),
        "record_hash": "a" * 64,
        "previous_hash": "b" * 64,
    }
    if draw(st.booleans()):
        receipt |= {"shown_at": (acknowledged - timedelta(minutes=3)).isoformat(), "shown_via": "page"}
    return receipt


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(receipt=receipts())
def test_every_receipt_is_pdfa_sealed_and_carries_its_data(demo_pki: DemoPki, receipt: dict) -> None:
    sealer = Sealer(make_settings(seal_certificate=demo_pki.certificate, seal_key=demo_pki.key))
    made = sealer.make(receipt, chain_count=receipt["receipt_id"], made_at=datetime.now(UTC))
    assert made.status == "sealed"
    assert check_pdfa(made.pdf).passed, check_pdfa(made.pdf).reason
    report = verify_pdf(made.pdf, [demo_pki.ca_certificate])
    assert report.ok, report.reason
    assert report.data is not None and report.data["receipt"] == receipt
