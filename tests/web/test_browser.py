"""The pages in a real headless Chromium: a student reads and accepts; the school sees the rate move."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from govkit.app import create_app
from govkit.days import utc_today
from govkit.db import Database
from govkit.settings import Settings
from tests.ack_helpers import current, republish
from tests.conftest import TokenFactory
from tests.oidc_issuer import Issuer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("GOVKIT_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCHOOL = "imt-atlantique"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db: Database, settings: Settings) -> Iterator[str]:
    port = _free_port()
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), (
        "Chromium is required (Debian package chromium; scripts/test installs it)"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def sign_in(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/ui/")
    page.get_by_label("Jeton d'accès").fill(token)
    page.get_by_role("button", name="Se connecter").click()


def check_accessibility(page: Page, name: str) -> None:
    """axe-core, served from the local npm package, finds no WCAG 2.1 A/AA violation."""
    assert AXE.exists(), "axe-core is required: npm install --prefix tests/browser (scripts/test does it)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]]
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_a_student_reads_accepts_and_downloads_the_receipt(
    server: str, browser: Browser, token: TokenFactory, viewport: str, backend: str, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    sign_in(page, server, token("member", SCHOOL, "E00001"))
    expect(page.get_by_role("heading", name=re.compile("Mes documents"))).to_be_visible()
    check_accessibility(page, "member page")
    page.get_by_role("link", name=re.compile("Lire — Règlement intérieur")).click()
    expect(page.get_by_role("article")).to_contain_text("Article")
    wording = page.locator("#wording").inner_text()
    assert "reconnais avoir pris connaissance" in wording
    check_accessibility(page, "document page")
    page.screenshot(path=str(ARTIFACTS / f"member-document-{viewport}-{backend}.png"), full_page=False)
    page.keyboard.press("Tab")  # the button is reachable with the keyboard
    page.get_by_role("button", name="J'ai lu et j'accepte").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible()
    code = page.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    page.screenshot(path=str(ARTIFACTS / f"member-receipt-{viewport}-{backend}.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("attestation")).click()
    saved = tmp_path / "attestation.docx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    page.get_by_role("link", name="Mes documents").click()
    expect(page.get_by_role("table", name="Mes prises de connaissance")).to_contain_text(code)
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_the_school_administrator_sees_the_rate_move(
    server: str, browser: Browser, token: TokenFactory, backend: str, viewport: str
) -> None:
    admin = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    sign_in(admin, server, token("school_admin", SCHOOL))
    rate = admin.locator('.rate[data-campaign="internal"]')
    before = float(rate.inner_text().strip(" %"))
    check_accessibility(admin, "school dashboard")
    student = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
    sign_in(student, server, token("member", SCHOOL, "E00002"))
    student.get_by_role("link", name=re.compile("Lire — Règlement intérieur")).click()
    student.get_by_role("button", name="J'ai lu et j'accepte").click()
    expect(student.get_by_role("heading", name="Accusé de réception")).to_be_visible()
    admin.reload()
    after = float(admin.locator('.rate[data-campaign="internal"]').inner_text().strip(" %"))
    assert after > before
    admin.screenshot(path=str(ARTIFACTS / f"school-dashboard-{viewport}-{backend}.png"), full_page=True)
    admin.get_by_role("link", name="Personnes en attente").first.click()
    expect(admin.get_by_role("table", name="Personnes en attente")).to_be_visible()
    admin.get_by_label("Nom, courriel ou identifiant").fill("E00003")
    admin.get_by_role("button", name="Rechercher").click()
    expect(admin.get_by_role("table", name="Personnes en attente")).to_contain_text("E00003")


def test_a_forged_session_cookie_is_not_signed_in(server: str, browser: Browser) -> None:
    context = browser.new_context()
    context.add_cookies([{"name": "govkit_session", "value": "forged.token.value", "url": server + "/ui/"}])
    page = context.new_page()
    page.goto(f"{server}/ui/me")
    expect(page.get_by_label("Jeton d'accès")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_legal_staff_edit_a_clause_and_publish(
    server: str, browser: Browser, token: TokenFactory, backend: str, viewport: str
) -> None:
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    sign_in(page, server, token("legal"))
    expect(page.get_by_role("heading", name="Trames des règlements")).to_be_visible()
    check_accessibility(page, "template list")
    # on a phone a row is a card whose cells say their column (« Langue français »)
    page.get_by_role("row", name=re.compile(r"Règlement de scolarité .*fr")).get_by_role("link").click()
    page.get_by_role("link", name="Modifier Signalement", exact=True).click()
    text = page.get_by_label("Texte de la clause")
    check_accessibility(page, "clause editor")
    text.fill(text.input_value() + "\n\nLe service juridique répond à tout signalement sous huit jours.")
    page.get_by_role("button", name=re.compile("Enregistrer un brouillon")).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("enregistrée en brouillon")
    number = re.search(r"Version (\d+)", status.inner_text()).group(1)
    page.get_by_label("Note de version").fill("Délai de réponse aux signalements précisé")
    page.get_by_role("button", name=f"Publier la version {number}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Version {number} publiée")
    expect(page.locator(f".status-{number}")).to_have_text("publiée")
    page.screenshot(path=str(ARTIFACTS / f"editor-published-{viewport}-{backend}.png"), full_page=True)
    page.get_by_role("link", name="Différences").first.click()
    expect(page.locator("pre").first).to_contain_text(
        "+Le service juridique répond à tout signalement sous huit jours."
    )


def test_legal_staff_upload_a_hostile_file_and_preview_a_variant(
    server: str, browser: Browser, token: TokenFactory, tmp_path: Path
) -> None:
    from tests.docx_factory import minimal_docx

    page = browser.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True).new_page()
    sign_in(page, server, token("legal"))
    page.goto(f"{server}/ui/templates/internal/fr")
    hostile = tmp_path / "hostile.docx"
    hostile.write_bytes(minimal_docx(body="{{ cycler.__init__.__globals__ }}", extra_clause="vss.inquiry"))
    page.get_by_label("Téléverser une nouvelle version (.docx)").set_input_files(str(hostile))
    page.get_by_role("button", name="Valider et enregistrer").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("private attribute")
    expect(alert).to_contain_text("word/document.xml ¶")
    page.goto(f"{server}/ui/templates/internal/fr")  # the page itself offers every school for a preview
    rollout = page.get_by_role("region", name="Comment les écoles reçoivent une version publiée")
    for step in ("publishRootVersion", "Publications", "putReviewInForce"):
        expect(rollout).to_contain_text(step)
    page.get_by_label(re.compile("Aperçu pour une école")).select_option("mines-saint-etienne")
    page.get_by_role("button", name="Afficher l'aperçu").click()
    expect(page.get_by_role("article")).to_contain_text("Mines Saint-Étienne")
    check_accessibility(page, "variant preview")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (.docx)").click()
    saved = tmp_path / "preview.docx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"


def test_a_student_signs_in_through_the_school_identity_provider(
    db: Database, browser: Browser, issuer: Issuer
) -> None:
    from tests.conftest import make_settings

    settings = make_settings(
        oidc_issuer=issuer.url,
        oidc_audience="govkit-intranet",
        oidc_school_claim="school",
        oidc_client_id="govkit-pages",
        oidc_client_secret="s3cret",
    )
    port = _free_port()
    running = uvicorn.Server(
        uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if running.started:
                break
            time.sleep(0.05)
        page = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
        page.goto(f"http://127.0.0.1:{port}/ui/")
        page.get_by_role("link", name="Se connecter avec le compte de son école").click()
        expect(page.get_by_role("heading", name=re.compile("Mes documents"))).to_be_visible()
        expect(page.get_by_role("navigation", name="Session")).to_contain_text("IMT Atlantique")
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def _fits(page: Page) -> None:
    """Nothing wider than the screen: the page never scrolls sideways (the elements that do are named;
    not those a clipping ancestor that fits hides, such as a table's header row kept for screen readers)."""
    wider = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const clipped = (e) => {
            for (let a = e.parentElement; a; a = a.parentElement) {
                const style = getComputedStyle(a);
                if ((style.overflowX !== 'visible' || style.clipPath !== 'none')
                    && a.getBoundingClientRect().right <= width + 1) return true;
            }
            return false;
        };
        return [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
            .filter(e => !e.parentElement.closest('main *') || e.parentElement.getBoundingClientRect().right <= width + 1)
            .map(e => `${e.tagName.toLowerCase()} ${(e.querySelector('caption, th') || e).textContent.trim().slice(0, 40)}`);
    }""")
    assert not wider, wider


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_the_dashboard_and_the_template_editor_show_history_on_a_picked_date(
    server: str, browser: Browser, token: TokenFactory, db: Database, viewport: str, backend: str
) -> None:
    first = current(db, SCHOOL)
    starts = max(utc_today(), first.effective_from) + timedelta(days=30)
    second = republish(db, SCHOOL, effective_from=starts)
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    sign_in(page, server, token("school_admin", SCHOOL))
    history = page.locator('details[data-kind="internal"][data-language="fr"]')
    expect(history).to_contain_text(f"version {first.number} en vigueur au {utc_today():%d/%m/%Y}")
    page.get_by_label("À la date du").fill(starts.isoformat())
    page.get_by_role("button", name="Afficher", exact=True).click()
    expect(page.get_by_role("heading", name=f"Documents en vigueur au {starts:%d/%m/%Y}")).to_be_visible()
    expect(history).to_contain_text(f"version {second.number} en vigueur au {starts:%d/%m/%Y}")
    expect(history.get_by_role("table")).to_contain_text(f"à partir du {starts:%d/%m/%Y}")
    check_accessibility(page, "school dashboard on a date")
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / f"school-history-{viewport}-{backend}.png"), full_page=True)

    page.goto(f"{server}/ui/templates/internal/fr?lang=en")
    table = page.get_by_role("table", name=re.compile("in force on"))
    expect(table.get_by_role("row", name=re.compile("IMT Atlantique"))).to_contain_text(f"{first.number}")
    page.get_by_label("As of").fill(starts.isoformat())
    page.get_by_role("button", name="Show", exact=True).click()
    expect(table.get_by_role("row", name=re.compile("IMT Atlantique"))).to_contain_text(f"from {starts:%d/%m/%Y}")
    check_accessibility(page, "template editor on a date")
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / f"editor-history-{viewport}-{backend}.png"), full_page=True)


def test_the_member_page_shows_the_versions_acknowledged_before(
    server: str, browser: Browser, token: TokenFactory, db: Database
) -> None:
    page = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
    sign_in(page, server, token("member", SCHOOL, "E00004"))
    page.get_by_role("link", name=re.compile("Lire — Règlement intérieur")).click()
    page.get_by_role("button", name="J'ai lu et j'accepte").click()
    code = page.locator("#code").inner_text()
    republish(db, SCHOOL)  # a substantive change: the version accepted is now an earlier one
    page.get_by_role("link", name="Mes documents").click()
    acknowledged = page.get_by_role("table", name="Mes prises de connaissance — Règlement intérieur (fr)")
    expect(acknowledged).to_contain_text(code)
    expect(acknowledged).to_contain_text("version antérieure")
    check_accessibility(page, "member page with earlier versions")
    _fits(page)
