"""The clause search through GraphQL, the pages and the command line (govkit.search)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from tests.cli.test_cli_on_demo_data import govkit
from tests.conftest import Api, TokenFactory, fresh_database_url

SEARCH = """query($q: String!, $language: String, $school: String, $source: SearchSource, $all: Boolean) {
  searchClauses(query: $q, language: $language, school: $school, source: $source, inForceOnly: $all, first: 100) {
    source school schoolName kind language versionNumber documentVersionId rootTemplateVersionId
    inForce published effectiveFrom clauseKey clauseTitle score url snippet { text highlighted }
  }
}"""


def session(value: str) -> dict[str, str]:
    """The headers of a signed-in page request (the session cookie)."""
    return {"cookie": f"govkit_session={value}"}


def test_graphql_lists_the_listening_cell_in_each_school(api: Api, token: TokenFactory) -> None:
    hits = api.data(SEARCH, {"q": "cellule d'écoute", "language": "fr", "source": "SCHOOLS"}, token=token("legal"))[
        "searchClauses"
    ]
    schools = {h["school"] for h in hits if h["clauseKey"] == "vss.listening_cell"}
    assert len(schools) >= 8
    first = hits[0]
    assert first["source"] == "school" and first["inForce"] and first["documentVersionId"]
    assert first["url"].endswith(f"/ui/search/documents/{first['documentVersionId']}#clause-{first['clauseKey']}")
    assert any(f["highlighted"] for h in hits for f in h["snippet"])
    english = api.data(SEARCH, {"q": '"listening cell"', "language": "en"}, token=token("legal"))["searchClauses"]
    assert english and {h["language"] for h in english} == {"en"}


def test_graphql_scopes_a_member_to_their_school(api: Api, token: TokenFactory) -> None:
    hits = api.data(SEARCH, {"q": "cellule d'écoute"}, token=token("member", "imt-atlantique", "E00001"))[
        "searchClauses"
    ]
    assert hits and {h["school"] for h in hits} == {"imt-atlantique"}
    refused = api.graphql(
        SEARCH, {"q": "cellule", "school": "telecom-paris"}, token=token("school_admin", "imt-atlantique")
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = api.graphql(SEARCH, {"q": "cellule"})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("text", ["", "   ", "x" * 201, '"" ---', "-cellule", "a\x00b"])
def test_graphql_refuses_bad_queries_clearly(api: Api, token: TokenFactory, text: str) -> None:
    response = api.graphql(SEARCH, {"q": text}, token=token("legal"))
    body = response.json()
    assert response.status_code < 500
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    assert body["errors"][0]["message"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_the_page_answers_any_query_without_a_server_error(api: Api, token: TokenFactory, text: str) -> None:
    response = api.request("GET", "/ui/search", params={"q": text}, headers=session(token("legal")))
    assert response.status_code in (200, 400), response.text[:300]


def test_the_search_page_in_both_languages(api: Api, token: TokenFactory) -> None:
    cookie = session(token("legal"))
    empty = api.request("GET", "/ui/search", headers=cookie)
    assert empty.status_code == 200 and 'role="search"' in empty.text
    french = api.request("GET", "/ui/search", params={"q": "cellule d'écoute", "lang": "fr"}, headers=cookie)
    assert french.status_code == 200
    assert "Recherche dans les articles" in french.text and "<mark>" in french.text
    links = set(re.findall(r'href="(/ui/search/documents/\d+#clause-[\w.]+)"', french.text))
    assert links
    english = api.request("GET", "/ui/search", params={"q": "listening cell", "lang": "en"}, headers=cookie)
    assert "Search the clauses" in english.text and "<mark>" in english.text
    bad = api.request("GET", "/ui/search", params={"q": '"" !!', "lang": "en"}, headers=cookie)
    assert bad.status_code == 400 and "no word to look for" in bad.text
    link = sorted(links)[0]
    page = api.request("GET", link.split("#")[0], headers=cookie)
    assert page.status_code == 200
    assert f'id="{link.split("#")[1]}"' in page.text


def test_the_version_pages_are_the_readers_only(api: Api, token: TokenFactory) -> None:
    legal = session(token("legal"))
    page = api.request("GET", "/ui/search", params={"q": "cellule d'écoute", "school": "telecom-paris"}, headers=legal)
    document = re.search(r'href="(/ui/search/documents/\d+)#', page.text)
    assert document
    other = session(token("school_admin", "imt-atlantique"))
    assert api.request("GET", document.group(1), headers=other).status_code == 403
    assert api.request("GET", "/ui/search/documents/999999", headers=legal).status_code == 404
    roots = api.request("GET", "/ui/search", params={"q": "cellule d'écoute", "source": "roots"}, headers=legal)
    root = re.search(r'href="(/ui/search/roots/\d+)#clause-vss\.listening_cell"', roots.text)
    assert root
    assert 'id="clause-vss.listening_cell"' in api.request("GET", root.group(1), headers=legal).text
    member = session(token("member", "imt-atlantique", "E00001"))
    assert api.request("GET", root.group(1), headers=member).status_code == 403
    assert api.request("GET", "/ui/search", params={"q": "x"}).status_code == 401


def test_the_command_line_reindexes_and_searches(engines: dict[str, Engine], backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":  # a copy of the demo database: the command commits
        source = engines["sqlite"].url.database
        assert source
        url = f"sqlite:///{tmp_path / 'copy.db'}"
        shutil.copy(source, tmp_path / "copy.db")
    else:  # an empty database: nothing to index, nothing found
        url = fresh_database_url("postgresql", "govkit_test_search_cli", tmp_path)
        assert govkit("db", "upgrade", url=url, cwd=tmp_path).returncode == 0
    done = govkit("search", "reindex", url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.match(
        r"indexed \d+ clauses of \d+ root template versions and \d+ published document versions", done.stdout
    )
    found = govkit("search", "query", "cellule d'écoute", "--language", "fr", url=url, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    if backend == "sqlite":
        assert "vss.listening_cell" in found.stdout and "[cellule]" in found.stdout.lower()
    else:
        assert "no clause matches" in found.stdout
    bad = govkit("search", "query", "!!!", url=url, cwd=tmp_path)
    assert bad.returncode == 1 and "no word to look for" in bad.stderr


def test_the_readme_query_answers(api: Api, token: TokenFactory) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    payload = re.search(r"-d '(\{\"query\":\"\{ searchClauses.*?)'\n", readme)
    assert payload
    body = json.loads(payload.group(1))
    hits = api.data(body["query"], token=token("legal"))["searchClauses"]
    assert len({h["school"] for h in hits if h["clauseKey"] == "vss.listening_cell"}) >= 8
