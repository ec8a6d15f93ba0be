"""The plan's records pages in a real headless Chromium at 360 and 1280 px: a school administration
records a commitment with its signed charter (PDF) through the form, reads its history and downloads
the file; corrects a training record; legal staff grant a waiver and change a rule parameter. Every
page in French and English: no horizontal scroll, no raw code or sentence of the other language
(the checks of tests/web/test_every_page.py), no axe-core violation."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from govkit.days import utc_today
from govkit.db import Database
from tests.conftest import TokenFactory
from tests.web.plan_helpers import SCHOOL, pdf
from tests.web.test_browser import ARTIFACTS, browser, check_accessibility, server, sign_in  # noqa: F401 - fixtures
from tests.web.test_every_page import TOO_WIDE, VISIBLE_TEXT, WORD, _untranslated

WIDTHS = (360, 1280)


def _names(db: Database) -> set[str]:
    from sqlmodel import select

    from govkit.models import Organisation

    with db.reading() as session:
        return {w.casefold() for o in session.exec(select(Organisation)) for w in WORD.findall(o.name)}


def _check(page: Page, where: str, names: set[str]) -> None:
    """The page in both languages: it fits, it speaks one language, axe-core finds nothing."""
    address = page.url.split("#")[0]
    for language in ("fr", "en"):
        joined = "&" if "?" in address else "?"
        page.goto(f"{re.sub(r'[?&]lang=(fr|en)', '', address)}{joined}lang={language}")
        said = page.evaluate("() => document.documentElement.lang")
        assert said == language, where
        assert not page.evaluate(TOO_WIDE), f"{where} ({language}): {page.evaluate(TOO_WIDE)[:5]}"
        untranslated = _untranslated(page.evaluate(VISIBLE_TEXT, said), said, names)
        assert not untranslated, f"{where} ({language}): {untranslated[:10]}"
        check_accessibility(page, f"{where} ({language})")


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_a_school_records_its_charter_and_training_in_the_pages(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    db: Database,
    width: int,
    backend: str,
    tmp_path: Path,
) -> None:
    names = _names(db)
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server, token("school_admin", SCHOOL))
    page.get_by_role("link", name="Engagements et dispositifs").first.click()
    expect(page.get_by_role("heading", name=re.compile("Engagements et dispositifs"))).to_be_visible()
    _check(page, f"commitments at {width}", names)
    page.goto(f"{server}/ui/schools/{SCHOOL}/commitments?lang=fr")
    charter = tmp_path / "charte-signee.pdf"
    data = pdf("Charte signée")
    charter.write_bytes(data)
    form = page.locator("form", has=page.get_by_role("button", name="Enregistrer l'engagement"))
    form.get_by_label("Type").select_option("equality_charter")
    form.get_by_label("Intitulé").fill("Charte pour l'égalité dans l'ESR")
    form.get_by_label("État").select_option("in_place")
    form.get_by_label("En vigueur depuis").fill((utc_today() - timedelta(days=2)).isoformat())
    form.get_by_label("Justificatif (PDF)").set_input_files(str(charter))
    form.get_by_role("button", name="Enregistrer l'engagement").click()
    expect(page.get_by_role("status")).to_contain_text("Engagement enregistré.")
    history = page.get_by_role("table").first
    expect(history).to_contain_text("charte-signee.pdf")
    expect(history).to_contain_text("administration de l'école")
    _check(page, f"commitment record at {width}", names)
    page.goto(page.url.replace("lang=en", "lang=fr"))
    with page.expect_download() as download:
        page.get_by_role("link", name="charte-signee.pdf").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    # a file that is not a PDF is refused with a clear message, and the page still fits
    page.get_by_label(re.compile(r"Justificatif \(PDF\) \(n°")).set_input_files(
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just some text"}
    )
    page.get_by_role("button", name="Ajouter le justificatif").click()
    expect(page.get_by_role("alert")).to_contain_text("Un justificatif est un fichier PDF")
    assert not page.evaluate(TOO_WIDE)
    page.screenshot(path=str(ARTIFACTS / f"plan-commitment-{width}-{backend}.png"), full_page=True)

    page.goto(f"{server}/ui/schools/{SCHOOL}/training?lang=fr")
    form = page.locator("form", has=page.get_by_role("button", name="Enregistrer la formation"))
    form.get_by_label("Public", exact=True).select_option("staff")
    form.get_by_label("Code de la formation").fill("awareness")
    form.get_by_label("Intitulé").fill("Sensibilisation des personnels aux VSS")
    form.get_by_label("Formés", exact=True).fill("40")
    form.get_by_label("Effectif", exact=True).fill("120")
    form.get_by_role("button", name="Enregistrer la formation").click()
    expect(page.get_by_role("status")).to_contain_text("Enregistré.")
    page.get_by_label("Formés", exact=True).fill("55")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("tr[data-record]")).to_have_count(2)
    _check(page, f"training record at {width}", names)
    page.goto(f"{server}/ui/schools/{SCHOOL}/training")
    _check(page, f"training at {width}", names)
    context.close()


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_legal_staff_grant_a_waiver_and_change_a_parameter_in_the_pages(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    token: TokenFactory,
    db: Database,
    width: int,
    backend: str,
) -> None:
    names = _names(db)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, server, token("legal"))
    page.goto(f"{server}/ui/waivers?lang=fr")
    form = page.locator("form", has=page.get_by_role("button", name="Accorder la dérogation"))
    form.get_by_label("École").select_option(SCHOOL)
    form.get_by_label("Raison").fill("Charte votée, signature prévue au prochain conseil")
    form.get_by_label("Valable jusqu'au (exclu)").fill((utc_today() + timedelta(days=60)).isoformat())
    form.get_by_role("button", name="Accorder la dérogation").click()
    expect(page.get_by_role("status")).to_contain_text("Dérogation accordée.")
    expect(page.get_by_role("table").last).to_contain_text("Charte votée, signature prévue au prochain conseil")
    _check(page, f"waivers at {width}", names)
    page.screenshot(path=str(ARTIFACTS / f"plan-waivers-{width}-{backend}.png"), full_page=True)

    page.goto(f"{server}/ui/rules/parameters?lang=fr")
    form = page.locator("form", has=page.get_by_role("button", name="Enregistrer la valeur"))
    deadline = form.locator("option", has_text="deadline").first.get_attribute("value")
    form.get_by_label("Paramètre").select_option(deadline)
    form.get_by_label("Valeur", exact=True).fill("2027-06-30")
    form.get_by_label("Citation, texte ou explication").fill("Échéance reportée par le comité de pilotage")
    form.get_by_label("Raison", exact=True).fill("Décision du comité de pilotage du 1er décembre")
    form.get_by_role("button", name="Enregistrer la valeur").click()
    expect(page.get_by_role("status")).to_contain_text("Nouvelle valeur enregistrée.")
    expect(page.locator(f'tr[data-parameter="{deadline}"]')).to_contain_text("Décision du comité de pilotage")
    _check(page, f"rule parameters at {width}", names)
