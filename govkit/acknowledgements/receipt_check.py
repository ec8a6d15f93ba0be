"""Checking a sealed PDF receipt: its seal, time-stamp and integrity (govkit.proof.pades), and,
with a database, that what it states is what the chain holds.

    found = check_receipt_pdf(db=db, data=pdf_bytes, sealer=sealer)   # db=None: the file alone
    found.ok, found.checks, found.code

Nothing here needs more than the file and the public verification: no personal data is read, and
the answer names only what the receipt itself states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from govkit.access.roles import ANONYMOUS
from govkit.acknowledgements import service
from govkit.acknowledgements.models import Acknowledgement
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.acknowledgements.sealing import SealState
from govkit.db import Database
from govkit.proof.checks import Check
from govkit.proof.sealer import Sealer


@dataclass(frozen=True)
class ReceiptCheck:
    checks: list[Check] = field(default_factory=list)
    #: The verification code the receipt states (None: no receipt data in the file).
    code: str | None = None
    #: The file is a sealed govkit receipt at all (False: not a PDF, or no seal and no data).
    readable: bool = True

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def reason(self) -> str:
        return "; ".join(f"{c.name}: {c.detail}" for c in self.checks if not c.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "code": self.code,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }


def check_receipt_pdf(
    *, db: Database | None, data: bytes, sealer: Sealer, expected_code: str | None = None
) -> ReceiptCheck:
    """Check the file (seal against govkit's trust roots, time-stamp against the TSA's), then its
    statements against the chain when ``db`` is given; ``expected_code``: the code it must state."""
    from govkit.proof.pades import verify_pdf  # pyHanko: loaded when a file is checked

    report = verify_pdf(data, sealer.trust_roots, sealer.tsa_trust_roots)
    checks = list(report.checks)
    receipt = (report.data or {}).get("receipt") if report.data else None
    readable = report.data is not None or any(c.name == "seal" and c.ok for c in checks)
    if not isinstance(receipt, dict):
        return ReceiptCheck(checks, None, readable=readable)
    code = str(receipt.get("verification_code", ""))
    if expected_code is not None and code.upper() != expected_code.strip().upper():
        checks.append(Check("code", False, f"the receipt states the code {code}, not {expected_code}"))
    if db is not None:
        checks += chain_checks(db, receipt)
    return ReceiptCheck(checks, code, readable=True)


def chain_checks(db: Database, receipt: dict[str, Any]) -> list[Check]:
    """The record the receipt names: it exists with this document's SHA-256, its hash is the one
    stated, and it recomputes and links to the record before it."""
    code = str(receipt.get("verification_code", ""))
    sha256 = str((receipt.get("document") or {}).get("sha256", ""))
    verified = service.verify_receipt(db=db, actor=ANONYMOUS, code=code, sha256=sha256)
    with db.reading() as session:
        stored = session.exec(
            select(Acknowledgement.record_hash, Acknowledgement.previous_hash).where(
                Acknowledgement.verification_code == code.strip().upper()
            )
        ).first()
    if stored is None:
        return [Check("record", False, f"no acknowledgement has the code {code}")]
    if verified.acknowledged_at is None:  # found by its code, but not with this document's SHA-256
        return [Check("record", False, "the record with this code is of another document (SHA-256 differs)")]
    checks = [Check("record", True, f"acknowledgement {code} of the document {sha256[:16]}… exists")]
    same = (stored[0], stored[1]) == (receipt.get("record_hash"), receipt.get("previous_hash"))
    checks.append(
        Check(
            "hash",
            same,
            "the receipt's record hash is the chain's" if same else "the chain holds another hash for this record",
        )
    )
    if verified.erasure:  # the record stays verifiable; the person can no longer be linked to it
        checks.append(Check("personal data", True, verified.erasure))
    intact = bool(verified.chain_intact_to_here)
    checks.append(
        Check(
            "chain",
            intact,
            "the record's hash recomputes and links to the record before it"
            if intact
            else "the record does not recompute or does not link to the one before it (altered)",
        )
    )
    return checks


def seal_state_by_code(*, db: Database, code: str) -> SealState | None:
    """The seal of the receipt with this code, for the public verification (None: no such code)."""
    with db.reading() as session:
        found = session.exec(
            select(Acknowledgement.id, SealedReceipt.status, SealedReceipt.sealed_at, SealedReceipt.timestamp_time)
            .outerjoin(SealedReceipt, col(SealedReceipt.acknowledgement_id) == Acknowledgement.id)
            .where(Acknowledgement.verification_code == code.strip().upper())
        ).first()
    if found is None:
        return None
    _, status, sealed_at, stamped = found
    return SealState(status or "sealing", sealed_at, stamped)
