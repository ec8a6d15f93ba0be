"""Checking detached CMS signatures (``SealingIdentity.sign_detached``) against trust roots.

report = verify_detached(data, signature, trust_roots)
report.valid, report.signer, report.reason, report.signed_at
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from govkit.proof.identity import CertificateSource, as_certificates, run_sync


@dataclass(frozen=True)
class SignatureReport:
    """What checking one signature found: ``valid`` only if intact, cryptographically sound and
    made by a certificate that chains to one of the trust roots."""

    valid: bool
    signer: str | None
    reason: str
    #: The signing time the signer claims (its own clock), when present.
    signed_at: dt.datetime | None = None
    #: The time of the signature time-stamp token, when present and valid.
    timestamped_at: dt.datetime | None = None


def validation_context(
    roots: Sequence[CertificateSource], *, other_certs: Sequence[CertificateSource] = ()
) -> ValidationContext:
    """A validation context trusting exactly ``roots`` (never the system's list), offline."""
    return ValidationContext(
        trust_roots=as_certificates(roots),
        other_certs=as_certificates(other_certs),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def verify_detached(
    data: bytes,
    signature: bytes,
    trust_roots: Sequence[CertificateSource],
    *,
    tsa_trust_roots: Sequence[CertificateSource] | None = None,
) -> SignatureReport:
    """Check a detached CMS signature over ``data`` (a signature time-stamp, if any, against
    ``tsa_trust_roots``, by default the same roots)."""
    try:
        content = cms.ContentInfo.load(signature)
        if content["content_type"].native != "signed_data":
            return SignatureReport(False, None, "not a CMS SignedData signature")
        signed_data = content["content"]
        _ = signed_data["signer_infos"][0]  # parse now
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return SignatureReport(False, None, f"not a CMS signature ({exc.__class__.__name__})")
    context = validation_context(trust_roots)
    ts_context = validation_context(tsa_trust_roots) if tsa_trust_roots is not None else None
    try:
        status = run_sync(
            async_validate_detached_cms(
                data, signed_data, signer_validation_context=context, ts_validation_context=ts_context
            )
        )
    except (SignatureValidationError, ValueError, TypeError, KeyError) as exc:
        return SignatureReport(False, _signer(signed_data), f"the signature cannot be checked: {exc}")
    signer = str(status.signing_cert.subject.human_friendly)
    claimed = status.signer_reported_dt
    stamp = status.timestamp_validity
    stamped_at = stamp.timestamp if stamp is not None and stamp.trusted else None
    if not status.intact:
        return SignatureReport(False, signer, "the data do not match the signature (modified)", claimed)
    if not status.valid:
        return SignatureReport(False, signer, "the signature is not cryptographically valid", claimed)
    if not status.trusted:
        problem = status.trust_problem_indic
        why = f" ({getattr(problem, 'name', problem)!s})".lower() if problem is not None else ""
        return SignatureReport(False, signer, f"the signer's certificate is not trusted{why}", claimed)
    if stamp is not None and not stamp.trusted:
        return SignatureReport(False, signer, "the signature's time-stamp does not verify", claimed)
    return SignatureReport(True, signer, "valid", claimed, stamped_at)


def _signer(signed_data: cms.SignedData) -> str | None:
    try:
        sid = signed_data["signer_infos"][0]["sid"].chosen
        for cert in signed_data["certificates"] or ():
            c = cert.chosen
            if isinstance(sid, cms.IssuerAndSerialNumber) and c.serial_number == sid["serial_number"].native:
                return str(c.subject.human_friendly)
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return None
