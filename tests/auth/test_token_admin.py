"""Tokens listed and revoked by legal staff through GraphQL: a revoked token answers HTTP 401."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import SYSTEM, Role
from govkit.auth.service import create_token
from govkit.auth.token_admin import list_tokens, revoke_token
from govkit.db import Database
from govkit.errors import Forbidden, InvalidInput, NotFound
from govkit.settings import Settings
from tests.conftest import Api, TokenFactory

TOKENS = "query($role: String, $school: String, $all: Boolean!) { tokens(role: $role, school: $school, includeInactive: $all) { id name subject role school person createdBy expiresAt revokedAt status scopes } }"
REVOKE = "mutation($id: ID!) { revokeToken(id: $id) { alreadyRevoked token { id status revokedAt } } }"
ME = '{ organisation(code: "imt-atlantique") { profile { officialName } } }'


def refusal(response: Any) -> str:
    """Why a request was refused: the GraphQL error's message (``detail`` on other routes)."""
    body = response.json()
    return body["errors"][0]["message"] if "errors" in body else body["detail"]


def _tokens(api: Api, legal: str, **variables: Any) -> list[dict[str, Any]]:
    given = {"role": None, "school": None, "all": False, **variables}
    return api.data(TOKENS, given, token=legal)["tokens"]


def _audit(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def test_legal_staff_list_tokens_without_their_text(api: Api, db: Database, settings: Settings) -> None:
    legal, _ = create_token(db=db, settings=settings, role=Role.LEGAL, display_name="Service juridique")
    admin, grant = create_token(db=db, settings=settings, role=Role.SCHOOL_ADMIN, school_code="imt-bs")
    member, member_grant = create_token(
        db=db, settings=settings, role=Role.MEMBER, school_code="imt-bs", person_external_id="E00001"
    )
    response = api.graphql(TOKENS, {"role": None, "school": None, "all": False}, token=legal)
    assert response.status_code == 200
    for value in (legal, admin, member):
        assert value not in response.text  # the token's text is never shown
    listed = {t["id"]: t for t in response.json()["data"]["tokens"]}
    assert listed[str(grant.id)]["role"] == "school_admin" and listed[str(grant.id)]["school"] == "imt-bs"
    assert listed[str(grant.id)]["status"] == "active" and listed[str(grant.id)]["revokedAt"] is None
    assert listed[str(member_grant.id)]["person"] == "E00001"
    assert "Service juridique" in {t["name"] for t in listed.values()}
    assert listed[str(grant.id)]["scopes"] == []
    _, wide = create_token(db=db, settings=settings, role=Role.INTRANET, school_code="imt-bs", scopes=["persons:read"])
    assert next(t for t in _tokens(api, legal) if t["id"] == str(wide.id))["scopes"] == ["persons:read"]

    only_bs = _tokens(api, legal, school="imt-bs")
    assert {t["id"] for t in only_bs} >= {str(grant.id), str(member_grant.id)}
    assert {t["school"] for t in only_bs} == {"imt-bs"}
    assert {t["role"] for t in _tokens(api, legal, role="member")} == {"member"}


def test_revoke_token_answers_401_from_then_on(api: Api, db: Database, settings: Settings) -> None:
    legal, _ = create_token(db=db, settings=settings, role=Role.LEGAL)
    value, grant = create_token(db=db, settings=settings, role=Role.SCHOOL_ADMIN, school_code="imt-atlantique")
    assert api.graphql(ME, token=value).status_code == 200

    first = api.data(REVOKE, {"id": str(grant.id)}, token=legal)["revokeToken"]
    assert first["alreadyRevoked"] is False
    assert first["token"]["status"] == "revoked" and first["token"]["revokedAt"]

    refused = api.graphql(ME, token=value)
    assert refused.status_code == 401
    assert "revoked" in refusal(refused)
    assert refused.headers["www-authenticate"].startswith("Bearer")

    again = api.data(REVOKE, {"id": str(grant.id)}, token=legal)["revokeToken"]
    assert again["alreadyRevoked"] is True and again["token"]["revokedAt"] == first["token"]["revokedAt"]

    # listed among the inactive tokens only
    assert str(grant.id) not in {t["id"] for t in _tokens(api, legal)}
    revoked = next(t for t in _tokens(api, legal, all=True) if t["id"] == str(grant.id))
    assert revoked["status"] == "revoked"

    # each revocation is in the audit log once, written with it
    events = _audit(db, "mutation.revokeToken")
    assert [(e.outcome, e.detail) for e in events] == [("ok", "revoked"), ("ok", "already revoked")]
    assert events[0].target["token"] == grant.id and events[0].target["school"] == "imt-atlantique"


@pytest.mark.parametrize(
    ("variables", "code", "fragment"),
    [
        ({"role": "rector"}, "INVALID_INPUT", "Unknown role 'rector'"),
        ({"school": "imt-nowhere"}, "NOT_FOUND", "imt-nowhere"),
    ],
)
def test_token_filters_are_checked(
    api: Api, token: TokenFactory, variables: dict[str, str], code: str, fragment: str
) -> None:
    body = api.graphql(TOKENS, {"role": None, "school": None, "all": False, **variables}, token=token("legal")).json()
    assert body["errors"][0]["extensions"]["code"] == code
    assert fragment in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("token_id", "code", "fragment"),
    [
        ("999999", "NOT_FOUND", "No token with id 999999"),
        ("99999999999999999999", "NOT_FOUND", "No token with id 9999"),
        ("abc", "INVALID_INPUT", "not a valid id"),
    ],
)
def test_revoking_an_unknown_token_is_a_clear_error(
    api: Api, token: TokenFactory, token_id: str, code: str, fragment: str
) -> None:
    body = api.graphql(REVOKE, {"id": token_id}, token=token("legal")).json()
    assert body["errors"][0]["extensions"]["code"] == code
    assert fragment in body["errors"][0]["message"]


