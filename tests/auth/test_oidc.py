"""Tokens of a real OpenID Connect issuer served on 127.0.0.1 by the test (keys generated here)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from govkit.db import Database
from tests.conftest import Api, make_settings
from tests.oidc_issuer import Issuer

ME = "{ me { person { externalId school } } }"


@pytest.fixture
def sso(db: Database, issuer: Issuer) -> Api:
    return Api(
        db,
        make_settings(
            oidc_issuer=issuer.url,
            oidc_audience="govkit-intranet",
            oidc_school_claim="school",
            oidc_jwks_cache_seconds=3600,
        ),
    )


def _refused(api: Api, token: str, fragment: str) -> None:
    response = api.graphql(ME, token=token)
    assert response.status_code == 401, response.text
    assert fragment in response.json()["errors"][0]["message"]


def test_a_valid_sso_token_signs_the_person_in(sso: Api, issuer: Issuer) -> None:
    me = sso.data(ME, token=issuer.token())["me"]
    assert me["person"] == {"externalId": "E00001", "school": "imt-atlantique"}


def test_expired_wrong_audience_wrong_key_unknown_person(sso: Api, issuer: Issuer) -> None:
    _refused(sso, issuer.token(lifetime=-120), "expired")
    _refused(sso, issuer.token(audience="another-app"), "another application")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(sso, issuer.token(key=stranger), "signature is invalid")
    _refused(sso, issuer.token(kid="key-404", key=stranger), "does not publish")
    _refused(sso, issuer.token(username="NOBODY"), "No active person")


def test_key_rotation_is_followed(sso: Api, issuer: Issuer) -> None:
    assert sso.graphql(ME, token=issuer.token()).status_code == 200
    fetched = issuer.fetches
    old_token = issuer.token()
    new_kid = issuer.rotate()
    assert sso.data(ME, token=issuer.token(kid=new_kid))["me"]["person"]["externalId"] == "E00001"
    assert issuer.fetches == fetched + 1  # an unknown key id makes govkit fetch the keys again
    _refused(sso, old_token, "does not publish")


def test_an_sso_member_cannot_write_for_others(sso: Api, issuer: Issuer) -> None:
    body = sso.graphql(
        'mutation { updateSchoolProfile(code: "imt-atlantique", patch: {}) { revision } }', token=issuer.token()
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_tokens_of_an_unknown_issuer_are_refused(api: Api, issuer: Issuer) -> None:
    _refused(api, issuer.token(), "does not trust")
