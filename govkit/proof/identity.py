"""govkit's sealing identity: the key and certificate that seal receipts and sign checkpoints.

``load_identity(settings)`` reads GOVKIT_SEAL_PKCS12 (+ GOVKIT_SEAL_PKCS12_PASSWORD), or
GOVKIT_SEAL_CERTIFICATE + GOVKIT_SEAL_KEY (+ GOVKIT_SEAL_KEY_PASSWORD), with GOVKIT_SEAL_CHAIN for
the intermediates; in dev without them, the local demo PKI (govkit.proof.demo_pki); in prod without
them, ``None``: nothing is sealed, and whoever asks is told so. Every loading problem is one
``InvalidInput`` line naming the setting.

``trust_roots(settings)`` are the certificates a verifier of govkit's seals trusts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from govkit.errors import InvalidInput
from govkit.proof.demo_pki import DEMO_PKI_DIR, create_demo_pki
from govkit.settings import Settings

T = TypeVar("T")
#: Certificates given as asn1crypto objects or as PEM/DER files.
CertificateSource: TypeAlias = "asn1_x509.Certificate | Path | str"


@dataclass(frozen=True)
class SealingIdentity:
    """The pyHanko signer of govkit's seals, its certificate and the chain above it."""

    signer: SimpleSigner
    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]
    #: Made from the local demo PKI (dev): say so wherever the seal is shown.
    is_demo: bool = False

    @property
    def subject(self) -> str:
        return str(self.certificate.subject.human_friendly)

    def sign_detached(self, data: bytes, *, timestamper: TimeStamper | None = None) -> bytes:
        """A detached CMS SignedData (DER, SHA-256) over ``data``; with ``timestamper``, it carries
        a signature time-stamp token (CAdES-T style unsigned attribute)."""
        content = run_sync(self.signer.async_sign_general_data(data, "sha256", detached=True, timestamper=timestamper))
        return bytes(content.dump())

    def certificate_pem(self) -> str:
        return pem.armor("CERTIFICATE", self.certificate.dump()).decode("ascii")

    def chain_pem(self) -> str:
        return "".join(pem.armor("CERTIFICATE", c.dump()).decode("ascii") for c in self.chain)


def load_identity(settings: Settings) -> SealingIdentity | None:
    """The sealing identity the settings name, the demo one in dev, or ``None`` (prod, nothing set)."""
    chain = load_certificates([settings.seal_chain], setting="GOVKIT_SEAL_CHAIN") if settings.seal_chain else []
    if settings.seal_pkcs12:
        return _from_pkcs12(settings.seal_pkcs12, settings.seal_pkcs12_password, chain)
    if settings.seal_certificate or settings.seal_key:
        if not (settings.seal_certificate and settings.seal_key):
            raise InvalidInput("GOVKIT_SEAL_CERTIFICATE and GOVKIT_SEAL_KEY go together: set both, or neither")
        return _from_pem(settings.seal_certificate, settings.seal_key, settings.seal_key_password, chain)
    if settings.is_dev:
        pki = create_demo_pki(demo_pki_dir())
        return _from_pem(pki.certificate, pki.key, None, [], is_demo=True)
    return None


def demo_pki_dir() -> Path:
    return Path.cwd() / DEMO_PKI_DIR


def trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    """The roots a verifier of govkit's seals trusts: GOVKIT_SEAL_TRUST_ROOTS, else the self-signed
    certificates of GOVKIT_SEAL_CHAIN, else (dev without a sealing identity set) the demo CA."""
    if settings.seal_trust_roots:
        return load_certificates(settings.seal_trust_roots, setting="GOVKIT_SEAL_TRUST_ROOTS")
    if settings.seal_chain:
        chain = load_certificates([settings.seal_chain], setting="GOVKIT_SEAL_CHAIN")
        return [c for c in chain if c.self_signed in {"maybe", "yes"}]
    if settings.is_dev and not (settings.seal_pkcs12 or settings.seal_certificate):
        return load_certificates([create_demo_pki(demo_pki_dir()).ca_certificate], setting="demo CA")
    return []


