"""The public page of a document in force and the member's reading page in a real headless
Chromium: on a 320 px (public) and 360 px (member) screen nothing scrolls sideways, the text is
the document's (headings, lists), and axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from govkit.db import Database
from tests.ack_helpers import current
from tests.conftest import TokenFactory
from tests.web.test_browser import ARTIFACTS, browser, check_accessibility, server, sign_in  # noqa: F401

SCHOOL = "imt-atlantique"


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    wider = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
            || e.scrollWidth > document.documentElement.clientWidth + 1)
        .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}: ${e.textContent.trim().slice(0, 40)}`)""")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen: {wider}"


def test_the_public_page_reads_on_a_320_px_screen(server: str, browser: Browser, backend: str) -> None:  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    # no token, no cookie; the page's CSP allows no script: axe-core is injected past it
    context = browser.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}/public/{SCHOOL}/internal.fr.html")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Règlement intérieur")
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    expect(page.get_by_role("link", name="English version")).to_be_visible()
    assert page.locator("main h2").count() >= 5
    assert page.locator("main li").count() >= 5
    _no_sideways_scroll(page)
    check_accessibility(page, "public document page")
    page.screenshot(path=str(ARTIFACTS / f"public-document-320-{backend}.png"))
    page.get_by_role("link", name="English version").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="All the documents in force").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents in force")
    _no_sideways_scroll(page)
    check_accessibility(page, "public index")
    context.close()


def test_the_member_reads_the_documents_html_on_a_360_px_screen(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    db: Database,
    token: TokenFactory,
    backend: str,
) -> None:
    document = current(db, SCHOOL)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, server, token("member", SCHOOL, "E00001"))
    page.goto(f"{server}/ui/me/documents/{document.id}")
    article = page.get_by_role("article")
    expect(article.get_by_role("heading", name=re.compile("Champ d'application"))).to_be_visible()
    assert article.locator("h2").count() >= 10  # the articles, under the document's own title (the page's h1)
    expect(page.get_by_role("link", name="Télécharger le PDF")).to_have_attribute(
        "href",
        f"/ui/me/documents/{document.id}/pdf",  # the member's own address: a delivery to them
    )
    # the document's text wraps within the screen (the rest of the page is helper E's browser test)
    box = page.evaluate("() => [document.querySelector('article.document').scrollWidth, innerWidth]")
    assert box[0] <= box[1], box
    check_accessibility(page, "member document page")
    page.screenshot(path=str(ARTIFACTS / f"member-document-html-360-{backend}.png"))
    context.close()
