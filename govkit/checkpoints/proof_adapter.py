"""govkit.proof as the checkpoints' ``Sealer`` and ``Checker``.

The sealer loads govkit's sealing identity on first use (a process that never makes a checkpoint
never reads the key; in dev, the demo PKI is made then), signs each body as a detached CMS
signature, and asks the time-stamping authority of GOVKIT_TSA_URL for a token over its SHA-256.
The checker checks a signature against GOVKIT_SEAL_TRUST_ROOTS (dev: the demo CA) and a token
against GOVKIT_TSA_TRUST_ROOTS. govkit.proof's signing and checking (pyHanko: half a second to
import) are imported on first use, so that commands and processes that make no checkpoint never
load them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from govkit.checkpoints.file_format import Stamp
from govkit.checkpoints.sealing import Checker, Sealer, SealingFailed, Verdict
from govkit.errors import GovkitError
from govkit.settings import Settings

if TYPE_CHECKING:
    from govkit.proof.identity import SealingIdentity


NO_IDENTITY = (
    "no sealing identity is configured: set GOVKIT_SEAL_PKCS12, or GOVKIT_SEAL_CERTIFICATE and GOVKIT_SEAL_KEY"
)


class ProofSealer:
    """``Sealer`` by govkit's sealing identity and the configured TSA (see the module's doc)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._identity: SealingIdentity | None = None
        self._lock = threading.Lock()

    def identity(self) -> SealingIdentity:
        with self._lock:
            if self._identity is None:
                from govkit.proof.identity import load_identity

                try:
                    found = load_identity(self.settings)
                except GovkitError as exc:
                    raise SealingFailed(exc.message) from None
                if found is None:
                    raise SealingFailed(NO_IDENTITY)
                self._identity = found
            return self._identity

    @property
    def certificate_pem(self) -> str:
        """The signer's certificate, then the certificates above it (PEM)."""
        identity = self.identity()
        return identity.certificate_pem() + identity.chain_pem()

    def sign(self, data: bytes) -> bytes:
        return self.identity().sign_detached(data)

    def timestamp(self, digest: bytes) -> Stamp | None:
        if not self.settings.tsa_url:
            return None
        from govkit.proof.trusted_time import timestamp_token, timestamper, token_time

        stamper = timestamper(self.settings)
        if stamper is None:
            return None
        try:
            token = timestamp_token(stamper, digest)
        except GovkitError as exc:
            raise SealingFailed(exc.message) from None
        time = token_time(token)
        if time is None:
            raise SealingFailed(f"the time-stamping authority at {self.settings.tsa_url} gave no readable token")
        return Stamp(token, time, self.settings.tsa_url)


class ProofChecker:
    """``Checker`` against the configured trust roots (read when built: a bad path is one line)."""

    def __init__(self, settings: Settings) -> None:
        from govkit.proof.identity import trust_roots
        from govkit.proof.trusted_time import tsa_trust_roots

        self.roots = trust_roots(settings)
        self.tsa_roots = tsa_trust_roots(settings)

    def signature(self, data: bytes, signature: bytes, certificate_pem: str) -> Verdict:
        if not self.roots:
            return Verdict(False, "signature: no trust roots to check it against (set GOVKIT_SEAL_TRUST_ROOTS)")
        from govkit.proof.detached import verify_detached

        report = verify_detached(data, signature, self.roots)
        if report.valid and _first_subject(certificate_pem) != report.signer:
            return Verdict(False, f"signature: valid, by {report.signer}, but the file's certificate is another's")
        if report.valid:
            return Verdict(True, f"signature: valid, sealed by {report.signer}")
        by = f" (signer: {report.signer})" if report.signer else ""
        return Verdict(False, f"signature: {report.reason}{by}")

    def timestamp(self, token: bytes, digest: bytes) -> Verdict:
        if not self.tsa_roots:
            return Verdict(
                False, "timestamp: no time-stamping authority is trusted to check it (set GOVKIT_TSA_TRUST_ROOTS)"
            )
        from govkit.proof.trusted_time import verify_token

        report = verify_token(token, digest, self.tsa_roots)
        if report.valid and report.time is not None:
            when = report.time.strftime("%Y-%m-%d %H:%M:%S")
            return Verdict(True, f"timestamp: valid, {when} UTC by {report.tsa_name}", report.time)
        return Verdict(False, f"timestamp: {report.reason}", report.time)


def _first_subject(certificates_pem: str) -> str | None:
    """The subject of the first certificate of a PEM text (None: none readable)."""
    from asn1crypto import pem, x509

    try:
        for _, _, der in pem.unarmor(certificates_pem.encode("ascii"), multiple=True):
            return str(x509.Certificate.load(der).subject.human_friendly)
    except (ValueError, TypeError, UnicodeEncodeError):
        return None
    return None


def sealer_of(settings: Settings) -> Sealer:
    return ProofSealer(settings)


def checker_of(settings: Settings) -> Checker:
    return ProofChecker(settings)
