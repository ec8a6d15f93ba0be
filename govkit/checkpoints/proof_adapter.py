"""govkit.proof as the checkpoints' ``Sealer`` and ``Checker`` (placeholder until govkit.proof lands)."""

from __future__ import annotations

from govkit.checkpoints.file_format import Stamp
from govkit.checkpoints.sealing import Checker, Sealer, SealingFailed, Verdict
from govkit.settings import Settings


class _Missing:
    @property
    def certificate_pem(self) -> str:
        raise SealingFailed("no sealing identity is configured")

    def sign(self, data: bytes) -> bytes:
        raise SealingFailed("no sealing identity is configured")

    def timestamp(self, digest: bytes) -> Stamp | None:
        return None

    def signature(self, data: bytes, signature: bytes, certificate_pem: str) -> Verdict:
        return Verdict(False, "signature: cannot be checked (no trust roots configured)")


def sealer_of(settings: Settings) -> Sealer:
    return _Missing()


def checker_of(settings: Settings) -> Checker:
    raise NotImplementedError
