"""GraphiQL works on a closed network: its page references only the application's own files, which
answer, match their pinned hashes and run under the page's Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Route, expect

from govkit.db import Database
from govkit.graphql.ide import IDE_CSP, graphiql_html
from tests.conftest import Api, make_settings
from tests.web.test_browser import browser, server  # noqa: F401 - the browser tests' fixtures

ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"(?:[^>]*?\bintegrity="([^"]+)")?""")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


def ide_page(api: Api) -> str:
    response = api.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == IDE_CSP
    return response.text


def test_the_page_references_only_local_assets_that_answer(api: Api) -> None:
    page = ide_page(api)
    assets = ASSET.findall(page)
    names = {urlsplit(url).path.rsplit("/", 1)[-1] for url, _ in assets}
    assert {"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css"} <= names
    assert "<script>" not in page and "<style" not in page and " style=" not in page  # nothing inline
    assert not re.search(r"(?i)\b(?:https?:)?//", page), "no URL of another host"
    for url, integrity in assets:
        assert url.startswith("/ui/static/graphiql/"), url
        response = api.request("GET", url)
        assert response.status_code == 200, url
        expected = CONTENT_TYPES[url[url.rindex(".") :]]
        assert response.headers["content-type"].split(";")[0] == expected, url
        if integrity:  # the vendored build is the one pinned
            algorithm, _, digest = integrity.partition("-")
            assert algorithm == "sha384"
            assert base64.b64encode(hashlib.sha384(response.content).digest()).decode() == digest, url


def test_the_page_follows_the_root_path(api: Api) -> None:
    page = api.request("GET", "/graphql", headers={"Accept": "text/html"}).text
    assert 'src="/ui/static/graphiql/graphiql.min.js"' in page
    assert 'src="/govkit/ui/static/graphiql/graphiql.min.js"' in graphiql_html("/govkit/")


def test_prod_serves_no_ide_page(db: Database) -> None:
    prod = Api(db, make_settings(env="prod"))
    page = prod.request("GET", "/graphql", headers={"Accept": "text/html"})
    assert page.status_code != 200
    assert "graphiql" not in page.text.lower()


def test_graphiql_renders_and_queries_with_other_hosts_unreachable(server: str, browser: Browser) -> None:  # noqa: F811
    context = browser.new_context()
    own = urlsplit(server).netloc
    refused: list[str] = []

    def only_the_application(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_application)
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    response = page.goto(f"{server}/graphql")
    assert response is not None and response.status == 200
    expect(page.locator(".graphiql-container .graphiql-query-editor .CodeMirror")).to_be_visible()
    page.locator(".graphiql-execute-button").click()  # the example query, sent to /graphql
    expect(page.locator(".graphiql-response")).to_contain_text("imt-atlantique")
    assert page.evaluate("window.__violations") == []
    assert console_errors == []
    assert refused == []
    context.close()
