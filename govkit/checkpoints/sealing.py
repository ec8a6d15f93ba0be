"""What a checkpoint needs of govkit's seal and of trusted time, as two small interfaces: a
``Sealer`` signs a body and has it timestamped, a ``Checker`` checks a signature and a timestamp.
govkit.proof implements them (its sealing identity, its RFC 3161 client and verification)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from govkit.checkpoints.file_format import Stamp


class SealingFailed(Exception):
    """The body could not be signed or timestamped (its message says why, in one line)."""


class Sealer(Protocol):
    """Signs checkpoint bodies by govkit's sealing identity; timestamps them when a TSA is set."""

    @property
    def certificate_pem(self) -> str:
        """The signer's certificate (PEM), written into the file."""
        ...

    def sign(self, data: bytes) -> bytes:
        """A detached CMS signature (DER) of ``data``."""
        ...

    def timestamp(self, digest: bytes) -> Stamp | None:
        """An RFC 3161 timestamp token over the SHA-256 ``digest``; None when no TSA is configured."""
        ...


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``ok``, and a line saying what was found."""

    ok: bool
    line: str
    time: datetime | None = None


class Checker(Protocol):
    """Checks a checkpoint's signature and timestamp against the configured trust roots."""

    def signature(self, data: bytes, signature: bytes, certificate_pem: str) -> Verdict: ...

    def timestamp(self, token: bytes, digest: bytes) -> Verdict: ...
