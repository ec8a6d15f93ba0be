"""The public transparency page (govkit.web.privacy_page) over HTTP through the ASGI app, on both
databases: no sign-in, French by default and English with ``?lang=en``, the same register as JSON;
linked from the sign-in page, the sign-in link page and the member page."""

from __future__ import annotations

import re
from html import unescape

import pytest

import govkit.models
from govkit.db import Database
from govkit.privacy.register import build
from tests.conftest import Api, TokenFactory, make_settings

SCHOOL = "imt-atlantique"


def session(value: str) -> dict[str, str]:
    return {"cookie": f"govkit_session={value}"}


def page_columns(html: str) -> set[tuple[str, str]]:
    return set(re.findall(r"<li><code>([a-z_]+)\.([a-z_0-9]+)</code></li>", html))


def test_the_page_is_public_and_french_by_default(api: Api) -> None:
    page = api.request("GET", "/privacy")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]
    text = unescape(page.text)
    assert '<html lang="fr">' in text
    assert "<h1>Registre des traitements de données personnelles</h1>" in text
    assert "Art. 6(1)(e) RGPD" in text and "GOVKIT_RETENTION_DEPARTED_YEARS" in text
    assert "5 ans" in text and "365 jours" in text
    assert 'href="?lang=en"' in text and 'href="/privacy.json?lang=fr"' in text
    assert page_columns(text) == {(t, c) for t, c, _ in build(govkit.models.metadata).columns()}


@pytest.mark.parametrize(("lang", "said"), [("en", "en"), ("fr", "fr"), ("de", "fr"), ("", "fr")])
def test_the_language_is_chosen_as_on_the_public_documents(api: Api, lang: str, said: str) -> None:
    page = api.request("GET", "/privacy", params={"lang": lang})
    assert page.status_code == 200
    assert f'<html lang="{said}">' in page.text
    heading = "Register of processing of personal data" if said == "en" else "Registre des traitements"
    assert heading in page.text


def test_the_english_page(api: Api) -> None:
    text = unescape(api.request("GET", "/privacy?lang=en").text)
    assert "GDPR art. 6(1)(e)" in text and "5 years" in text and "180 days" in text
    assert "govkit.auth.sign_in_links.erase_client_data" in text
    assert "legal staff (every school)" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_json(api: Api, lang: str) -> None:
    answer = api.request("GET", "/privacy.json", params={"lang": lang})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    data = answer.json()
    assert set(data) == {"title", "language", "introduction", "categories"}
    assert data["language"] == lang
    entry = data["categories"][0]
    assert set(entry) == {
        "id",
        "title",
        "purpose",
        "legal_basis",
        "recipients",
        "recipients_note",
        "retention",
        "erased_by",
        "columns",
    }
    assert set(entry["retention"]) == {"text", "setting", "environment", "value", "default", "unit"}
    assert {(c["table"], c["column"], e["id"]) for e in data["categories"] for c in e["columns"]} == build(
        govkit.models.metadata
    ).columns()
    head = api.request("HEAD", "/privacy.json")
    assert head.status_code == 200


def test_linked_from_the_sign_in_and_member_pages(api: Api, token: TokenFactory) -> None:
    signin = api.request("GET", "/ui/")
    assert signin.status_code == 200 and 'href="/privacy"' in signin.text
    english = api.request("GET", "/ui/?lang=en")
    assert 'href="/privacy?lang=en"' in english.text
    me = api.request("GET", "/ui/me", headers=session(token("member", SCHOOL, "E00001")))
    assert me.status_code == 200 and 'href="/privacy"' in me.text


def test_the_retention_is_the_deployments(db: Database) -> None:
    """A deployment that keeps a departed person's data 7 years says so (the default stays stated)."""
    api = Api(db, make_settings(retention_departed_years=7, client_data_retention_days=90))
    data = api.request("GET", "/privacy.json", params={"lang": "en"}).json()
    identity = next(c for c in data["categories"] if c["id"] == "identity")
    assert (identity["retention"]["value"], identity["retention"]["default"]) == (7, 5)
    assert "then 7 years after their departure" in identity["retention"]["text"]
    text = unescape(api.request("GET", "/privacy").text)
    assert "7 ans après son départ" in text and "90 jours" in text
