"""The publication flow on its pages, in Chromium with axe-core at 360 and 1280 px, on both
databases: a legal officer publishes a substantive root version on the template page (four eyes:
it waits), a second officer approves it on the Publications page, the review shows the eight demo
schools ready with their diffs, and one button puts them in force from a date."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from govkit.app import create_app
from govkit.db import Database
from govkit.settings import Settings
from tests.flows.review_helpers import SCHOOLS, four_eyes_settings, new_version, officer
from tests.web.test_browser import _fits, _free_port, browser, check_accessibility, sign_in  # noqa: F401

WIDTHS = {"phone": 360, "desktop": 1280}


@dataclass
class Served:
    base: str
    app: object

    def drain(self) -> None:
        self.app.state.wiring.jobs.drain(timeout=300)  # type: ignore[attr-defined]


@pytest.fixture
def settings() -> Settings:
    return four_eyes_settings()


@pytest.fixture
def served(db: Database, settings: Settings) -> Iterator[Served]:
    app = create_app(settings, db=db)
    port = _free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(100):
        if running.started:
            break
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", app)
    running.should_exit = True
    thread.join(timeout=10)


def checked(page: Page, name: str) -> None:
    check_accessibility(page, name)
    _fits(page)


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_publish_approve_and_put_in_force_on_the_pages(
    served: Served,
    browser: Browser,  # noqa: F811 - the fixture of tests.web.test_browser
    db: Database,
    settings: Settings,
    width: str,
) -> None:
    alice, bob = officer(db, settings, "Alice Juriste"), officer(db, settings, "Bob Juriste")
    version_id, _clause = new_version(served.base, db, alice)
    viewport = {"width": WIDTHS[width], "height": 900}
    page = browser.new_context(viewport=viewport).new_page()
    sign_in(page, served.base, alice)
    page.goto(f"{served.base}/ui/templates/internal/fr")
    number = page.locator("tr", has=page.locator(f"form[action$='/versions/{version_id}/publish']"))
    number.get_by_label("Note de version").fill("Clause réécrite.")
    number.get_by_role("button", name=re.compile("Publier")).click()
    expect(page.get_by_role("status")).to_contain_text("un second juriste doit l'approuver")
    expect(page.get_by_role("table").first).to_contain_text("Demandée par")
    checked(page, "template page, approval requested")
    page.goto(f"{served.base}/ui/reviews")
    expect(page.get_by_text("Vous avez fait cette demande")).to_be_visible()  # not for the requester to decide

    second = browser.new_context(viewport=viewport).new_page()
    sign_in(second, served.base, bob)
    second.get_by_role("navigation", name=re.compile(".")).first.get_by_role("link", name="Publications").click()
    checked(second, "publications, one request waiting")
    second.get_by_label("Commentaire (facultatif)").fill("Relu.")
    second.get_by_role("button", name=re.compile("^Approuver")).click()
    expect(second.get_by_role("status").first).to_contain_text("Approuvé")
    served.drain()
    second.reload()
    counts = second.locator("#progress-counts")
    expect(counts.locator("[data-count=rendered]")).to_have_text(str(SCHOOLS))
    expect(counts.locator("[data-count=failed]")).to_have_text("0")
    expect(second.locator("#review-schools tr[data-status=ready]")).to_have_count(SCHOOLS)
    expect(second.get_by_text("approuvée par")).to_be_visible()
    second.locator("#review-schools details").first.locator("summary").click()
    expect(second.locator("#review-schools details pre").first).to_contain_text("vérifiée par le service juridique")
    checked(second, "review, eight schools ready")
    second.get_by_role("button", name="Mettre en vigueur").click()
    expect(second.get_by_role("status").first).to_contain_text("Mis en vigueur")
    expect(second.locator("#review-schools tr[data-status=in_force]")).to_have_count(SCHOOLS)
    expect(counts.locator("[data-count=in_force]")).to_have_text(str(SCHOOLS))
    checked(second, "review, put in force")
    second.goto(f"{served.base}/ui/reviews?lang=en")
    expect(second.get_by_role("heading", name="Publications", exact=True)).to_be_visible()
    checked(second, "publications in English")
