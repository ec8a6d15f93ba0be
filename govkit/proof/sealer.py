"""The receipt sealer: makes an acknowledgement's PDF/A receipt and seals it, built once per process.

    sealer = Sealer(settings)             # nothing is loaded yet
    made = sealer.make(receipt_json, chain_count=..., made_at=...)
    made.status                           # "sealed", or "unsealed" without a sealing identity (prod)

The sealing identity, the time-stamping client and the font are loaded on first use, once: a
process that never seals (most CLI commands) pays nothing, and a configuration error is one clear
line where sealing happens (the job records it on the receipt; ``govkit verify`` says it).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from govkit.settings import Settings

if TYPE_CHECKING:  # pyHanko, fpdf2 and fontTools are loaded on first use (see the module)
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import TimeStamper

    from govkit.proof.fonts import ReceiptFonts
    from govkit.proof.identity import SealingIdentity

#: The key of the sealer among the jobs' extras (govkit.composition).
SEALER = "receipt_sealer"


@dataclass(frozen=True)
class Made:
    """A receipt made: its PDF, sealed or not, and what its seal states."""

    pdf: bytes
    status: Literal["sealed", "unsealed"]
    signer: str | None = None
    sealed_at: datetime | None = None
    timestamp_time: datetime | None = None
    tsa_name: str | None = None


class Sealer:
    """Makes and seals receipts with the settings' identity, TSA and font (see the module)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    def verify_url(self, code: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}/verify/{code}"

    @cached_property
    def identity(self) -> SealingIdentity | None:
        from govkit.proof.identity import load_identity

        with self._lock:
            return load_identity(self.settings)

    @cached_property
    def stamper(self) -> TimeStamper | None:
        from govkit.proof.trusted_time import timestamper

        return timestamper(self.settings)

    @cached_property
    def fonts(self) -> ReceiptFonts:
        from govkit.proof.fonts import receipt_fonts

        return receipt_fonts(self.settings.receipt_font)

    @cached_property
    def trust_roots(self) -> list[asn1_x509.Certificate]:
        """The roots a verifier of govkit's seals trusts (govkit.proof.identity.trust_roots)."""
        from govkit.proof.identity import trust_roots

        return trust_roots(self.settings)

    @cached_property
    def tsa_trust_roots(self) -> list[asn1_x509.Certificate]:
        from govkit.proof.trusted_time import tsa_trust_roots

        return tsa_trust_roots(self.settings)

    @property
    def tsa_label(self) -> str | None:
        """The configured TSA as the receipt names it (its host), or None."""
        if not self.settings.tsa_url:
            return None
        return urlsplit(self.settings.tsa_url).netloc or self.settings.tsa_url

    def make(self, receipt: Mapping[str, Any], *, chain_count: int, made_at: datetime) -> Made:
        """The PDF/A receipt of ``receipt`` (``Receipt.to_json()``), sealed when an identity is set."""
        from govkit.proof.receipt_pdf import ReceiptContext, receipt_pdf

        identity = self.identity
        context = ReceiptContext(
            verify_url=self.verify_url(str(receipt["verification_code"])),
            chain_count=chain_count,
            sealer=_common_name(identity) if identity is not None else None,
            tsa=self.tsa_label if identity is not None else None,
            demo=identity is not None and identity.is_demo,
            made_at=made_at,
        )
        layout = receipt_pdf(receipt, context, self.fonts)
        return self.seal(layout.pdf, page=layout.seal_page, box=layout.seal_box)

    @property
    def sealer_name(self) -> str | None:
        """The seal's signer as documents name it (its certificate's common name), None: no seal."""
        identity = self.identity
        return _common_name(identity) if identity is not None else None

    def seal(self, pdf: bytes, *, page: int, box: tuple[int, int, int, int]) -> Made:
        """``pdf`` sealed (its signature field on ``page`` at ``box``), or as it is without an identity."""
        from govkit.proof.pades import seal_pdf

        identity = self.identity
        if identity is None:
            return Made(pdf=pdf, status="unsealed")
        sealed = seal_pdf(pdf, identity, stamper=self.stamper, page=page, box=box)
        return Made(
            pdf=sealed.data,
            status="sealed",
            signer=identity.subject,
            sealed_at=sealed.sealed_at,
            timestamp_time=sealed.timestamp_time,
            tsa_name=sealed.tsa_name,
        )


def _common_name(identity: SealingIdentity) -> str:
    name = identity.certificate.subject.native
    return str(name.get("common_name") or identity.subject)
