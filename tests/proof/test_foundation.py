"""The proof foundation: sealing identities (both ways of configuring them, and their errors),
detached signatures, and trusted time against a real local TSA."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from govkit.errors import InvalidInput
from govkit.proof.demo_pki import CA_NAME, SEALING_NAME, DemoPki, create_demo_pki
from govkit.proof.detached import verify_detached
from govkit.proof.identity import SealingIdentity, load_identity, trust_roots
from govkit.proof.trusted_time import TimeStampUnavailable, timestamp_token, timestamper, token_time, verify_token
from govkit.settings import Environment, Settings
from tests.proof_pki import LocalTsa

DATA = b"checkpoint 42 head 0123abcd"


def pem_settings(pki: DemoPki, **extra: object) -> Settings:
    return Settings(
        env=Environment.PROD,
        secret_key="x" * 32,
        seal_certificate=pki.certificate,
        seal_key=pki.key,
        seal_trust_roots=[pki.ca_certificate],
        **extra,
    )


@pytest.fixture(scope="module")
def identity(demo_pki: DemoPki) -> SealingIdentity:
    found = load_identity(pem_settings(demo_pki))
    assert found is not None
    return found


@pytest.fixture(scope="module")
def p12(demo_pki: DemoPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = serialization.load_pem_private_key(demo_pki.key.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(demo_pki.certificate.read_bytes())
    ca = x509.load_pem_x509_certificate(demo_pki.ca_certificate.read_bytes())
    assert isinstance(key, rsa.RSAPrivateKey)
    path = tmp_path_factory.mktemp("p12") / "seal.p12"
    data = pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, [ca], serialization.BestAvailableEncryption(b"s3cret")
    )
    path.write_bytes(data)
    return path


def test_demo_pki_is_named_and_idempotent(demo_pki: DemoPki) -> None:
    again = create_demo_pki(demo_pki.directory)
    assert again.certificate.read_bytes() == demo_pki.certificate.read_bytes()
    cert = x509.load_pem_x509_certificate(demo_pki.certificate.read_bytes())
    assert SEALING_NAME in cert.subject.rfc4514_string()
    assert CA_NAME in cert.issuer.rfc4514_string()


def test_pem_identity_signs_and_verifies(identity: SealingIdentity, demo_pki: DemoPki) -> None:
    signature = identity.sign_detached(DATA)
    report = verify_detached(DATA, signature, [demo_pki.ca_certificate])
    assert report.valid, report.reason
    assert report.signer is not None and "govkit demo sealing" in report.signer
    assert identity.certificate_pem().startswith("-----BEGIN CERTIFICATE-----")


def test_pkcs12_identity_signs_and_verifies(p12: Path, demo_pki: DemoPki) -> None:
    found = load_identity(
        Settings(env=Environment.PROD, secret_key="x" * 32, seal_pkcs12=p12, seal_pkcs12_password="s3cret")
    )
    assert found is not None and not found.is_demo
    assert len(found.chain) == 1  # the CA came with the key
    assert verify_detached(DATA, found.sign_detached(DATA), [demo_pki.ca_certificate]).valid


def test_tampered_data_or_signature_fails(identity: SealingIdentity, demo_pki: DemoPki) -> None:
    signature = identity.sign_detached(DATA)
    report = verify_detached(DATA.replace(b"42", b"43"), signature, [demo_pki.ca_certificate])
    assert not report.valid and "modified" in report.reason
    broken = bytearray(signature)
    broken[-5] ^= 0x01  # inside the RSA signature value
    assert not verify_detached(DATA, bytes(broken), [demo_pki.ca_certificate]).valid
    assert not verify_detached(DATA, b"not a signature", [demo_pki.ca_certificate]).valid


def test_untrusted_root_fails(identity: SealingIdentity, tsa: LocalTsa) -> None:
    report = verify_detached(DATA, identity.sign_detached(DATA), [tsa.root_path])
    assert not report.valid and "not trusted" in report.reason
    assert not verify_detached(DATA, identity.sign_detached(DATA), []).valid


def test_loading_errors_are_one_clear_line(p12: Path, demo_pki: DemoPki, tmp_path: Path) -> None:
    prod = {"env": Environment.PROD, "secret_key": "x" * 32}
    cases = [
        (Settings(**prod, seal_pkcs12=p12, seal_pkcs12_password="wrong"), "wrong GOVKIT_SEAL_PKCS12_PASSWORD"),
        (Settings(**prod, seal_pkcs12=tmp_path / "missing.p12"), "does not exist"),
        (Settings(**prod, seal_certificate=demo_pki.certificate), "go together"),
        (Settings(**prod, seal_certificate=demo_pki.ca_certificate, seal_key=demo_pki.key), "does not match"),
        (Settings(**prod, seal_certificate=demo_pki.key, seal_key=demo_pki.key), "no readable certificate"),
    ]
    for settings, message in cases:
        with pytest.raises(InvalidInput, match=message) as caught:
            load_identity(settings)
        assert "\n" not in caught.value.message


def test_prod_without_settings_seals_nothing_and_dev_uses_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_identity(Settings(env=Environment.PROD, secret_key="x" * 32)) is None
    monkeypatch.chdir(tmp_path)
    dev = load_identity(Settings(env=Environment.DEV))
    assert dev is not None and dev.is_demo
    assert (tmp_path / ".govkit-pki" / "demo-ca.pem").exists()
    roots = trust_roots(Settings(env=Environment.DEV))
    assert verify_detached(DATA, dev.sign_detached(DATA), roots).valid


def test_trust_roots_setting_takes_a_path_or_a_json_list(demo_pki: DemoPki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVKIT_SEAL_TRUST_ROOTS", str(demo_pki.ca_certificate))
    assert Settings().seal_trust_roots == [demo_pki.ca_certificate]
    monkeypatch.setenv("GOVKIT_SEAL_TRUST_ROOTS", f'["{demo_pki.ca_certificate}", "{demo_pki.certificate}"]')
    assert len(Settings().seal_trust_roots) == 2


def test_timestamp_from_the_local_tsa_verifies(tsa: LocalTsa, demo_pki: DemoPki) -> None:
    stamper = timestamper(pem_settings(demo_pki, tsa_url=tsa.url))
    assert stamper is not None
    digest = hashlib.sha256(DATA).digest()
    token = timestamp_token(stamper, digest)
    report = verify_token(token, digest, [tsa.root_path])
    assert report.valid, report.reason
    assert report.tsa_name is not None and "govkit test TSA" in report.tsa_name
    assert report.time == token_time(token)
    wrong = verify_token(token, hashlib.sha256(b"other").digest(), [tsa.root_path])
    assert not wrong.valid and "digest mismatch" in wrong.reason
    untrusted = verify_token(token, digest, [demo_pki.ca_certificate])
    assert not untrusted.valid and "not trusted" in untrusted.reason
    assert not verify_token(b"\x30\x03\x02\x01\x00", digest, [tsa.root_path]).valid


def test_signature_with_timestamp(identity: SealingIdentity, tsa: LocalTsa, demo_pki: DemoPki) -> None:
    stamper = timestamper(pem_settings(demo_pki, tsa_url=tsa.url))
    signature = identity.sign_detached(DATA, timestamper=stamper)
    report = verify_detached(DATA, signature, [demo_pki.ca_certificate], tsa_trust_roots=[tsa.root_path])
    assert report.valid, report.reason
    assert report.timestamped_at is not None


def test_unavailable_tsa_is_one_clear_error(tsa: LocalTsa, demo_pki: DemoPki) -> None:
    stamper = timestamper(pem_settings(demo_pki, tsa_url=tsa.url))
    assert stamper is not None
    tsa.down = True
    try:
        with pytest.raises(TimeStampUnavailable, match="did not answer"):
            timestamp_token(stamper, hashlib.sha256(DATA).digest())
    finally:
        tsa.down = False
    assert timestamper(Settings()) is None
