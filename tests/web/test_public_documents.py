"""The public addresses of documents (govkit.web.public): anonymous GETs over real HTTP through
the ASGI app, on both databases — the version in force at a stable address, each published
version at its permanent address, nothing else; ETag and 304; the HTML page; the school's index;
precise 404s for every address that names nothing, never a 500."""

from __future__ import annotations

import hashlib
import io
import re
from html import unescape
from urllib.parse import quote

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import service as documents
from govkit.documents.models import DocumentVersion, RootTemplateVersion
from tests.ack_helpers import current, republish
from tests.conftest import Api, make_settings

SCHOOL = "imt-atlantique"
BASE = "https://govkit.example.fr"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def public_api(db: Database) -> Api:
    return Api(db, make_settings(public_url=BASE + "/"))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def amended(db: Database, document: DocumentVersion, heading: str) -> bytes:
    """The .docx of ``document`` with one more heading and paragraph: a real new version."""
    data = documents.download(db=db, actor=SYSTEM, sha256=document.sha256).data
    word = docx.Document(io.BytesIO(data))
    word.add_heading(heading, level=1)
    word.add_paragraph("Texte ajouté par une nouvelle version.")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_the_in_force_address_follows_new_versions_and_the_permanent_one_keeps_the_old(
    db: Database, public_api: Api
) -> None:
    first = current(db, SCHOOL)
    address = f"/public/{SCHOOL}/internal.fr.docx"
    before = public_api.request("GET", address)  # no token, no cookie
    assert before.status_code == 200, before.text
    assert before.headers["content-type"] == DOCX
    assert sha(before.content) == first.sha256
    assert before.headers["etag"] == f'"{first.sha256}"'
    assert before.headers["content-disposition"] == (
        f'attachment; filename="reglement-interieur-{SCHOOL}-v{first.number}.fr.docx"'
    )
    assert before.headers["link"] == f'<{BASE}/public/documents/{first.sha256}.docx>; rel="canonical"'
    assert before.headers["cache-control"] == "public, max-age=300"
    assert before.headers["access-control-allow-origin"] == "*"

    second = republish(db, SCHOOL, data=amended(db, first, "Article ajouté"))
    after = public_api.request("GET", address)
    assert after.status_code == 200
    assert sha(after.content) == second.sha256 != first.sha256
    assert f"-v{second.number}.fr.docx" in after.headers["content-disposition"]
    html = public_api.request("GET", f"/public/{SCHOOL}/internal.fr.html")
    assert "Article ajouté" in html.text
    assert f"Version {second.number}" in html.text

    old = public_api.request("GET", f"/public/documents/{first.sha256}.docx")
    assert old.status_code == 200
    assert sha(old.content) == first.sha256
    assert old.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "link" not in old.headers
    old_page = public_api.request("GET", f"/public/documents/{first.sha256}.html")
    assert old_page.status_code == 200
    assert "Article ajouté" not in old_page.text
    assert "Cette version n'est plus en vigueur." in unescape(old_page.text)
    assert f'href="{BASE}/public/{SCHOOL}/internal.fr.html"' in old_page.text


def test_the_html_page_is_a_whole_page_in_the_documents_language(db: Database, public_api: Api) -> None:
    french = current(db, SCHOOL)
    english = current(db, SCHOOL, language="en")
    page = public_api.request("GET", f"/public/{SCHOOL}/internal.fr.html")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in page.headers["content-security-policy"]
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    text = page.text
    assert text.startswith("<!doctype html>")
    assert '<html lang="fr">' in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "<title>Règlement intérieur — IMT Atlantique</title>" in text
    assert '<p class="kind">Règlement intérieur</p>' in text
    assert "<h1>Règlement intérieur — IMT Atlantique</h1>" in text  # the document's own title
    assert f"Version {french.number}, en vigueur depuis le" in text
    assert f'href="{BASE}/public/documents/{french.sha256}.pdf"' in text
    assert f'href="{BASE}/public/documents/{french.sha256}.docx"' in text
    # the English translation, named in English
    assert f'<a href="{BASE}/public/{SCHOOL}/internal.en.html" hreflang="en" lang="en">English version</a>' in text
    # the document's own headings, its articles anchored by clause
    assert len(re.findall(r"<h2[ >]", text)) >= 5
    assert '<h2 id="clause-vss.reporting">' in text
    assert "<h1>" in text and text.count("<h1>") == 1
    assert "<script" not in text
    english_page = public_api.request("GET", f"/public/{SCHOOL}/internal.en.html")
    assert '<html lang="en">' in english_page.text
    assert f"Version {english.number}, in force since" in english_page.text
    assert 'lang="fr">Version française</a>' in english_page.text


