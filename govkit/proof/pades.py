"""Sealing PDFs with a PAdES signature (pyHanko), and checking a sealed PDF.

``seal_pdf`` adds, in an incremental update (the PDF/A file before it stays byte for byte), a
certification signature (no change allowed after it) by govkit's sealing identity: PAdES B-B, or
B-T when a time-stamping authority is given. ``verify_pdf`` checks, against trust roots, the seal,
that the file was not changed after it (the signature covers every byte), the time-stamp, and
reads the receipt's data from the XMP metadata (govkit.proof.receipt_pdf).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pikepdf
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle

from govkit.proof.checks import Check
from govkit.proof.detached import validation_context
from govkit.proof.errors import TimeStampUnavailable
from govkit.proof.identity import CertificateSource, SealingIdentity, run_sync
from govkit.proof.pdf_text import RECEIPT_NS

SEAL_FIELD = "govkit-seal"
REASON = "Reçu de prise de connaissance scellé par govkit / Acknowledgement receipt sealed by govkit"


@dataclass(frozen=True)
class SealedPdf:
    data: bytes
    #: The signing time the seal states (govkit's clock).
    sealed_at: datetime
    #: The time-stamp token's time and its authority (None without a TSA).
    timestamp_time: datetime | None = None
    tsa_name: str | None = None


@dataclass(frozen=True)
class PdfReport:
    checks: list[Check] = field(default_factory=list)
    #: The receipt's data read from the XMP metadata (None: none found).
    data: dict[str, Any] | None = None
    signer: str | None = None
    sealed_at: datetime | None = None
    timestamp_time: datetime | None = None
    tsa_name: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def reason(self) -> str:
        return "; ".join(f"{c.name}: {c.detail}" for c in self.checks if not c.ok)


def seal_pdf(
    pdf: bytes,
    identity: SealingIdentity,
    *,
    stamper: TimeStamper | None = None,
    page: int = 0,
    box: tuple[int, int, int, int] | None = None,
) -> SealedPdf:
    """``pdf`` sealed by ``identity`` (time-stamped by ``stamper``), the seal's field on ``page``
    at ``box`` (PDF points; None: an invisible field)."""
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=REASON,
        name=identity.subject,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    spec = fields.SigFieldSpec(SEAL_FIELD, on_page=page, box=box) if box is not None else None
    style = StaticStampStyle(border_width=1, background=None, background_opacity=1.0)
    signer = signers.PdfSigner(meta, identity.signer, timestamper=stamper, stamp_style=style, new_field_spec=spec)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    size_key = (bytes(identity.certificate.sha256), stamper is not None)
    try:
        run_sync(signer.async_sign_pdf(writer, output=output, bytes_reserved=_RESERVED.get(size_key)))
    except (TimestampRequestError, OSError) as exc:
        raise TimeStampUnavailable(f"the time-stamping authority did not answer: {exc}") from exc
    data = output.getvalue()
    contents = _contents(data)
    _RESERVED.setdefault(size_key, 2 * len(contents))  # pyHanko counts hexadecimal digits
    signer_info = cms.ContentInfo.load(contents)["content"]["signer_infos"][0]
    stamp_time, tsa_name = _stamp(signer_info)
    return SealedPdf(data=data, sealed_at=_signing_time(signer_info), timestamp_time=stamp_time, tsa_name=tsa_name)


#: The room pyHanko reserved for the signature the first time (it signs once more to find it out):
#: by sealing identity and with or without a time-stamp, the same for every later seal.
_RESERVED: dict[tuple[bytes, bool], int] = {}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def reserved_size(identity: SealingIdentity, *, timestamped: bool) -> int | None:
    """The room (hexadecimal digits) this process reserves for ``identity``'s seals (None: none yet)."""
    return _RESERVED.get((bytes(identity.certificate.sha256), timestamped))


def _contents(data: bytes) -> bytes:
    """The signature's CMS bytes, between the two ranges the last ``/ByteRange`` names."""
    found = list(_BYTE_RANGE.finditer(data[-20000:]))
    if not found:
        raise ValueError("the sealed PDF has no /ByteRange")
    _start, first, second, _rest = (int(g) for g in found[-1].groups())
    return bytes.fromhex(data[first + 1 : second - 1].decode("ascii"))


