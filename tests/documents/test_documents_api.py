"""Root templates → variants → published documents, through the GraphQL API on both databases."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from govkit.db import Database
from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import catalogue
from tests.conftest import Api, TokenFactory
from tests.docx_factory import minimal_docx, mutate

UPLOAD = """mutation($kind: String!, $language: String!, $file: Upload!) {
  uploadRootTemplateVersion(kind: $kind, language: $language, file: $file) {
    valid created report { valid items { severity part paragraph message } clauses }
    version { id number status sha256 clauses { key } }
  }
}"""


def upload(api: Api, token: str, data: bytes, kind: str = "internal", language: str = "fr") -> dict:
    operations = {"query": UPLOAD, "variables": {"kind": kind, "language": language, "file": None}}
    response = api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {token}"},
        files={
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": (
                "trame.docx",
                data,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        },
    )
    body = response.json()
    assert response.status_code == 200, body
    return body


def _versions(db: Database) -> int:
    with db.reading() as session:
        return session.execute(sa.text("SELECT count(*) FROM root_template_version")).scalar_one()


def _stored(db: Database, data: bytes) -> bool:
    digest = __import__("hashlib").sha256(data).hexdigest()
    with db.reading() as session:
        return bool(session.execute(sa.text("SELECT count(*) FROM blob WHERE sha256 = :s"), {"s": digest}).scalar_one())


PUBLISH_ROOT = """mutation($id: ID!, $kind: String!, $log: String!) {
  publishRootTemplateVersion(versionId: $id, changeKind: $kind, changelog: $log) { status changeKind publishedAt }
}"""
RENDER = """mutation($kind: String!, $lang: String!, $schools: [String!]) {
  renderVariants(kind: $kind, language: $lang, schools: $schools) {
    rendered reused variants { id school sha256 rootVersion clauses { key } downloadUrl } failures { school message missing }
  }
}"""
PUBLISH_VARIANT = """mutation($id: ID!) {
  publishVariant(variantId: $id) { id school kind version sha256 downloadUrl changeKind clauses { key } }
}"""
PUBLISHED = """query($school: String!, $lang: String) {
  publishedDocuments(school: $school, language: $lang) { id kind language version sha256 downloadUrl title }
}"""


def test_upload_publish_render_publish_download(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    body = upload(api, legal, minimal_docx(body="Nouvelle rédaction {{ school.code }}.", extra_clause="vss.inquiry"))
    result = body["data"]["uploadRootTemplateVersion"]
    assert result["valid"] is True
    assert result["created"] is True
    version = result["version"]
    assert version["status"] == "draft"
    assert {c["key"] for c in version["clauses"]} == set(catalogue().kind("internal").required_clauses)

    again = upload(api, legal, minimal_docx(body="Nouvelle rédaction {{ school.code }}.", extra_clause="vss.inquiry"))
    assert again["data"]["uploadRootTemplateVersion"]["created"] is False
    assert again["data"]["uploadRootTemplateVersion"]["version"]["id"] == version["id"]

    published = api.data(PUBLISH_ROOT, {"id": version["id"], "kind": "substantive", "log": "Refonte VSS"}, token=legal)
    assert published["publishRootTemplateVersion"]["status"] == "published"
    conflict = api.graphql(PUBLISH_ROOT, {"id": version["id"], "kind": "editorial", "log": "x"}, token=legal).json()
    assert conflict["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "immutable" in conflict["errors"][0]["message"]

    rendered = api.data(
        RENDER,
        {"kind": "internal", "lang": "fr", "schools": ["imt-atlantique", "telecom-paris"]},
        token=legal,
    )["renderVariants"]
    assert rendered["rendered"] == 2
    assert rendered["reused"] == 0
    assert not rendered["failures"]
    variant = next(v for v in rendered["variants"] if v["school"] == "imt-atlantique")
    assert variant["rootVersion"] == version["number"]
    rerendered = api.data(
        RENDER,
        {"kind": "internal", "lang": "fr", "schools": ["imt-atlantique", "telecom-paris"]},
        token=legal,
    )["renderVariants"]
    assert rerendered["rendered"] == 0
    assert rerendered["reused"] == 2
    assert {v["sha256"] for v in rerendered["variants"]} == {v["sha256"] for v in rendered["variants"]}

    admin = token("school_admin", "imt-atlantique")
    document = api.data(PUBLISH_VARIANT, {"id": variant["id"]}, token=admin)["publishVariant"]
    assert document["sha256"] == variant["sha256"]
    assert document["school"] == "imt-atlantique"
    twice = api.graphql(PUBLISH_VARIANT, {"id": variant["id"]}, token=admin).json()
    assert "already in force" in twice["errors"][0]["message"]

    member = token("member", "imt-atlantique", "E00001")
    in_force = api.data(PUBLISHED, {"school": "imt-atlantique", "lang": "fr"}, token=member)["publishedDocuments"]
    internal = next(d for d in in_force if d["kind"] == "internal")
    assert internal["sha256"] == variant["sha256"]
    assert internal["version"] == document["version"]

    download = api.request("GET", internal["downloadUrl"], headers={"Authorization": f"Bearer {member}"})
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert re.match(
        r'attachment; filename="reglement-interieur-imt-atlantique-v\d+-fr\.docx"',
        download.headers["content-disposition"],
    )
    assert "vss.inquiry" in clause_keys(download.content)

    stranger = token("member", "telecom-paris", "E00001")
    assert (
        api.request("GET", internal["downloadUrl"], headers={"Authorization": f"Bearer {stranger}"}).status_code == 404
    )
    assert api.request("GET", internal["downloadUrl"]).status_code == 401
    assert api.request("GET", "/documents/not-a-hash", headers={"Authorization": f"Bearer {member}"}).status_code == 400


def test_invalid_and_hostile_uploads_store_nothing(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    bomb = mutate(minimal_docx(), add={"word/media/zeros.txt": b"\0" * (40 * 1024 * 1024)})
    report = upload(api, legal, bomb)["data"]["uploadRootTemplateVersion"]
    assert report["valid"] is False
    assert report["version"] is None
    assert "zip bomb" in report["report"]["items"][0]["message"]

    injected = minimal_docx(
        body="{{ cycler.__init__.__globals__.os.popen('id').read() }}", extra_clause="vss.sanctions"
    )
    report = upload(api, legal, injected)["data"]["uploadRootTemplateVersion"]
    assert report["valid"] is False
    item = next(i for i in report["report"]["items"] if "private attribute" in i["message"])
    assert item["part"] == "word/document.xml"
    assert item["paragraph"] is not None

    wrong_kind = upload(api, legal, minimal_docx(kind="study"), kind="housing")["data"]["uploadRootTemplateVersion"]
    assert wrong_kind["valid"] is False
    assert any("housing.manager" in i["message"] for i in wrong_kind["report"]["items"])

    for hostile in (bomb, injected, minimal_docx(kind="study")):
        assert not _stored(db, hostile)
    assert len(api.data("{ organisations { code } }")["organisations"]) == 10  # the server still answers


def test_only_legal_uploads(api: Api, token: TokenFactory) -> None:
    body = upload(api, token("school_admin", "imt-atlantique"), minimal_docx())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_root_template_diff_is_clause_by_clause(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    first = upload(api, legal, minimal_docx(kind="study"), kind="study")["data"]["uploadRootTemplateVersion"]["version"]
    changed = minimal_docx(
        kind="study", body="Les stages à l'étranger sont couverts.", extra_clause="study.internships"
    )
    second = upload(api, legal, changed, kind="study")["data"]["uploadRootTemplateVersion"]["version"]
    query = """query($a: ID!, $b: ID!) { rootTemplateDiff(fromVersionId: $a, toVersionId: $b) { key status diff } }"""
    diffs = api.data(query, {"a": first["id"], "b": second["id"]}, token=legal)["rootTemplateDiff"]
    by_key = {d["key"]: d for d in diffs}
    assert by_key["study.internships"]["status"] == "changed"
    assert "+Les stages à l'étranger sont couverts." in by_key["study.internships"]["diff"]
    assert by_key["general.scope"]["status"] == "unchanged"


def test_render_reports_every_missing_value(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    data = minimal_docx(
        kind="equality_annex",
        body="Contact : {{ school.director.email }}, {{ school.address.city }}.",
        extra_clause="equality.referent",
    )
    version = upload(api, legal, data, kind="equality_annex")["data"]["uploadRootTemplateVersion"]["version"]
    api.data(PUBLISH_ROOT, {"id": version["id"], "kind": "substantive", "log": "Essai"}, token=legal)
    result = api.data(RENDER, {"kind": "equality_annex", "lang": "fr", "schools": ["imt-mines-albi"]}, token=legal)
    failure = result["renderVariants"]["failures"][0]
    assert failure["school"] == "imt-mines-albi"
    assert failure["missing"] == ["school.address.city", "school.director.email"]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE document_version SET changelog = 'rewritten'", "immutable"),
        ("DELETE FROM document_version", "immutable"),
        ("UPDATE blob SET media_type = 'text/plain'", "immutable"),
        ("UPDATE root_template_version SET changelog = 'x' WHERE published_at IS NOT NULL", "immutable"),
        ("UPDATE variant SET clauses = '[]'", "immutable"),
    ],
)
def test_database_refuses_to_change_published_records(
    api: Api, token: TokenFactory, db: Database, statement: str, message: str
) -> None:
    legal = token("legal")
    version = upload(api, legal, minimal_docx(kind="housing"), kind="housing")["data"]["uploadRootTemplateVersion"][
        "version"
    ]
    api.data(PUBLISH_ROOT, {"id": version["id"], "kind": "substantive", "log": "Essai"}, token=legal)
    variant = api.data(RENDER, {"kind": "housing", "lang": "fr", "schools": ["imt-bs"]}, token=legal)["renderVariants"]
    api.data(PUBLISH_VARIANT, {"id": variant["variants"][0]["id"]}, token=legal)
    with pytest.raises(sa.exc.DatabaseError, match=message), db.transaction() as session:
        session.execute(sa.text(statement))
