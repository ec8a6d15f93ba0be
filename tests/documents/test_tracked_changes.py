"""Uploads with tracked changes (Word's w:ins / w:del): shown clause by clause in GraphQL and on the
page, accepted into a draft version or refused; inserted and deleted text pass the sandbox's checks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from govkit.db import Database
from govkit.documents.guard import guard
from govkit.documents.inspect import read_clauses
from govkit.documents.ooxml import read_entries
from govkit.documents.tracked import read_changes, resolve
from govkit.documents.tracked_validate import tag_problems
from tests.conftest import Api, TokenFactory
from tests.documents.test_clause_edits import bold_runs, download
from tests.docx_factory import AUTHOR, tracked_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REVIEW = """
  id status filename uploadedBy decidedBy reason downloadUrl
  draftVersion { id number status downloadUrl }
  clauses { key title insertions { text author date paragraph } deletions { text author }
            paragraphs { number segments { kind text } } }
"""
UPLOAD = (
    """mutation($file: Upload!) {
  uploadRootTemplateVersion(kind: "internal", language: "fr", file: $file) {
    valid version { id } report { items { severity part paragraph message } }
    changes { key insertions { text } deletions { text } }
    trackedChanges { """
    + REVIEW
    + "} } }"
)
ACCEPT = "mutation($id: ID!, $clauses: [String!]) { acceptTrackedChanges(reviewId: $id, clauses: $clauses) {"
ACCEPT += " valid version { id number status downloadUrl }"
ACCEPT += " trackedChanges { " + REVIEW + " } } }"
REFUSE = (
    "mutation($id: ID!, $reason: String!) { refuseTrackedChanges(reviewId: $id, reason: $reason) { " + REVIEW + "} }"
)
REVIEWS = 'query { trackedChangeReviews(kind: "internal", language: "fr") { id status filename } }'


def upload(api: Api, token: str, data: bytes) -> dict:
    operations = {"query": UPLOAD, "variables": {"file": None}}
    response = api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {token}"},
        files={
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": ("trame-relue.docx", data, DOCX),
        },
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]["uploadRootTemplateVersion"]


def _count(db: Database, table: str) -> int:
    with db.reading() as session:
        return session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


# --- pure: reading and resolving tracked changes ---------------------------------------------


def test_the_changes_are_read_clause_by_clause_and_resolved_either_way() -> None:
    data = tracked_docx()
    assert any("tracked change" in f.message for f in guard(data).problems)
    changes = {c.key: c for c in read_changes(dict(read_entries(data)))}
    reporting = changes["vss.reporting"]
    assert [(c.kind, c.text, c.author) for c in reporting.changes][:3] == [
        ("deletion", "Texte", AUTHOR),
        ("insertion", "dans les huit jours ", AUTHOR),
        ("insertion", "Un paragraphe ajouté avec un mot important.", AUTHOR),
    ]
    assert [c.kind for c in changes["vss.definitions"].changes] == ["deletion", "deletion"]
    accepted, refused = resolve(data, accept=True), resolve(data, accept=False)
    assert guard(accepted).ok and guard(refused).ok
    text = {c.key: c.text for c in read_clauses(accepted)}
    assert (
        "dans les huit jours" in text["vss.reporting"]
        and "Texte de la clause vss.reporting" not in text["vss.reporting"]
    )
    assert text["vss.reporting"].endswith("Un paragraphe ajouté avec un mot important.")
    assert text["vss.definitions"] == "vss.definitions"  # the deleted paragraph is gone with its mark
    assert "important." in bold_runs(accepted)
    before = {c.key: c.text for c in read_clauses(refused)}
    assert before["vss.reporting"] == "vss.reporting\nTexte de la clause vss.reporting pour {{ school.short_name }}."
    assert before["vss.definitions"].endswith("Texte de la clause vss.definitions pour {{ school.short_name }}.")


def test_each_changed_tag_passes_the_sandbox_checks_on_its_own() -> None:
    assert tag_problems("{{ school.short_name }}") == []
    assert tag_problems("{%p if school.director.name %}") == []
    assert tag_problems("{%p endif %}") == []
    assert tag_problems("{{ r.name }}") == []  # a loop variable: the whole document is checked for variables
    assert any("private attribute" in m for m in tag_problems("{{ cycler.__init__.__globals__ }}"))
    assert any("method call" in m for m in tag_problems("{%p if school.code.upper() %}"))
    assert any("include" in m for m in tag_problems('{% include "x" %}'))
    assert any("syntax" in m for m in tag_problems("{{ school. }}"))


def test_libreoffice_opens_the_fixture_with_its_changes(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required (Debian package libreoffice-writer)"
    (tmp_path / "relue.docx").write_bytes(tracked_docx())
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "txt:Text",
         "--outdir", str(tmp_path), str(tmp_path / "relue.docx")],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "relue.txt").read_text(encoding="utf-8-sig")
    assert "dans les huit jours" in text and "Un paragraphe ajouté avec un mot important." in text


# --- GraphQL --------------------------------------------------------------------------------------


def test_an_upload_with_tracked_changes_is_reviewed_then_accepted_into_a_draft(
    api: Api, token: TokenFactory, db: Database
) -> None:
    legal = token("legal")
    versions = _count(db, "root_template_version")
    result = upload(api, legal, tracked_docx())
    assert result["valid"] and result["version"] is None, result["report"]
    review = result["trackedChanges"]
    assert review["status"] == "open" and review["uploadedBy"]
    clauses = {c["key"]: c for c in review["clauses"]}
    assert [i["text"] for i in clauses["vss.reporting"]["insertions"]][:2] == [
        "dans les huit jours ",
        "Un paragraphe ajouté avec un mot important.",
    ]
    assert clauses["vss.reporting"]["insertions"][0]["author"] == AUTHOR
    assert clauses["vss.reporting"]["deletions"][0]["text"] == "Texte"
    assert clauses["vss.reporting"]["title"]
    segments = clauses["vss.reporting"]["paragraphs"][0]["segments"]
    assert {"kind": "deletion", "text": "Texte"} in segments
    assert _count(db, "root_template_version") == versions  # nothing publishable yet
    listed = api.data(REVIEWS, token=legal)["trackedChangeReviews"]
    assert listed[0]["id"] == review["id"] and listed[0]["status"] == "open"
    assert download(api, review["downloadUrl"], legal)[:2] == b"PK"

    refused = api.graphql(ACCEPT, {"id": review["id"]}, token=token("school_admin", "imt-atlantique")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    accepted = api.data(ACCEPT, {"id": review["id"]}, token=legal)["acceptTrackedChanges"]
    assert accepted["valid"] and accepted["version"]["status"] == "draft"
    assert accepted["trackedChanges"]["status"] == "accepted"
    assert accepted["trackedChanges"]["draftVersion"]["id"] == accepted["version"]["id"]
    draft = download(api, accepted["version"]["downloadUrl"], legal)
    text = {c.key: c.text for c in read_clauses(draft)}
    assert (
        "dans les huit jours" in text["vss.reporting"]
        and "Texte de la clause vss.reporting" not in text["vss.reporting"]
    )
    assert "important." in bold_runs(draft)
    assert _count(db, "root_template_version") == versions + 1
    found = api.data(
        '{ searchClauses(query: "\\"paragraphe ajouté\\"", source: ROOTS, inForceOnly: false) '
        "{ clauseKey rootTemplateVersionId } }",
        token=legal,
    )["searchClauses"]
    assert found == [{"clauseKey": "vss.reporting", "rootTemplateVersionId": accepted["version"]["id"]}]
    twice = api.graphql(ACCEPT, {"id": review["id"]}, token=legal).json()
    assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"


def test_the_changes_of_some_clauses_only_are_accepted(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    review = upload(api, legal, tracked_docx(inserted="sous quinzaine "))["trackedChanges"]
    unknown = api.graphql(ACCEPT, {"id": review["id"], "clauses": ["general.scope"]}, token=legal).json()
    assert unknown["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "general.scope" in unknown["errors"][0]["message"]
    accepted = api.data(ACCEPT, {"id": review["id"], "clauses": ["vss.definitions"]}, token=legal)
    version = accepted["acceptTrackedChanges"]["version"]
    text = {c.key: c.text for c in read_clauses(download(api, version["downloadUrl"], legal))}
    assert text["vss.definitions"] == "vss.definitions"  # its deletion accepted
    assert text["vss.reporting"] == "vss.reporting\nTexte de la clause vss.reporting pour {{ school.short_name }}."


def test_an_upload_with_tracked_changes_can_be_refused(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    review = upload(api, legal, tracked_docx(inserted="sans délai "))["trackedChanges"]
    empty = api.graphql(REFUSE, {"id": review["id"], "reason": "  "}, token=legal).json()
    assert empty["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    versions = _count(db, "root_template_version")
    refused = api.data(REFUSE, {"id": review["id"], "reason": "Délai non validé"}, token=legal)["refuseTrackedChanges"]
    assert refused["status"] == "refused" and refused["reason"] == "Délai non validé" and refused["decidedBy"]
    assert refused["draftVersion"] is None
    late = api.graphql(ACCEPT, {"id": review["id"]}, token=legal).json()
    assert late["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert _count(db, "root_template_version") == versions


def test_hostile_tags_in_an_insertion_or_a_deletion_are_refused_precisely(
    api: Api, token: TokenFactory, db: Database
) -> None:
    legal = token("legal")
    reviews, blobs = _count(db, "tracked_change_review"), _count(db, "blob")
    inserted = upload(api, legal, tracked_docx(inserted="{{ cycler.__init__.__globals__ }} "))
    assert not inserted["valid"] and inserted["trackedChanges"] is None and inserted["version"] is None
    first = inserted["report"]["items"][0]
    assert first["severity"] == "error" and first["part"] == "word/document.xml" and first["paragraph"]
    assert first["message"].startswith(f"text inserted by {AUTHOR} in clause vss.reporting: ")
    assert "private attribute '__globals__'" in first["message"]
    assert "{{ cycler.__init__.__globals__ }}" in first["message"]
    assert inserted["changes"][0]["key"] in ("vss.definitions", "vss.reporting")
    deleted = upload(api, legal, tracked_docx(deleted_tag="{%p if school.code.upper() %}"))
    assert not deleted["valid"]
    assert any(
        i["message"].startswith(f"text deleted by {AUTHOR} in clause vss.reporting: method call .upper()")
        for i in deleted["report"]["items"]
    ), deleted["report"]["items"]
    assert _count(db, "tracked_change_review") == reviews and _count(db, "blob") == blobs


# --- the page -------------------------------------------------------------------------------------


def test_the_page_shows_the_changes_and_accepts_them(api: Api, token: TokenFactory, db: Database) -> None:
    cookie = {"Cookie": f"govkit_session={token('legal')}"}
    page = api.request("GET", "/ui/templates/internal/fr", headers=cookie)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    sent = api.request(
        "POST",
        "/ui/templates/internal/fr/upload",
        headers=cookie,
        data={"csrf": csrf},
        files={"file": ("trame-relue.docx", tracked_docx(), DOCX)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    where = sent.headers["location"]
    assert re.fullmatch(r"/ui/templates/internal/fr/reviews/\d+", where)
    shown = api.request("GET", where + "?lang=en", headers=cookie)
    assert shown.status_code == 200
    assert '<ins><span class="skip">[inserted : </span>dans les huit jours' in shown.text
    assert '<del><span class="skip">[deleted : </span>Texte' in shown.text
    assert AUTHOR in shown.text and "Accept the changes into a draft" in shown.text
    listed = api.request("GET", "/ui/templates/internal/fr", headers=cookie)
    assert where in listed.text
    other = api.request("GET", where.replace("/internal/fr/", "/study/fr/"), headers=cookie)
    assert other.status_code == 404
    none = api.request("POST", where + "/accept", headers=cookie, data={"csrf": csrf}, follow_redirects=False)
    assert none.status_code == 400 and "Choisissez les clauses" in none.text  # no clause ticked
    every = {"csrf": csrf, "clauses": ["vss.definitions", "vss.reporting"]}  # as the form sends them, all ticked
    accepted = api.request("POST", where + "/accept", headers=cookie, data=every, follow_redirects=False)
    assert accepted.status_code == 303, accepted.text
    assert "/ui/templates/internal/fr?saved=" in accepted.headers["location"]
    decided = api.request("GET", where, headers=cookie)
    assert "acceptées dans un brouillon" in decided.text and "Accepter les modifications" not in decided.text
    with db.reading() as session:
        actions = set(
            session.execute(sa.text("SELECT action FROM audit_event WHERE action LIKE '%TrackedChanges'")).scalars()
        )
    assert actions == {"acceptTrackedChanges"}
