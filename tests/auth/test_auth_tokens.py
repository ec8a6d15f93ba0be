"""Bearer tokens: verified on every request; missing, forged, expired or revoked → clear 401s."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from govkit.access.roles import Role
from govkit.auth import tokens
from govkit.auth.service import authenticate, create_token, parse_ttl, revoke_grant
from govkit.db import Database
from govkit.errors import InvalidInput, NotFound
from govkit.settings import Settings
from tests.conftest import Api, TokenFactory

ME = '{ organisation(code: "imt-atlantique") { profile { officialName } } }'


def _expect_401(api: Api, headers: dict[str, str], fragment: str) -> None:
    response = api.graphql(ME, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert fragment in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_valid_token_authenticates(api: Api, token: TokenFactory) -> None:
    data = api.data(ME, token=token("school_admin", "imt-atlantique"))
    assert data["organisation"]["profile"]["officialName"] == "IMT Atlantique"


def test_forged_token_is_refused(api: Api, db: Database, settings: Settings) -> None:
    _, grant = create_token(db=db, settings=settings, role=Role.LEGAL)
    forged = tokens.issue(
        key="another-key-" + "x" * 40,
        issuer=settings.token_issuer,
        subject="govkit:whoever",
        grant_id=grant.id,  # type: ignore[arg-type]
        role="legal",
        ttl=timedelta(hours=1),
    )
    _expect_401(api, {"Authorization": f"Bearer {forged}"}, "signature is invalid")


def test_expired_token_is_refused(api: Api, db: Database, settings: Settings) -> None:
    value, grant = create_token(db=db, settings=settings, role=Role.LEGAL)
    claims = jwt.decode(value, options={"verify_signature": False})
    expired = tokens.issue(
        key=settings.signing_key(),
        issuer=settings.token_issuer,
        subject=claims["sub"],
        grant_id=grant.id,  # type: ignore[arg-type]
        role="legal",
        ttl=timedelta(seconds=-10),
    )
    _expect_401(api, {"Authorization": f"Bearer {expired}"}, "expired")


def test_revoked_grant_is_refused(api: Api, db: Database, settings: Settings) -> None:
    value, grant = create_token(db=db, settings=settings, role=Role.AUDITOR)
    assert api.graphql(ME, token=value).status_code == 200
    revoke_grant(db=db, grant_id=grant.id)  # type: ignore[arg-type]
    _expect_401(api, {"Authorization": f"Bearer {value}"}, "revoked")


def test_token_with_altered_role_is_refused(db: Database, settings: Settings) -> None:
    value, grant = create_token(db=db, settings=settings, role=Role.AUDITOR)
    claims = jwt.decode(value, options={"verify_signature": False})
    promoted = tokens.issue(
        key=settings.signing_key(),
        issuer=settings.token_issuer,
        subject=claims["sub"],
        grant_id=grant.id,  # type: ignore[arg-type]
        role="legal",
        ttl=timedelta(hours=1),
    )
    with pytest.raises(tokens.InvalidToken, match="does not match"):
        authenticate(db=db, settings=settings, token=promoted)


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("Bearer not-a-jwt", "malformed"),
        ("Basic dXNlcjpwYXNz", "must be 'Bearer <token>'"),
        ("Bearer ", "must be 'Bearer <token>'"),
    ],
)
def test_malformed_headers_are_refused(api: Api, header: str, fragment: str) -> None:
    _expect_401(api, {"Authorization": header}, fragment)


def test_member_token_is_bound_to_a_person(db: Database, settings: Settings) -> None:
    value, grant = create_token(
        db=db, settings=settings, role=Role.MEMBER, school_code="telecom-paris", person_external_id="E00001"
    )
    principal = authenticate(db=db, settings=settings, token=value)
    assert principal.role is Role.MEMBER
    assert principal.person_id == grant.person_id is not None
    assert principal.organisation_code == "telecom-paris"


@pytest.mark.parametrize(
    ("role", "school", "person", "message"),
    [
        (Role.SCHOOL_ADMIN, None, None, "needs a school"),
        (Role.INTRANET, None, None, "needs a school"),
        (Role.LEGAL, "imt-atlantique", None, "group-wide"),
        (Role.MEMBER, "imt-atlantique", None, "needs a person"),
        (Role.SCHOOL_ADMIN, "imt-atlantique", "E00001", "not bound to a person"),
    ],
)
def test_token_scope_is_checked(
    db: Database, settings: Settings, role: Role, school: str | None, person: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        create_token(db=db, settings=settings, role=role, school_code=school, person_external_id=person)


def test_unknown_school_or_person(db: Database, settings: Settings) -> None:
    with pytest.raises(NotFound, match="imt-nowhere"):
        create_token(db=db, settings=settings, role=Role.INTRANET, school_code="imt-nowhere")
    with pytest.raises(NotFound, match="Z99999"):
        create_token(db=db, settings=settings, role=Role.MEMBER, school_code="imt-bs", person_external_id="Z99999")


@pytest.mark.parametrize(("text", "expected"), [("90m", 5400), ("12h", 43200), ("30d", 2592000), ("1.5h", 5400)])
def test_parse_ttl(text: str, expected: int) -> None:
    assert parse_ttl(text).total_seconds() == expected


@pytest.mark.parametrize("text", ["", "10", "h", "-3d", "0h", "3 years"])
def test_parse_ttl_rejects(text: str) -> None:
    with pytest.raises(InvalidInput, match="Invalid duration"):
        parse_ttl(text)
