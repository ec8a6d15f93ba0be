"""A local demo PKI for dev: a root CA and a sealing certificate it issued, clearly named as such.

``create_demo_pki(directory)`` makes them once and keeps them (``./.govkit-pki`` by default, like
``./.govkit-secret`` for the secret key in dev); later calls return the same files. Nothing a demo
certificate seals is trusted by anyone but whoever chooses to trust ``demo-ca.pem``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

#: Where dev keeps its demo PKI, relative to the working directory (see govkit.settings.SECRET_FILE).
DEMO_PKI_DIR = ".govkit-pki"
CA_NAME = "govkit DEMO CA — not for production"
SEALING_NAME = "govkit demo sealing — not for production"
ORGANISATION = "govkit demo"


@dataclass(frozen=True)
class DemoPki:
    """The files of a demo PKI: the root CA's certificate, the sealing certificate and its key (PEM)."""

    directory: Path
    ca_certificate: Path
    certificate: Path
    key: Path


def demo_pki_paths(directory: Path) -> DemoPki:
    return DemoPki(
        directory=directory,
        ca_certificate=directory / "demo-ca.pem",
        certificate=directory / "sealing.pem",
        key=directory / "sealing-key.pem",
    )


def create_demo_pki(directory: Path) -> DemoPki:
    """The demo PKI kept in ``directory``, made there first if missing or unreadable."""
    paths = demo_pki_paths(directory)
    if _complete(paths):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:  # two processes starting at once make one PKI
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _complete(paths):
            _make(paths)
    return paths


def _make(paths: DemoPki) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = _name(CA_NAME)
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now - dt.timedelta(days=1), now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sealing = (
        _builder(
            _name(SEALING_NAME), ca_name, key.public_key(), now - dt.timedelta(days=1), now + dt.timedelta(days=1825)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(paths.ca_certificate, ca.public_bytes(serialization.Encoding.PEM))
    _write(paths.certificate, sealing.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write(paths.key, key_pem, private=True)


def _complete(paths: DemoPki) -> bool:
    try:
        ca = x509.load_pem_x509_certificate(paths.ca_certificate.read_bytes())
        cert = x509.load_pem_x509_certificate(paths.certificate.read_bytes())
        key = serialization.load_pem_private_key(paths.key.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    now = dt.datetime.now(dt.UTC)
    return (
        cert.issuer == ca.subject
        and key.public_key() == cert.public_key()
        and cert.not_valid_after_utc > now + dt.timedelta(days=30)
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        ]
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: rsa.RSAPublicKey,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    os.replace(tmp, path)