def test_a_reflex_sheet_is_addressed_by_its_kind_key(db: Database, public_api: Api) -> None:
    sheet = current(db, SCHOOL, kind="reflex_sheet.student_victim")
    answer = public_api.request("GET", f"/public/{SCHOOL}/reflex_sheet.student_victim.fr.docx")
    assert answer.status_code == 200
    assert sha(answer.content) == sheet.sha256
    assert 'filename="fiche-reflexe-eleve-victime-imt-atlantique-v' in answer.headers["content-disposition"]
    head = public_api.request("HEAD", f"/public/{SCHOOL}/reflex_sheet.student_victim.fr.docx")
    assert (head.status_code, head.headers["etag"]) == (200, f'"{sheet.sha256}"')


def test_etag_and_conditional_get(db: Database, public_api: Api) -> None:
    document = current(db, SCHOOL)
    for address in (f"/public/{SCHOOL}/internal.fr.docx", f"/public/documents/{document.sha256}.html"):
        first = public_api.request("GET", address)
        assert first.status_code == 200
        for tag in (first.headers["etag"], f'W/"{document.sha256}"', f'"other", "{document.sha256}"', "*"):
            again = public_api.request("GET", address, headers={"If-None-Match": tag})
            assert again.status_code == 304, tag
            assert again.content == b""
            assert again.headers["etag"] == first.headers["etag"]
        changed = public_api.request("GET", address, headers={"If-None-Match": '"' + "0" * 64 + '"'})
        assert changed.status_code == 200
        assert changed.content == first.content


def test_kinds_left_out_of_the_public_ones_are_not_served(db: Database) -> None:
    only_internal = Api(db, make_settings(public_url=BASE, public_kinds=["internal"]))
    study = current(db, SCHOOL, kind="study")
    refused = only_internal.request("GET", f"/public/{SCHOOL}/study.fr.docx")
    assert refused.status_code == 404
    assert refused.json() == {
        "detail": "The documents of kind 'study' are not public (GOVKIT_PUBLIC_KINDS).",
        "code": "NOT_FOUND",
    }
    by_hash = only_internal.request("GET", f"/public/documents/{study.sha256}.docx")
    assert by_hash.status_code == 404
    assert by_hash.json()["detail"] == f"No public document with SHA-256 {study.sha256}."
    listed = only_internal.request("GET", f"/public/{SCHOOL}.json").json()
    assert {d["kind"] for d in listed["documents"]} == {"internal"}
    assert only_internal.request("GET", f"/public/{SCHOOL}/internal.fr.docx").status_code == 200


def test_versions_never_published_are_not_served(db: Database, public_api: Api) -> None:
    with db.reading() as session:
        root = session.exec(RootTemplateVersion.__table__.select().limit(1)).first()  # type: ignore[attr-defined]
    assert root is not None
    trame = root.sha256  # a root template's bytes: stored, never published at a school
    unknown = "ab" * 32
    for digest in (trame, unknown):
        for fmt in ("docx", "html", "pdf"):
            answer = public_api.request("GET", f"/public/documents/{digest}.{fmt}")
            assert answer.status_code == 404, (digest, fmt)
            assert answer.json() == {"detail": f"No public document with SHA-256 {digest}.", "code": "NOT_FOUND"}


