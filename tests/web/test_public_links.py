"""Where govkit points people: absolute URLs in GraphQL (GOVKIT_PUBLIC_URL), the public addresses
of each published document, `govkit serve`'s own address when none is set, and the member page
showing the document's HTML (headings, not a text dump) with its PDF and .docx — both databases."""

from __future__ import annotations

import os
import re
from html import unescape

import pytest

from govkit.cli.serving import own_url, with_public_url
from govkit.db import Database
from govkit.settings import get_settings
from tests.ack_helpers import current, someone
from tests.conftest import Api, TokenFactory, make_settings

SCHOOL = "imt-atlantique"
BASE = "https://govkit.example.fr"
QUERY = """
query ($school: String!) {
  publishedDocuments(school: $school, language: "fr") {
    kind sha256 downloadUrl publicUrl pdfUrl htmlUrl docxUrl permanentUrl
  }
}"""


def test_graphql_gives_absolute_public_urls(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(public_url=BASE + "/", public_kinds=["internal", "reflex_sheet"]))
    found = api.data(QUERY, {"school": SCHOOL}, token=token("intranet", SCHOOL))["publishedDocuments"]
    by_kind = {d["kind"]: d for d in found}
    internal = by_kind["internal"]
    sha = internal["sha256"]
    assert internal == {
        "kind": "internal",
        "sha256": sha,
        "downloadUrl": f"{BASE}/documents/{sha}",
        "publicUrl": f"{BASE}/public/{SCHOOL}/internal.fr.html",
        "pdfUrl": f"{BASE}/public/{SCHOOL}/internal.fr.pdf",
        "htmlUrl": f"{BASE}/public/{SCHOOL}/internal.fr.html",
        "docxUrl": f"{BASE}/public/{SCHOOL}/internal.fr.docx",
        "permanentUrl": f"{BASE}/public/documents/{sha}.pdf",
    }
    sheet = by_kind["reflex_sheet.staff_witness"]
    assert sheet["pdfUrl"] == f"{BASE}/public/{SCHOOL}/reflex_sheet.staff_witness.fr.pdf"
    study = by_kind["study"]  # not public here: no public address, the token download stays
    assert (study["publicUrl"], study["pdfUrl"], study["htmlUrl"], study["docxUrl"], study["permanentUrl"]) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert study["downloadUrl"].startswith(f"{BASE}/documents/")
    # each public URL answers, without a token, through the same application
    assert api.request("GET", internal["docxUrl"].removeprefix(BASE)).status_code == 200
    assert api.request("GET", internal["htmlUrl"].removeprefix(BASE)).status_code == 200


def test_the_addresses_are_in_the_me_query_too(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(public_url=BASE))
    student = token("member", SCHOOL, person=someone(db, SCHOOL, "student"))
    me = api.data("{ me { pendingDocuments { document { kind pdfUrl permanentUrl downloadUrl } } } }", token=student)[
        "me"
    ]
    assert me["pendingDocuments"], me
    for item in me["pendingDocuments"]:
        assert item["document"]["pdfUrl"].startswith(f"{BASE}/public/{SCHOOL}/")
        assert item["document"]["permanentUrl"].startswith(f"{BASE}/public/documents/")
        assert item["document"]["downloadUrl"].startswith(f"{BASE}/documents/")


def test_serve_defaults_the_public_url_to_its_own_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVKIT_PUBLIC_URL", "")  # empty, and restored (unset) after the test
    assert own_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert own_url("::1", 8080) == "http://[::1]:8080"
    assert own_url("0.0.0.0", 80).startswith("http://") and "0.0.0.0" not in own_url("0.0.0.0", 80)
    given = make_settings()
    assert given.public_url == ""
    served = with_public_url(given, "127.0.0.1", 8123)
    assert served.public_url == "http://127.0.0.1:8123"
    # the server processes read the same from the environment
    try:
        assert os.environ["GOVKIT_PUBLIC_URL"] == "http://127.0.0.1:8123"
        assert get_settings().public_url == "http://127.0.0.1:8123"
    finally:
        get_settings.cache_clear()
    kept = with_public_url(make_settings(public_url=BASE), "127.0.0.1", 9999)
    assert kept.public_url == BASE


def test_the_member_page_shows_the_documents_html(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(public_url=BASE))
    document = current(db, SCHOOL)
    student = token("member", SCHOOL, person=someone(db, SCHOOL, "student"))
    page = api.request("GET", f"/ui/me/documents/{document.id}", headers={"Cookie": f"govkit_session={student}"})
    assert page.status_code == 200, page.text
    text = page.text
    article = re.search(r'<article class="document"[^>]*lang="fr">(.*?)</article>', text, re.S)
    assert article is not None
    body = article.group(1)
    # the document's structure: its title is the page's h1 (said once), its articles headings under it, its lists
    assert '<h1 lang="fr">Règlement intérieur — IMT Atlantique</h1>' in text
    assert "Règlement intérieur — IMT Atlantique" not in body
    assert '<h2 id="clause-vss.reporting">' in body
    assert len(re.findall(r"<h2[ >]", body)) >= 10
    assert "<ul>" in body and "<li>" in body
    assert "<script" not in body
    assert f'href="/ui/files/{document.sha256}"' in text
    # the PDF through the member's own address: served to them, it is recorded as delivered (proof of display)
    assert f'href="/ui/me/documents/{document.id}/pdf"' in text
    assert "Télécharger le PDF" in unescape(text)