@pytest.mark.parametrize("caller", [("auditor",), ("school_admin", "imt-atlantique"), ("intranet", "imt-bs")])
def test_only_legal_staff_see_or_revoke_tokens(
    api: Api, db: Database, settings: Settings, token: TokenFactory, caller: tuple[str, ...]
) -> None:
    value, grant = create_token(db=db, settings=settings, role=Role.AUDITOR)
    bearer = token(*caller)
    for query, variables in ((TOKENS, {"role": None, "school": None, "all": True}), (REVOKE, {"id": str(grant.id)})):
        body = api.graphql(query, variables, token=bearer).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["data"] is None
    assert api.graphql(ME, token=value).status_code == 200  # still valid: nothing was revoked
    assert [e.outcome for e in _audit(db, "mutation.revokeToken")] == ["refused"]


def test_revoke_by_name_needs_one_token_of_that_name(db: Database, settings: Settings) -> None:
    create_token(db=db, settings=settings, role=Role.AUDITOR, display_name="Cabinet d'audit")
    _, second = create_token(db=db, settings=settings, role=Role.AUDITOR, display_name="Cabinet d'audit")
    with pytest.raises(InvalidInput, match="2 tokens are named"):
        revoke_token(db=db, actor=SYSTEM, token="Cabinet d'audit")
    _, alone = create_token(db=db, settings=settings, role=Role.AUDITOR, display_name="Inspection générale")
    assert revoke_token(db=db, actor=SYSTEM, token="Inspection générale").token.id == alone.id
    with pytest.raises(NotFound, match="No token named 'personne'"):
        revoke_token(db=db, actor=SYSTEM, token="personne")
    # once all but one of a name are revoked, the name designates the one left
    revoke_token(db=db, actor=SYSTEM, token=str(second.id))
    left = revoke_token(db=db, actor=SYSTEM, token="Cabinet d'audit")
    assert left.token.id != second.id and not left.already_revoked


def test_services_refuse_other_roles(db: Database, settings: Settings) -> None:
    from govkit.auth.service import authenticate

    value, _ = create_token(db=db, settings=settings, role=Role.AUDITOR)
    auditor = authenticate(db=db, settings=settings, token=value)
    with pytest.raises(Forbidden):
        list_tokens(db=db, actor=auditor)
    with pytest.raises(Forbidden):
        revoke_token(db=db, actor=auditor, token="1")
