"""Settings that seal with the demo PKI and timestamp with the real local TSA (tests/proof_pki.py),
and the session's SMTP server of the notices' tests."""

from __future__ import annotations

from typing import Any

import pytest

from govkit.checkpoints.proof_adapter import ProofChecker, ProofSealer
from govkit.proof.demo_pki import DemoPki
from govkit.settings import Settings
from tests.conftest import make_settings
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 - a real SMTP server (aiosmtpd)
from tests.proof_pki import LocalTsa

PUBLIC_URL = "http://govkit.test"
RECIPIENTS = ["dpo@imt.test", "auditors@imt.test"]


def proof_settings(pki: DemoPki, tsa: LocalTsa | None, **more: Any) -> Settings:
    """Sealing by the demo PKI's certificate (trusting its CA), timestamping by ``tsa`` (None: no TSA)."""
    given: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "seal_certificate": pki.certificate,
        "seal_key": pki.key,
        "seal_trust_roots": [pki.ca_certificate],
        "mail_from": "govkit <govkit@imt.test>",
        "smtp_security": "none",
        "job_retry_base_seconds": 0.05,
        "job_retry_max_seconds": 0.5,
    }
    if tsa is not None:
        given.update(tsa_url=tsa.url, tsa_trust_roots=[tsa.root_path])
    return make_settings(**{**given, **more})


@pytest.fixture(scope="session")
def sealed(demo_pki: DemoPki, tsa: LocalTsa) -> Settings:
    return proof_settings(demo_pki, tsa)


@pytest.fixture(scope="session")
def sealer(sealed: Settings) -> ProofSealer:
    return ProofSealer(sealed)


@pytest.fixture(scope="session")
def checker(sealed: Settings) -> ProofChecker:
    return ProofChecker(sealed)
