"""OpenID Connect tokens from the schools' identity provider, checked against its JWKS."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from govkit.auth.tokens import InvalidToken

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


@dataclass(frozen=True)
class OidcClaims:
    subject: str
    person_claim: str
    school_claim: str | None
    claims: dict[str, Any]


class JwksCache:
    """The issuer's keys, fetched with httpx, cached, and fetched again for an unknown key id (rotation)."""

    def __init__(self, url: str, ttl: float, timeout: float = 5.0) -> None:
        self.url = url
        self.ttl = ttl
        self.timeout = timeout
        self._keys: dict[str, PyJWK] = {}
        self._fetched = 0.0
        self._lock = threading.Lock()

    def _fetch(self) -> None:
        try:
            response = httpx.get(self.url, timeout=self.timeout)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise InvalidToken("The identity provider's keys cannot be fetched: try again later.") from exc
        keys: dict[str, PyJWK] = {}
        for item in data.get("keys", []):
            try:
                key = PyJWK(item)
            except jwt.PyJWTError:
                continue  # a key type we do not use
            keys[item.get("kid", "")] = key
        self._keys = keys
        self._fetched = time.monotonic()

    def key(self, kid: str) -> PyJWK:
        with self._lock:
            if not self._keys or time.monotonic() - self._fetched > self.ttl:
                self._fetch()
            if kid not in self._keys:  # the issuer may have rotated its keys: look once more
                self._fetch()
            found = self._keys.get(kid)
        if found is None:
            raise InvalidToken("The token is signed with a key the identity provider does not publish.")
        return found


_CACHES: dict[str, JwksCache] = {}


def jwks(url: str, ttl: float) -> JwksCache:
    if url not in _CACHES:
        _CACHES[url] = JwksCache(url, ttl)
    return _CACHES[url]


def verify(
    token: str, *, issuer: str, audience: str, jwks_url: str, ttl: float, person_claim: str, school_claim: str | None
) -> OidcClaims:
    """Check signature, issuer, audience and expiry; return the claims that identify the person."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"The token is malformed ({exc}).") from exc
    if header.get("alg") not in ALGORITHMS:
        raise InvalidToken("The token uses a signing algorithm this server does not accept.")
    key = jwks(jwks_url, ttl).key(str(header.get("kid", "")))
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The token has expired: sign in again.", key="token_expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidToken("The token was issued for another application.") from exc
    except jwt.InvalidIssuerError as exc:
        raise InvalidToken("The token was issued by another identity provider.") from exc
    except jwt.InvalidSignatureError as exc:
        raise InvalidToken("The token's signature is invalid.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"The token is not valid ({exc}).") from exc
    person = claims.get(person_claim)
    if not isinstance(person, str) or not person:
        raise InvalidToken(f"The token has no {person_claim!r} claim to find the person by.")
    school = claims.get(school_claim) if school_claim else None
    return OidcClaims(subject=str(claims["sub"]), person_claim=person, school_claim=school, claims=claims)


@lru_cache(maxsize=8192)
def unverified_issuer(token: str) -> str | None:
    """Who claims to have issued ``token`` (not verified: only to choose how to verify it)."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None
