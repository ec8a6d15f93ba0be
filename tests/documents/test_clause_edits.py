"""A legal officer edits one clause keeping a bold word, through GraphQL and through the page: the new
version's .docx holds the word in a bold run, and so do the variants rendered from it (both databases)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from lxml import etree

from govkit.db import Database
from govkit.documents.markup import read_block
from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, read_entries
from tests.conftest import Api, TokenFactory

KEY = "vss.reporting"
SOURCE = """query($kind: String!, $lang: String!, $key: String!) {
  clauseSource(kind: $kind, language: $lang, key: $key) { key title text versionId versionNumber }
}"""
EDIT = """mutation($kind: String!, $lang: String!, $key: String!, $text: String!, $base: ID) {
  editClause(kind: $kind, language: $lang, key: $key, text: $text, baseVersionId: $base) {
    valid created report { items { severity message } } version { id number status sha256 downloadUrl }
  }
}"""
PUBLISH_ROOT = """mutation($id: ID!) {
  publishRootTemplateVersion(versionId: $id, changeKind: "substantive", changelog: "Délai de signalement") { status }
}"""
RENDER = """mutation($schools: [String!]) {
  renderVariants(kind: "internal", language: "fr", schools: $schools) {
    variants { school sha256 rootVersion downloadUrl } failures { school message }
  }
}"""
ADDED = "\n\nLe service juridique répond **sous huit jours** à tout *signalement*."


def bold_runs(data: bytes, key: str = KEY) -> set[str]:
    """The text of the bold runs of a clause (variants keep the clause's content control)."""
    root = etree.fromstring(dict(read_entries(data))["word/document.xml"])
    found = set()
    for content in root.xpath(
        "//w:sdt[w:sdtPr/w:tag/@w:val=$tag]/w:sdtContent", tag=CLAUSE_TAG_PREFIX + key, namespaces=NS
    ):
        for paragraph in content.iterfind(".//w:p", NS):
            found |= {r.text for r in read_block(paragraph).runs if r.bold}
    return found


def download(api: Api, url: str, token: str) -> bytes:
    response = api.request("GET", url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.content


def test_a_bold_word_survives_the_edit_the_publication_and_the_variants(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    source = api.data(SOURCE, {"kind": "internal", "lang": "fr", "key": KEY}, token=legal)["clauseSource"]
    assert source["text"].startswith("## ")
    edited = api.data(
        EDIT,
        {"kind": "internal", "lang": "fr", "key": KEY, "text": source["text"] + ADDED, "base": source["versionId"]},
        token=legal,
    )["editClause"]
    assert edited["valid"] and edited["created"], edited["report"]
    version = edited["version"]
    assert version["status"] == "draft"
    assert version["number"] == source["versionNumber"] + 1
    assert "sous huit jours" in bold_runs(download(api, version["downloadUrl"], legal))
    again = api.data(SOURCE, {"kind": "internal", "lang": "fr", "key": KEY}, token=legal)["clauseSource"]
    assert again["text"] == source["text"] + ADDED
    assert again["versionId"] == version["id"]
    found = api.data(
        '{ searchClauses(query: "\\"sous huit jours\\"", source: ROOTS, inForceOnly: false) '
        "{ clauseKey rootTemplateVersionId } }",
        token=legal,
    )["searchClauses"]
    assert {"clauseKey": KEY, "rootTemplateVersionId": version["id"]} in found  # the draft is searchable at once

    stale = api.graphql(
        EDIT,
        {"kind": "internal", "lang": "fr", "key": KEY, "text": "Autre texte.", "base": source["versionId"]},
        token=legal,
    ).json()
    assert stale["errors"][0]["extensions"]["code"] == "CONFLICT"

    assert api.data(PUBLISH_ROOT, {"id": version["id"]}, token=legal)["publishRootTemplateVersion"]["status"]
    rendered = api.data(RENDER, {"schools": ["imt-atlantique", "telecom-paris"]}, token=legal)["renderVariants"]
    assert not rendered["failures"]
    for variant in rendered["variants"]:
        assert variant["rootVersion"] == version["number"]
        assert "sous huit jours" in bold_runs(download(api, variant["downloadUrl"], legal)), variant["school"]


def test_only_legal_staff_edit_clauses_and_hostile_tags_are_refused(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", "imt-atlantique")
    refused = api.graphql(EDIT, {"kind": "internal", "lang": "fr", "key": KEY, "text": "x"}, token=admin).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    legal = token("legal")
    hostile = api.data(
        EDIT,
        {"kind": "internal", "lang": "fr", "key": KEY, "text": "## Signalement\n{{ cycler.__init__.__globals__ }}"},
        token=legal,
    )["editClause"]
    assert not hostile["valid"] and hostile["version"] is None
    assert any("private attribute" in i["message"] for i in hostile["report"]["items"])
    missing = api.graphql(EDIT, {"kind": "internal", "lang": "fr", "key": "no.such", "text": "x"}, token=legal)
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_the_page_saves_a_clause_with_its_bold_word_and_audits_it(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    cookie = f"govkit_session={legal}"
    form = api.request("GET", f"/ui/templates/internal/fr/clauses/{KEY}", headers={"Cookie": cookie})
    assert form.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    base = re.search(r'name="base" value="([^"]+)"', form.text).group(1)
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", form.text, re.S).group(1)
    text = text.replace("&#39;", "'").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&amp;", "&")
    saved = api.request(
        "POST",
        f"/ui/templates/internal/fr/clauses/{KEY}",
        headers={"Cookie": cookie},
        data={"csrf": csrf, "base": base, "text": text + ADDED},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    number = int(saved.headers["location"].rsplit("saved=", 1)[1])
    with db.reading() as session:
        sha256 = session.execute(
            sa.text(
                "SELECT v.sha256 FROM root_template_version v JOIN root_template t ON t.id = v.root_template_id "
                "WHERE t.kind = 'internal' AND t.language = 'fr' AND v.number = :n"
            ),
            {"n": number},
        ).scalar_one()
        audited = session.execute(
            sa.text("SELECT count(*) FROM audit_event WHERE action = 'editClause' AND outcome = 'ok'")
        ).scalar_one()
    assert "sous huit jours" in bold_runs(download(api, f"/documents/{sha256}", legal))
    assert audited == 1
