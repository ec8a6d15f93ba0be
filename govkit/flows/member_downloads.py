"""A stored document downloaded by its SHA-256, and, for a member, recorded as delivered to them
(proof of display: govkit.acknowledgements.deliveries) — in one call, off the event loop once."""

from __future__ import annotations

from govkit.access.roles import Principal
from govkit.acknowledgements import deliveries
from govkit.db import Database
from govkit.documents import service as documents

__all__ = ["download"]


def download(*, db: Database, actor: Principal, sha256: str) -> documents.Download:
    """The file ``sha256`` if ``actor`` may read it (documents.download); a member's download of a
    version of their school is a delivery of it to them (one statement, the first time kept)."""
    found = documents.download(db=db, actor=actor, sha256=sha256)
    deliveries.record_download(db=db, actor=actor, sha256=sha256, channel="docx")
    return found