def load_certificates(sources: Iterable[CertificateSource | None], *, setting: str = "") -> list[asn1_x509.Certificate]:
    """Certificates from asn1crypto objects or PEM/DER files (each file may hold several)."""
    found: list[asn1_x509.Certificate] = []
    for source in sources:
        if source is None:
            continue
        if isinstance(source, asn1_x509.Certificate):
            found.append(source)
            continue
        data = _read(Path(source), setting)
        try:
            if pem.detect(data):
                found.extend(asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
            else:
                found.append(asn1_x509.Certificate.load(data))
            for cert in found:
                _ = cert.subject  # parse now: a broken file fails here, not in a validator
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{_label(setting)}{source} holds no readable certificate ({exc})") from exc
    return found


def _from_pkcs12(path: Path, password: str | None, chain: list[asn1_x509.Certificate]) -> SealingIdentity:
    data = _read(path, "GOVKIT_SEAL_PKCS12")
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError as exc:
        reason = "wrong GOVKIT_SEAL_PKCS12_PASSWORD, or not a PKCS#12 file"
        raise InvalidInput(f"GOVKIT_SEAL_PKCS12: cannot open {path} ({reason})") from exc
    if key is None or cert is None:
        raise InvalidInput(f"GOVKIT_SEAL_PKCS12: {path} must hold a private key and its certificate")
    extra = [translate_pyca_cryptography_cert_to_asn1(c) for c in others]
    return _identity(key, cert, extra + chain, path)


def _from_pem(
    cert_path: Path,
    key_path: Path,
    password: str | None,
    chain: list[asn1_x509.Certificate],
    *,
    is_demo: bool = False,
) -> SealingIdentity:
    cert_data = _read(cert_path, "GOVKIT_SEAL_CERTIFICATE")
    key_data = _read(key_path, "GOVKIT_SEAL_KEY")
    try:
        cert = (
            x509.load_pem_x509_certificate(cert_data)
            if b"-----BEGIN" in cert_data
            else x509.load_der_x509_certificate(cert_data)
        )
    except ValueError as exc:
        raise InvalidInput(f"GOVKIT_SEAL_CERTIFICATE: {cert_path} holds no readable certificate") from exc
    secret = password.encode() if password else None
    try:
        if b"-----BEGIN" in key_data:
            key = serialization.load_pem_private_key(key_data, password=secret)
        else:
            key = serialization.load_der_private_key(key_data, password=secret)
    except TypeError as exc:  # encrypted without a password, or a password for a plain key
        raise InvalidInput(f"GOVKIT_SEAL_KEY: {key_path}: {_password_problem(secret)}") from exc
    except ValueError as exc:
        reason = "wrong GOVKIT_SEAL_KEY_PASSWORD" if secret else "not a private key"
        raise InvalidInput(f"GOVKIT_SEAL_KEY: cannot read {key_path} ({reason})") from exc
    return _identity(key, cert, chain, key_path, is_demo=is_demo)


def _identity(
    key: Any, cert: x509.Certificate, chain: list[asn1_x509.Certificate], source: Path, *, is_demo: bool = False
) -> SealingIdentity:
    if key.public_key() != cert.public_key():
        raise InvalidInput(f"the sealing key {source} does not match the sealing certificate")
    asn1_cert = translate_pyca_cryptography_cert_to_asn1(cert)
    store = SimpleCertificateStore()
    store.register_multiple(chain)
    signer = _Signer(
        private_key=key,
        signing_cert=asn1_cert,
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=store,
    )
    unique = tuple({c.sha256: c for c in chain if c.sha256 != asn1_cert.sha256}.values())
    return SealingIdentity(signer=signer, certificate=asn1_cert, chain=unique, is_demo=is_demo)


class _Signer(SimpleSigner):
    """pyHanko's SimpleSigner, keeping the loaded private key: SimpleSigner loads it again from its
    DER for every signature (RSA's key checks: some 50 ms, more than the rest of a seal)."""

    def __init__(self, *, private_key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            return bytes(super().sign_raw(data, digest_algorithm))
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return bytes(super().sign_raw(data, digest_algorithm))


def _password_problem(secret: bytes | None) -> str:
    if secret:
        return "the key is not encrypted: unset GOVKIT_SEAL_KEY_PASSWORD"
    return "the key is encrypted: set GOVKIT_SEAL_KEY_PASSWORD"


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(f"{_label(setting)}{path} does not exist") from exc
    except OSError as exc:
        raise InvalidInput(f"{_label(setting)}cannot read {path} ({exc.strerror})") from exc


def _label(setting: str) -> str:
    return f"{setting}: " if setting else ""


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run one of pyHanko's coroutines to the end from synchronous code, even when the calling
    thread already runs an event loop (then in a thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # handed back to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name="govkit-proof")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def as_certificates(roots: Sequence[CertificateSource]) -> list[asn1_x509.Certificate]:
    """``roots`` as asn1crypto certificates (files are read)."""
    return load_certificates(roots)
