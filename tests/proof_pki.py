"""Real PKI for the proof tests: the demo PKI in a temporary directory, and a real RFC 3161
time-stamping authority served on 127.0.0.1 (HTTP POST ``application/timestamp-query`` of a DER
TimeStampReq, answered by a DER TimeStampResp signed by the TSA's own key, certified by a test CA).

The TSA signs with certomancer's RFC 3161 responder (``certomancer.services.TimeStamper``); the
HTTP, the request parsing and the keys are real, nothing of the protocol is mocked.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from certomancer.services import TimeStamper
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from govkit.proof.demo_pki import DemoPki, create_demo_pki, key_usage

MAX_REQUEST = 64 * 1024


@dataclass
class LocalTsa:
    """A running local TSA: its URL, its root certificate (PEM file) and how many tokens it gave."""

    url: str
    root_path: Path
    certificate_path: Path
    server: ThreadingHTTPServer
    responder: TimeStamper
    issued: int = 0
    #: While set, the TSA answers 503 (to test an unavailable TSA).
    down: bool = False


class _Handler(BaseHTTPRequestHandler):
    server: _TsaServer

    def do_POST(self) -> None:
        tsa = self.server.tsa
        if tsa.down:
            self._answer(503, b"down", "text/plain")
            return
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self._answer(415, b"expected application/timestamp-query", "text/plain")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_REQUEST:
            self._answer(400, b"bad length", "text/plain")
            return
        try:
            request = tsp.TimeStampReq.load(self.rfile.read(length))
            _ = request["message_imprint"]["hashed_message"].native  # parse now
            response = tsa.responder.request_tsa_response(request)
        except (ValueError, TypeError, KeyError) as exc:
            self._answer(400, f"bad request: {exc}".encode(), "text/plain")
            return
        tsa.issued += 1
        self._answer(200, response.dump(), "application/timestamp-reply")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _TsaServer(ThreadingHTTPServer):
    daemon_threads = True
    tsa: LocalTsa


def start_tsa(directory: Path) -> LocalTsa:
    """A TSA (its own root CA and time-stamping certificate, in ``directory``) serving on 127.0.0.1."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govkit test TSA root")])
    root = (
        _builder(root_name, root_name, root_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(key_usage(cert_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "govkit test TSA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "govkit tests"),
        ]
    )
    tsa_cert = (
        _builder(tsa_name, root_name, tsa_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    root_path = directory / "tsa-root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    cert_path = directory / "tsa.pem"
    cert_path.write_bytes(tsa_cert.public_bytes(serialization.Encoding.PEM))
    key_der = tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    responder = TimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))],
    )
    server = _TsaServer(("127.0.0.1", 0), _Handler)
    tsa = LocalTsa(
        url=f"http://127.0.0.1:{server.server_address[1]}/tsa",
        root_path=root_path,
        certificate_path=cert_path,
        server=server,
        responder=responder,
    )
    server.tsa = tsa
    threading.Thread(target=server.serve_forever, name="test-tsa", daemon=True).start()
    return tsa


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
    )


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    """The demo CA and sealing certificate (``create_demo_pki``) in a temporary directory."""
    return create_demo_pki(tmp_path_factory.mktemp("demo-pki"))


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    """A real RFC 3161 TSA on 127.0.0.1: ``tsa.url``, ``tsa.root_path`` (PEM of its root)."""
    local = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield local
    local.server.shutdown()
    local.server.server_close()
