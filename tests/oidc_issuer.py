"""A real OpenID Connect issuer served on 127.0.0.1 for the tests: JWKS, authorisation and token endpoints."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class Issuer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), JwksHandler)
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        self.rotate()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def rotate(self) -> str:
        kid = f"key-{len(self.keys) + 1}"
        self.keys = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        return kid

    def jwks(self) -> dict:
        keys = []
        for kid, key in self.keys.items():
            public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**public, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def token(
        self,
        *,
        audience: str = "govkit-intranet",
        lifetime: int = 300,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        username: str = "E00001",
        school: str = "imt-atlantique",
    ) -> str:
        kid = kid or next(iter(self.keys))
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": audience,
            "sub": f"sso-{username}",
            "iat": now,
            "exp": now + lifetime,
            "preferred_username": username,
            "school": school,
        }
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


class JwksHandler(BaseHTTPRequestHandler):
    server: Issuer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        if self.path != "/token" or form.get("code") != "code-for-E00001" or form.get("client_id") != "govkit-pages":
            self.send_response(400)
            self.end_headers()
            return
        body = json.dumps({"id_token": self.server.token(), "token_type": "Bearer"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/authorize?"):  # the user is signed in at once, as E00001
            query = dict(parse_qsl(urlsplit(self.path).query))
            target = f"{query['redirect_uri']}?{urlencode({'code': 'code-for-E00001', 'state': query['state']})}"
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
            return
        if self.path != "/.well-known/jwks.json":
            self.send_response(404)
            self.end_headers()
            return
        self.server.fetches += 1
        body = json.dumps(self.server.jwks()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    server = Issuer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
