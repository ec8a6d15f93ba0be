"""The local provisions pages in a real Chromium at 360 and 1280 px: the school's administration
proposes, legal staff send back with a comment, the school revises, legal staff approve; axe-core
finds no violation and nothing is wider than the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from govkit.db import Database
from govkit.documents.provision_models import LocalProvisionRevision
from tests.conftest import TokenFactory
from tests.web.test_browser import browser, check_accessibility, server, sign_in  # noqa: F401 - fixtures

SCHOOL = "imt-atlantique"
WIDTHS = (360, 1280)
TOO_WIDE = "() => document.documentElement.scrollWidth > window.innerWidth"
PLACE = "Accès aux campus et aux locaux : dispositions propres à l'école"


def _check(page: Page, name: str) -> None:
    assert not page.evaluate(TOO_WIDE), f"{name}: wider than the screen"
    check_accessibility(page, name)


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_propose_send_back_revise_approve(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    db: Database,
    width: int,
) -> None:
    viewport = {"width": width, "height": 800}
    admin = browser.new_context(viewport=viewport).new_page()
    sign_in(admin, server, token("school_admin", SCHOOL))
    admin.get_by_role("link", name="Dispositions propres").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Dispositions propres")
    _check(admin, f"school provisions at {width}")
    admin.get_by_label(f"Texte en français — {PLACE}").fill("Le campus est ouvert de 7 h à 22 h.")
    admin.get_by_label(f"Texte en anglais — {PLACE}").fill("The campus is open from 7 am to 10 pm.")
    admin.get_by_role("button", name=f"Proposer — {PLACE}").click()
    expect(admin.get_by_role("status")).to_contain_text("attend la décision")
    _check(admin, f"school provisions after proposing at {width}")

    legal = browser.new_context(viewport=viewport).new_page()
    sign_in(legal, server, token("legal"))
    legal.get_by_role("link", name="Dispositions propres").click()
    expect(legal.get_by_role("heading", level=1)).to_have_text("Dispositions propres à examiner")
    expect(legal.locator("blockquote[lang=fr]")).to_contain_text("7 h à 22 h")
    _check(legal, f"review at {width}")
    legal.get_by_label(re.compile("^Commentaire — ")).fill("Précisez les horaires du samedi.")
    legal.get_by_role("button", name=re.compile("^Renvoyer — ")).click()
    expect(legal.get_by_role("status")).to_contain_text("renvoyée")
    expect(legal.get_by_text("Aucune disposition n'attend d'examen.")).to_be_visible()

    admin.reload()
    expect(admin.locator(".provision-status").first).to_have_text("renvoyée à l'école")
    expect(admin.get_by_role("table", name=re.compile("Historique"))).to_contain_text(
        "Précisez les horaires du samedi."
    )
    _check(admin, f"school provisions sent back at {width}")
    text = admin.get_by_label(f"Texte en français — {PLACE}")
    expect(text).to_have_value("Le campus est ouvert de 7 h à 22 h.")  # the school revises its text
    text.fill("Le campus est ouvert de 7 h à 22 h.\nLe samedi, de 8 h à 18 h.")
    admin.get_by_role("button", name=f"Proposer — {PLACE}").click()
    expect(admin.get_by_role("status")).to_contain_text("attend la décision")

    legal.reload()
    legal.get_by_role("button", name=re.compile("^Approuver — ")).click()
    expect(legal.get_by_role("status")).to_contain_text("approuvée")
    admin.goto(f"{server}/ui/schools/{SCHOOL}/provisions?lang=en")
    expect(admin.locator(".provision-status").first).to_have_text("approved")
    expect(admin.locator("blockquote").first).to_contain_text("7 am to 10 pm")
    _check(admin, f"school provisions approved, in English, at {width}")
    with db.reading() as session:
        revisions = session.exec(select(LocalProvisionRevision).order_by(col(LocalProvisionRevision.number))).all()
    assert [(r.number, r.decision) for r in revisions] == [(1, "sent_back"), (2, "approved")]
    assert revisions[1].text_fr.endswith("Le samedi, de 8 h à 18 h.")


def test_a_hostile_text_is_refused_on_the_page(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
) -> None:
    admin = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(admin, server, token("school_admin", SCHOOL))
    admin.goto(f"{server}/ui/schools/{SCHOOL}/provisions")
    admin.get_by_label(f"Texte en français — {PLACE}").fill("{{ cycler.__init__.__globals__ }}")
    admin.get_by_label(f"Texte en anglais — {PLACE}").fill("Plain text.")
    admin.get_by_role("button", name=f"Proposer — {PLACE}").click()
    expect(admin.get_by_role("alert")).to_contain_text("Texte refusé")
    # what was typed is kept for correction
    expect(admin.get_by_label(f"Texte en français — {PLACE}")).to_have_value("{{ cycler.__init__.__globals__ }}")
    check_accessibility(admin, "refused proposal")
