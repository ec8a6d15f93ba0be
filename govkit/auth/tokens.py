"""govkit's own bearer tokens: HS256 JWTs signed with the server's secret key."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt

ALGORITHM = "HS256"
AUDIENCE = "govkit"


class InvalidToken(Exception):
    """The token cannot be trusted; the message says why, for the client (in English); ``key`` says
    it to the pages, in their language (govkit.web.i18n.errors)."""

    def __init__(self, message: str, *, key: str = "token_invalid") -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    grant_id: int
    role: str
    expires_at: datetime


def issue(*, key: str, issuer: str, subject: str, grant_id: int, role: str, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": subject,
        "gid": grant_id,
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verified(token: str, *, key: str, issuer: str) -> TokenClaims:
    """``verify``, with the signature, issuer and audience of a token checked once per process
    (tokens are immutable: the same text verifies the same way) and its expiry at every call."""
    claims = _checked(token, key, issuer)
    if claims.expires_at <= datetime.now(UTC):
        raise InvalidToken("The token has expired: ask for a new one.", key="token_expired")
    return claims


@lru_cache(maxsize=8192)
def _checked(token: str, key: str, issuer: str) -> TokenClaims:
    return verify(token, key=key, issuer=issuer, check_expiry=False)


def verify(token: str, *, key: str, issuer: str, check_expiry: bool = True) -> TokenClaims:
    """Check signature, issuer, audience and expiry; raise InvalidToken with a clear reason."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "iss", "aud"], "verify_exp": check_expiry},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The token has expired: ask for a new one.", key="token_expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise InvalidToken("The token's signature is invalid: it was not issued by this server.") from exc
    except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
        raise InvalidToken("The token was issued for another service.") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise InvalidToken("The token uses a signing algorithm this server does not accept.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"The token is malformed ({exc}).") from exc
    gid, role, sub = claims.get("gid"), claims.get("role"), claims["sub"]
    if not isinstance(gid, int) or not isinstance(role, str) or not isinstance(sub, str):
        raise InvalidToken("The token is malformed (missing grant or role).")
    return TokenClaims(subject=sub, grant_id=gid, role=role, expires_at=datetime.fromtimestamp(claims["exp"], UTC))