def _signing_time(signer_info: Any) -> datetime:
    for attribute in signer_info["signed_attrs"]:
        if attribute["type"].native == "signing_time":
            return attribute["values"][0].native
    return datetime.now(UTC)


def verify_pdf(
    data: bytes,
    trust_roots: Sequence[CertificateSource],
    tsa_trust_roots: Sequence[CertificateSource] = (),
) -> PdfReport:
    """Check a sealed PDF: seal, integrity, time-stamp (when there is one), embedded data."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
        return PdfReport([Check("pdf", False, f"not a readable PDF ({exc.__class__.__name__})")])
    if not signatures:
        return PdfReport([Check("seal", False, "the PDF carries no seal (no signature)")], data=_receipt_data(data))
    signature = signatures[0]
    try:
        status = run_sync(
            async_validate_pdf_signature(
                signature,
                signer_validation_context=validation_context(trust_roots),
                ts_validation_context=validation_context(tsa_trust_roots),
            )
        )
    except (SignatureValidationError, PdfError, ValueError, TypeError, KeyError) as exc:
        return PdfReport([Check("seal", False, f"the seal cannot be checked ({exc})")], data=_receipt_data(data))
    signer = str(status.signing_cert.subject.human_friendly)
    checks = [_seal_check(status, signer)]
    unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    checks.append(
        Check(
            "integrity",
            unchanged,
            "the file is byte for byte what was sealed"
            if unchanged
            else "the file was changed after it was sealed (the seal does not cover every byte)",
        )
    )
    stamp = status.timestamp_validity
    tsa_name = str(stamp.signing_cert.subject.human_friendly) if stamp is not None else None
    if stamp is None:
        checks.append(Check("timestamp", True, "none: the time stated is govkit's own clock"))
    elif stamp.intact and stamp.valid and stamp.trusted:
        checks.append(Check("timestamp", True, f"{stamp.timestamp.isoformat()} from {tsa_name} (trusted)"))
    else:
        why = "not trusted" if stamp.intact and stamp.valid else "does not match the seal"
        checks.append(Check("timestamp", False, f"the time-stamp from {tsa_name} {why}"))
    receipt = _receipt_data(data)
    checks.append(
        Check("data", receipt is not None, "receipt data found" if receipt else "no receipt data in the metadata")
    )
    return PdfReport(
        checks=checks,
        data=receipt,
        signer=signer,
        sealed_at=status.signer_reported_dt,
        timestamp_time=stamp.timestamp if stamp is not None else None,
        tsa_name=tsa_name,
    )


def _seal_check(status: Any, signer: str) -> Check:
    if not status.intact:
        return Check("seal", False, "the sealed bytes were changed (the digest does not match)")
    if not status.valid:
        return Check("seal", False, "the seal's signature is not valid")
    if not status.trusted:
        problem = status.trust_problem_indic
        why = str(getattr(problem, "name", problem)).lower()
        return Check("seal", False, f"sealed by {signer}, whose certificate is not trusted here ({why})")
    return Check("seal", True, f"valid, sealed by {signer}")


def _stamp(signer_info: Any) -> tuple[datetime | None, str | None]:
    """The signature time-stamp's time and authority (unchecked: they were just made)."""
    for attribute in signer_info["unsigned_attrs"] or ():
        if attribute["type"].native != "signature_time_stamp_token":
            continue
        signed = attribute["values"][0]["content"]
        time = signed["encap_content_info"]["content"].parsed["gen_time"].native
        sid = signed["signer_infos"][0]["sid"].chosen
        for choice in signed["certificates"] or ():
            cert = choice.chosen
            if cert.serial_number == sid["serial_number"].native:
                return time, str(cert.subject.human_friendly)
        return time, None
    return None, None


def _receipt_data(data: bytes) -> dict[str, Any] | None:
    """The receipt's JSON from the XMP metadata (``govkit:receipt``), or None."""
    try:
        with (
            pikepdf.open(io.BytesIO(data)) as pdf,
            pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp,
        ):
            text = str(xmp.get("{" + RECEIPT_NS + "}receipt", ""))
    except Exception:  # an unreadable PDF or XMP simply has no data
        return None
    try:
        found = json.loads(text) if text else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None
