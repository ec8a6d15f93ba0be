"""What the tests of the root publication flow share: a new version of a demo root template (one
clause changed), two legal officers, and the GraphQL operations of the flow."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlmodel import select

from govkit.access.roles import SYSTEM, Role
from govkit.auth.models import Identity, RoleGrant
from govkit.auth.service import create_token
from govkit.db import Database, stored_id
from govkit.documents.edit import replace_clause
from govkit.documents.models import Blob
from govkit.documents.ooxml import DOCX_MEDIA_TYPE
from govkit.documents.root_templates import published_root
from govkit.organisations.models import Organisation
from govkit.organisations.revisions import latest_profiles
from govkit.organisations.service import update_profile
from govkit.settings import Settings
from tests.conftest import Api, make_settings
from tests.documents.test_documents_api import UPLOAD, upload

SCHOOLS = 8  # the demo's
CHANGED = "Nouvelle rédaction de la clause, vérifiée par le service juridique."


def four_eyes_settings(**overrides: Any) -> Settings:
    """Four eyes on; jobs in the app's process on both databases (the test's transaction)."""
    return make_settings(four_eyes=True, jobs_in_process=True, **overrides)


def officer(db: Database, settings: Settings, name: str) -> str:
    token, _grant = create_token(db=db, settings=settings, role=Role.LEGAL, display_name=name)
    return token


def changed_root(db: Database, text: str = CHANGED, kind: str = "internal", language: str = "fr") -> tuple[bytes, str]:
    """The published root template with its first clause rewritten; and that clause's key."""
    with db.reading() as session:
        _template, version = published_root(session, kind, language)
        blob = session.get(Blob, version.sha256)
        assert blob is not None
        key = version.clauses[0]
    return replace_clause(blob.data, key, text), key


def new_version(api: Api | str, db: Database, token: str, text: str = CHANGED) -> tuple[str, str]:
    """A new valid version of the internal regulation (fr), uploaded through GraphQL (the ASGI app, or
    a server's address over HTTP): its id, and the clause changed."""
    data, key = changed_root(db, text)
    body = upload(api, token, data) if isinstance(api, Api) else upload_over_http(api, token, data)
    assert not body.get("errors"), body
    result = body["data"]["uploadRootTemplateVersion"]
    assert result["valid"] and result["created"], result
    return result["version"]["id"], key


def upload_over_http(base: str, token: str, data: bytes) -> dict[str, Any]:
    operations = {"query": UPLOAD, "variables": {"kind": "internal", "language": "fr", "file": None}}
    response = httpx.post(
        f"{base}/graphql",
        headers={"Authorization": f"Bearer {token}"},
        files={
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": ("trame.docx", data, DOCX_MEDIA_TYPE),
        },
        timeout=120,
    )
    return response.json()


REVIEW_FIELDS = """id version changeKind publishedBy openedBy
  approval { id status requestedBy requestedAt decidedBy decidedAt }
  progress { total rendered ready inForce failed pending }
  schools { school status message missing variantId effectiveFrom putInForceBy documentVersionId }"""

PUBLISH = (
    """mutation($id: ID!, $kind: String!, $log: String!) {
  publishRootVersion(versionId: $id, changeKind: $kind, changelog: $log) {
    versionId status approval { id status summary requestedBy } review { """
    + REVIEW_FIELDS
    + """ } } }"""
)
APPROVE = """mutation($id: ID!) { approve(approvalId: $id, comment: "Relu.") {
  id status decidedBy decidedAt comment outcome } }"""
REFUSE = """mutation($id: ID!, $comment: String!) { refuseApproval(approvalId: $id, comment: $comment) {
  id status decidedBy comment } }"""
PENDING = "{ pendingApprovals { id action target summary requestedBy } }"
REVIEW = "query($id: ID!) { publicationReview(id: $id) { " + REVIEW_FIELDS + " } }"
DIFFS = """query($id: ID!) { publicationReview(id: $id) { schools { school
  diffs { againstInForce { key status diff } againstRoot { key status } } } } }"""
PUT_IN_FORCE = (
    """mutation($id: ID!, $day: Date!, $schools: [String!]) {
  putReviewInForce(reviewId: $id, effectiveFrom: $day, schools: $schools) { """
    + REVIEW_FIELDS
    + " } }"
)
AGAIN = """mutation($id: ID!) { renderReviewAgain(reviewId: $id) { """ + REVIEW_FIELDS + " } }"
CAMPAIGNS = """query($school: String!) { campaigns(school: $school) {
  id kind changeKind concerned acknowledged pending document { version } } }"""


def errors_of(api: Api, query: str, variables: dict[str, Any], token: str) -> list[dict[str, Any]]:
    body = api.graphql(query, variables, token=token).json()
    assert body.get("errors"), body
    return body["errors"]


#: A clause that needs the school's listening cell, which ``break_profile`` removes.
NEEDS_LISTENING_CELL = "La cellule d'écoute ({{ school.listening_cell.kind_label }}) reçoit les signalements."


def break_profile(db: Database, school: str) -> tuple[str, Any]:
    """The school's profile without its listening cell (a new revision); the value missing, and the
    listening cell it had."""
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        had = latest_profiles(session, [stored_id(org)])[stored_id(org)].data.get("listening_cell")
    update_profile(db=db, actor=SYSTEM, code=school, patch={"listening_cell": None})
    return "school.listening_cell.kind_label", had


def restore_profile(db: Database, school: str, listening_cell: Any) -> None:
    update_profile(db=db, actor=SYSTEM, code=school, patch={"listening_cell": listening_cell})


def school_administrator(db: Database, school: str, address: str) -> None:
    """A school_admin identity of the school, reachable at ``address`` (its subject)."""
    with db.transaction() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        identity = Identity(subject=address, display_name="Direction")
        session.add(identity)
        session.flush()
        session.add(
            RoleGrant(identity_id=stored_id(identity), role="school_admin", organisation_id=org.id, created_by="test")
        )