@pytest.mark.parametrize(
    ("address", "says"),
    [
        (f"/public/{SCHOOL}/internal.fr.exe", "No format 'exe'"),
        (f"/public/{SCHOOL}/internal.de.pdf", "No language 'de'"),
        (f"/public/{SCHOOL}/bylaws.fr.pdf", "No document kind 'bylaws'"),
        (f"/public/{SCHOOL}/internal.pdf", "an address reads /public/<school>/<kind>.<language>.<format>"),
        (f"/public/{SCHOOL}/reflex_sheet.fr.pdf", "No document kind 'reflex_sheet'"),
        ("/public/nowhere/internal.fr.pdf", "No school 'nowhere'"),
        ("/public/IMT-Atlantique/internal.fr.pdf", "No school 'IMT-Atlantique'"),
        ("/public/documents/1234.pdf", "a permanent address reads /public/documents/"),
        (f"/public/documents/{'ab' * 32}.exe", "No format 'exe'"),
        ("/public/nowhere", "No school 'nowhere'"),
        ("/public/nowhere.json", "No school 'nowhere'"),
        (f"/public/{SCHOOL}/a/b", "Not Found"),
    ],
)
def test_addresses_that_name_nothing_say_what_is_wrong(public_api: Api, address: str, says: str) -> None:
    answer = public_api.request("GET", address)
    assert answer.status_code == 404, answer.text
    assert says in answer.json()["detail"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    school=st.one_of(st.sampled_from([SCHOOL, "documents", "", ".."]), st.text(min_size=1, max_size=80)),
    name=st.one_of(
        st.builds(
            lambda k, lang, f: f"{k}.{lang}.{f}",
            st.sampled_from(["internal", "reflex_sheet.staff_victim", "x", "internal.extra", ""]),
            st.sampled_from(["fr", "en", "de", "", "FR"]),
            st.sampled_from(["pdf", "html", "docx", "json", "", "PDF"]),
        ),
        st.text(max_size=120),
    ),
)
def test_no_public_address_is_a_server_error(public_api: Api, school: str, name: str) -> None:
    for path in (f"/public/{quote(school, safe='')}/{quote(name, safe='')}", f"/public/{quote(school, safe='')}"):
        answer = public_api.request("GET", path)
        assert answer.status_code in (200, 304, 307, 404, 503), (path, answer.status_code, answer.text)
        if answer.status_code == 404:
            assert answer.json()["detail"]


def test_the_schools_index_lists_its_documents_in_force(db: Database, public_api: Api) -> None:
    document = current(db, SCHOOL)
    listed = public_api.request("GET", f"/public/{SCHOOL}.json")
    assert listed.status_code == 200
    body = listed.json()
    assert (body["school"], body["name"], body["url"]) == (SCHOOL, "IMT Atlantique", f"{BASE}/public/{SCHOOL}")
    internal = next(d for d in body["documents"] if (d["kind"], d["language"]) == ("internal", "fr"))
    assert internal["sha256"] == document.sha256
    assert internal["pdf_url"] == f"{BASE}/public/{SCHOOL}/internal.fr.pdf"
    assert internal["permanent_urls"]["docx"] == f"{BASE}/public/documents/{document.sha256}.docx"
    kinds = {d["kind"] for d in body["documents"]}
    assert {"internal", "study", "housing", "equality_annex", "reflex_sheet.student_victim"} <= kinds
    page = public_api.request("GET", f"/public/{SCHOOL}")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "<h1>Documents en vigueur</h1>" in page.text
    assert f'href="{BASE}/public/{SCHOOL}/internal.fr.html"' in page.text
    assert 'lang="en">English</a>' in page.text
    english = public_api.request("GET", f"/public/{SCHOOL}?lang=en")
    assert "<h1>Documents in force</h1>" in english.text
    assert "(in French)" in english.text
