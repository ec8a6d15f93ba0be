"""The clause search page in a real headless Chromium, with axe-core, at 360 and 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TokenFactory
from tests.web.test_browser import ARTIFACTS, browser, check_accessibility, server  # noqa: F401 - fixtures

VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 900}}


def no_horizontal_scroll(page: Page, name: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: {width[0]} px wide in a {width[1]} px window"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_legal_staff_find_the_listening_cell_and_open_the_clause(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    viewport: str,
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.add_cookies([{"name": "govkit_session", "value": token("legal"), "url": f"{server}/ui/"}])
    page = context.new_page()
    page.goto(f"{server}/ui/search?lang=fr")
    expect(page.get_by_role("heading", name="Recherche dans les articles")).to_be_visible()
    check_accessibility(page, "search form")
    no_horizontal_scroll(page, "search form")
    page.get_by_label("Mots ou expression").fill("cellule d'écoute")
    page.get_by_label("Langue").select_option("fr")
    page.get_by_role("button", name="Chercher").click()
    results = page.locator("li.hit")
    expect(results.first).to_be_visible()
    assert results.count() >= 8
    expect(page.locator("li.hit mark").first).to_be_visible()
    check_accessibility(page, "search results")
    no_horizontal_scroll(page, "search results")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"clause-search-{viewport}.png"))
    link = page.locator('li.hit:not([data-school="root"])[data-clause="vss.listening_cell"] h3 a').first
    href = link.get_attribute("href") or ""
    assert re.search(r"/ui/search/documents/\d+#clause-vss\.listening_cell$", href)
    link.click()
    target = page.locator('section[id="clause-vss.listening_cell"]')
    expect(target).to_be_visible()
    expect(target).to_contain_text("cellule d'écoute")
    expect(target).to_be_in_viewport()
    check_accessibility(page, "version page")
    page.screenshot(path=str(ARTIFACTS / f"clause-search-version-{viewport}.png"))
    no_horizontal_scroll(page, "version page")
    page.goto(f"{server}/ui/search?lang=en&q=%22listening+cell%22&language=en")
    expect(page.get_by_role("heading", name="Search the clauses")).to_be_visible()
    expect(page.locator("li.hit").first).to_be_visible()
    check_accessibility(page, "search results in English")
    no_horizontal_scroll(page, "search results in English")
    page.goto(f"{server}/ui/search?lang=en&q=%22%22")
    expect(page.get_by_text("no word to look for")).to_be_visible()
    check_accessibility(page, "a refused query")
    context.close()
