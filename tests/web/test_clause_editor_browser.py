"""The clause editor and the review of tracked changes in a real Chromium at 360 and 1280 px, in French
and English: a legal officer keeps a bold word through an edit, then reviews and accepts a lawyer's
tracked changes; no axe-core violation, nothing wider than the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import service as documents
from tests.conftest import TokenFactory
from tests.documents.test_clause_edits import bold_runs
from tests.docx_factory import AUTHOR, tracked_docx
from tests.web.test_browser import (  # noqa: F401 - the server and browser fixtures
    ARTIFACTS,
    _fits,
    browser,
    check_accessibility,
    server,
    sign_in,
)

WIDTHS = (360, 1280)


def _latest(db: Database, kind: str, language: str) -> bytes:
    rows = documents.list_root_templates(db=db, actor=SYSTEM, kind=kind)
    version = next(v for t, v in rows if t.language == language)[0]
    return documents.download(db=db, actor=SYSTEM, sha256=version.sha256).data


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_a_legal_officer_edits_a_clause_keeping_a_bold_word(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    db: Database,
    width: int,
    backend: str,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, server, token("legal"))
    page.goto(f"{server}/ui/templates/study/fr/clauses/vss.reporting")
    text = page.get_by_label("Texte de la clause")
    expect(text).to_contain_text("## ")
    expect(page.get_by_role("heading", name="Mise en forme")).to_be_visible()
    check_accessibility(page, f"clause editor {width}")
    _fits(page)
    text.fill(text.input_value() + "\n\nLe signalement est **confidentiel** et *traité* sans délai.")
    page.get_by_role("button", name=re.compile("Enregistrer un brouillon")).click()
    expect(page.get_by_role("status")).to_contain_text("enregistrée en brouillon")
    assert "confidentiel" in bold_runs(_latest(db, "study", "fr"))
    page.goto(f"{server}/ui/templates/study/fr/clauses/vss.reporting?lang=en")
    expect(page.get_by_label("Clause text")).to_contain_text("**confidentiel** et *traité*")
    expect(page.get_by_role("heading", name="Formatting")).to_be_visible()
    check_accessibility(page, f"clause editor in English {width}")
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / f"clause-editor-{width}-{backend}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_a_legal_officer_reviews_and_accepts_tracked_changes(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    width: int,
    backend: str,
    tmp_path: Path,
) -> None:
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, server, token("legal"))
    page.goto(f"{server}/ui/templates/internal/fr")
    sent = tmp_path / "trame-relue.docx"
    sent.write_bytes(tracked_docx())
    page.get_by_label("Téléverser une nouvelle version (.docx)").set_input_files(str(sent))
    page.get_by_role("button", name="Valider et enregistrer").click()
    expect(page.get_by_role("heading", name=re.compile("Modifications suivies"))).to_be_visible()
    reporting = page.locator('article[data-clause="vss.reporting"]')
    expect(reporting.locator("ins").first).to_contain_text("dans les huit jours")
    expect(reporting.locator("del").first).to_contain_text("Texte")
    expect(reporting.get_by_role("table")).to_contain_text(AUTHOR)
    check_accessibility(page, f"tracked changes {width}")
    _fits(page)
    page.goto(page.url + "?lang=en")
    expect(page.get_by_role("heading", name=re.compile("Tracked changes"))).to_be_visible()
    check_accessibility(page, f"tracked changes in English {width}")
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / f"tracked-changes-{width}-{backend}.png"), full_page=True)
    page.get_by_role("button", name="Accept the changes into a draft").click()
    expect(page.get_by_role("status")).to_contain_text("draft")
    expect(page.get_by_role("region", name="Files with tracked changes")).to_contain_text("accepted into a draft")
