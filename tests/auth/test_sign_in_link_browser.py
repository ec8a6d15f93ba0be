"""A one-click sign-in link in a real headless Chromium on a 360 px phone: open the link from the
e-mail, press the button, read the document, with no horizontal scrolling (both databases)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from govkit.auth import sign_in_links as links
from govkit.db import Database, stored_id
from govkit.settings import Settings
from tests.ack_helpers import current
from tests.auth.test_sign_in_links import SCHOOL, _campaign_id, _person
from tests.web.test_browser import browser, server  # noqa: F401 - the server and browser fixtures

PHONE = {"width": 360, "height": 740}
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_a_student_follows_the_link_on_a_phone(server: str, browser: Browser, db: Database, settings: Settings) -> None:  # noqa: F811
    version = stored_id(current(db, SCHOOL))
    with db.transaction() as session:
        path = links.issue(
            session, person_id=stored_id(_person(db)), campaign_id=_campaign_id(db, version), settings=settings
        )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server + path)
    expect(page.get_by_role("heading", name="Connexion par lien")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the link's page scrolls sideways at 360 px"
    page.get_by_role("button", name="Continuer vers mes documents").click()
    page.wait_for_url(re.compile(rf"/ui/me/documents/{version}$"))
    expect(page.get_by_role("article")).to_contain_text("Article")
    expect(page.get_by_role("button", name="J'ai lu et j'accepte")).to_be_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert page.evaluate(NO_HORIZONTAL_SCROLL), f"the document page scrolls sideways at 360 px: {width}"
    page.go_back()  # the link's page again: used up
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("déjà servi")
    context.close()
