"""Trusted time: RFC 3161 time-stamp tokens from the time-stamping authority GOVKIT_TSA_URL.

    stamper = timestamper(settings)          # None when no TSA is configured
    token = timestamp_token(stamper, digest)  # DER TimeStampToken over a SHA-256 digest
    report = verify_token(token, digest, tsa_trust_roots(settings))

A TSA that cannot be reached or refuses is a ``TimeStampUnavailable`` with one clear line; the
caller decides whether to retry (the sealing job does) or to go on without trusted time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

from govkit.proof.errors import TimeStampUnavailable

__all__ = [
    "TimeReport",
    "TimeStampUnavailable",
    "digest_of",
    "timestamp_token",
    "timestamper",
    "token_time",
    "tsa_trust_roots",
    "verify_token",
]
from govkit.proof.detached import validation_context
from govkit.proof.identity import CertificateSource, load_certificates, run_sync
from govkit.settings import Settings


@dataclass(frozen=True)
class TimeReport:
    """What checking one time-stamp token found."""

    time: dt.datetime | None
    tsa_name: str | None
    valid: bool
    reason: str


def timestamper(settings: Settings) -> HTTPTimeStamper | None:
    """pyHanko's HTTP client of the configured TSA, or ``None`` without GOVKIT_TSA_URL."""
    if not settings.tsa_url:
        return None
    auth = (settings.tsa_username, settings.tsa_password or "") if settings.tsa_username else None
    return HTTPTimeStamper(settings.tsa_url, timeout=settings.tsa_timeout_seconds, auth=auth)


def tsa_trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    """The roots GOVKIT_TSA_TRUST_ROOTS names (empty: no time-stamp can be trusted)."""
    return load_certificates(settings.tsa_trust_roots, setting="GOVKIT_TSA_TRUST_ROOTS")


def timestamp_token(stamper: TimeStamper, digest: bytes) -> bytes:
    """A DER TimeStampToken (CMS ContentInfo) over ``digest``, a SHA-256 digest."""
    if len(digest) != 32:
        raise ValueError("timestamp_token expects a SHA-256 digest (32 bytes)")
    try:
        token = run_sync(stamper.async_timestamp(digest, "sha256"))
    except (TimestampRequestError, OSError) as exc:
        raise TimeStampUnavailable(f"the time-stamping authority did not answer: {_cause(exc)}") from exc
    return bytes(token.dump())


def token_time(token: bytes) -> dt.datetime | None:
    """The time a token states, without checking it (``None`` if it is not a token)."""
    try:
        return _tst_info(_signed_data(token))["gen_time"].native
    except (ValueError, TypeError, KeyError):
        return None


def verify_token(token: bytes, digest: bytes, trust_roots: Sequence[CertificateSource]) -> TimeReport:
    """Check that ``token`` is a time-stamp over ``digest`` (SHA-256) signed by a TSA whose
    certificate chains to ``trust_roots`` and is meant for time-stamping."""
    try:
        signed_data = _signed_data(token)
        info = _tst_info(signed_data)
        time = info["gen_time"].native
        name = _tsa_name(signed_data, info)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return TimeReport(None, None, False, f"not a time-stamp token ({exc.__class__.__name__})")
    algorithm = info["message_imprint"]["hash_algorithm"]["algorithm"].native
    if algorithm != "sha256":
        return TimeReport(time, name, False, f"the token's imprint uses {algorithm}, not sha256")
    context = validation_context(trust_roots)
    try:
        status = run_sync(validate_tst_signed_data(signed_data, context, lambda _algorithm: digest))
    except (SignatureValidationError, ValueError, TypeError, KeyError) as exc:
        return TimeReport(time, name, False, f"the token cannot be checked: {exc}")
    if not status["intact"]:
        return TimeReport(time, name, False, "the token stamps other data (digest mismatch)")
    if not status["valid"]:
        return TimeReport(time, name, False, "the token's signature is not valid")
    if status["trust_problem_indic"] is not None:
        why = str(getattr(status["trust_problem_indic"], "name", status["trust_problem_indic"])).lower()
        return TimeReport(time, name, False, f"the time-stamping authority is not trusted ({why})")
    return TimeReport(time, name, True, "valid")


def digest_of(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _signed_data(token: bytes) -> cms.SignedData:
    content = cms.ContentInfo.load(token)
    if content["content_type"].native != "signed_data":
        raise ValueError("not a SignedData")
    signed_data = content["content"]
    if signed_data["encap_content_info"]["content_type"].native != "tst_info":
        raise ValueError("not a time-stamp token")
    return signed_data


def _tst_info(signed_data: cms.SignedData) -> tsp.TSTInfo:
    info = signed_data["encap_content_info"]["content"].parsed
    if not isinstance(info, tsp.TSTInfo):
        raise ValueError("not a TSTInfo")
    return info


def _tsa_name(signed_data: cms.SignedData, info: tsp.TSTInfo) -> str | None:
    sid = signed_data["signer_infos"][0]["sid"].chosen
    for choice in signed_data["certificates"] or ():
        cert = choice.chosen
        if isinstance(sid, cms.IssuerAndSerialNumber) and cert.serial_number == sid["serial_number"].native:
            return str(cert.subject.human_friendly)
    named = info["tsa"]
    if named.native is not None and named.name == "directory_name":
        return str(named.chosen.human_friendly)
    return None


def _cause(exc: BaseException) -> str:
    causes = [str(exc)]
    inner = exc.__cause__
    while inner is not None and len(causes) < 3:
        if str(inner):
            causes.append(str(inner))
        inner = inner.__cause__
    return "; ".join(causes)
