"""The clause library page, on both databases: through the ASGI app (the forms, their errors said in
the page's language, who may use them) and in a real Chromium at 360 and 1280 px with axe-core (a
legal officer adds a clause and asks to require it; a second one approves; the page shows it)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from html import unescape

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, expect

from govkit.access.roles import SYSTEM
from govkit.app import create_app
from govkit.days import utc_today
from govkit.db import Database
from govkit.documents import clause_service
from tests.conftest import Api, TokenFactory, make_settings
from tests.web.test_browser import _free_port, browser, check_accessibility, sign_in  # noqa: F401 - the browser fixture

NEW = "vss.cyber"
REASON = "Loi du 2 mars 2026 sur le cyberharcèlement"


def _get(api: Api, url: str, token: str) -> httpx.Response:
    return api.request("GET", url, headers={"Cookie": f"govkit_session={token}"})


def _post(api: Api, url: str, token: str, data: dict[str, str]) -> httpx.Response:
    page = _get(api, "/ui/clauses", token)
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found, page.text[:500]
    return api.request("POST", url, headers={"Cookie": f"govkit_session={token}"}, data={"csrf": found[1], **data})


def test_legal_staff_add_a_clause_and_change_the_common_base_from_the_page(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(four_eyes=False))
    legal = token("legal")
    added = _post(
        api,
        "/ui/clauses/add",
        legal,
        {"key": NEW, "title_fr": "Cyberviolences", "title_en": "Online abuse", "reason": REASON},
    )
    assert added.status_code == 303 and added.headers["location"] == "/ui/clauses?done=added"
    day = utc_today() + timedelta(days=3)
    changed = _post(
        api,
        "/ui/clauses/required",
        legal,
        {"kind": "housing", "clause": NEW, "action": "add", "day": day.isoformat(), "reason": REASON},
    )
    assert changed.headers["location"] == "/ui/clauses?done=required"
    shown = _get(api, "/ui/clauses?done=required&lang=en", legal).text
    assert "Clause required from the day chosen." in shown and "Online abuse" in shown
    housing = re.search(r'<details class="history-of" data-kind="housing">.*?</details>', shown, flags=re.S)
    assert housing and "Required later" in housing[0] and day.strftime("%d/%m/%Y") in housing[0]
    later = _get(api, f"/ui/clauses?as_of={day.isoformat()}", legal).text
    housing_then = re.search(r'data-kind="housing">.*?</summary>', later, flags=re.S)
    assert housing_then and "11 clauses du socle" in housing_then[0]  # ten in kinds.yaml, and NEW


def test_a_bad_form_is_said_in_the_pages_language_and_nothing_changes(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(four_eyes=False))
    legal = token("legal")
    bad = _post(
        api,
        "/ui/clauses/add?lang=fr",
        legal,
        {"key": "Pas Une Clé", "title_fr": "a", "title_en": "b", "reason": REASON},
    )
    assert bad.status_code == 422 and "n'est pas valable" in unescape(bad.text) and "not valid" not in bad.text
    twice = _post(
        api,
        "/ui/clauses/required?lang=en",
        legal,
        {"kind": "internal", "clause": "vss.reporting", "action": "add", "day": "2026-01-01", "reason": REASON},
    )
    assert twice.status_code == 409 and "is required in “Internal regulation” already" in unescape(twice.text)
    assert "Pas Une" not in str([c.key for c in clause_service.clause_library(db=db, actor=SYSTEM).clauses])


def test_only_legal_staff_see_the_forms_and_may_post_them(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings())
    admin = token("school_admin", "imt-bs")
    page = _get(api, "/ui/clauses", admin)
    assert page.status_code == 200 and 'action="/ui/clauses/add"' not in page.text
    refused = _post(api, "/ui/clauses/add", admin, {"key": NEW, "title_fr": "a", "title_en": "b", "reason": REASON})
    assert refused.status_code == 403
    assert _get(api, "/ui/clauses", token("member", "imt-bs", "E00001")).status_code == 403


# --- in Chromium -------------------------------------------------------------------------------


@pytest.fixture
def four_eyes_server(db: Database) -> Iterator[str]:
    port = _free_port()
    settings = make_settings(four_eyes=True)
    config = uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(100):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("width", [360, 1280])
def test_two_legal_officers_change_the_common_base_in_a_browser(
    four_eyes_server: str,
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    width: int,
) -> None:
    base = four_eyes_server
    first = browser.new_context(viewport={"width": width, "height": 900})
    page = first.new_page()
    sign_in(page, base, token("legal"))
    page.goto(f"{base}/ui/clauses?lang=fr")
    expect(page.get_by_role("heading", name="Bibliothèque des clauses")).to_be_visible()
    check_accessibility(page, f"clause library {width}")
    page.get_by_label("Clé", exact=True).fill(NEW)
    page.locator("#add-fr").fill("Cyberviolences")
    page.locator("#add-en").fill("Online abuse")
    page.locator("#add-reason").fill(REASON)
    page.get_by_role("button", name="Ajouter la clause").click()
    expect(page.get_by_role("status")).to_have_text("Clause ajoutée à la bibliothèque.")
    page.locator("#req-kind").select_option("study")
    page.locator("#req-clause").select_option(NEW)
    page.locator("#req-day").fill((utc_today() + timedelta(days=7)).isoformat())
    page.locator("#req-reason").fill(REASON)
    page.get_by_role("button", name="Enregistrer la modification").click()
    expect(page.get_by_role("status")).to_contain_text("un second juriste doit l'approuver")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    first.close()

    second = browser.new_context(viewport={"width": width, "height": 900})
    page = second.new_page()
    sign_in(page, base, token("legal"))
    page.goto(f"{base}/ui/clauses?lang=en")
    expect(page.get_by_role("heading", name="Requests awaiting a second legal officer")).to_be_visible()
    check_accessibility(page, f"clause library with a request, {width}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Request approved: the common base changed.")
    study = page.locator('details[data-kind="study"]')
    study.locator("summary").click()
    expect(study).to_contain_text("Required later")
    expect(study).to_contain_text("approved by")
    check_accessibility(page, f"clause library after approval, {width}")
    second.close()
