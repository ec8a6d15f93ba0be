"""Every page, in a real Chromium, on a phone (360 px) and a desktop (1280 px), in French and English:
nothing wider than the screen, no raw code or message of the other language, no axe-core violation.

The pages are a list of (role, address) built from the demo (``PAGES``): a new page is one more line.
One demo server per backend for the whole module, one browser for it (tests/web/test_browser.py);
each (role, width) has one browser context, signed in once with the session cookie.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext
from sqlalchemy.engine import Engine
from sqlmodel import select

from govkit.access.roles import SYSTEM, Role
from govkit.acknowledgements.models import Campaign, Person
from govkit.app import create_app
from govkit.auth import sign_in_links
from govkit.auth.service import create_token
from govkit.composition import render_pool
from govkit.db import Database
from govkit.documents import service as documents
from govkit.labels import LABELS
from govkit.models import Organisation
from govkit.settings import Settings
from govkit.web.i18n import TEXTS
from govkit.web.i18n.errors import BY_CODE, MESSAGES
from tests.conftest import BACKENDS, make_settings
from tests.docx_factory import tracked_docx
from tests.web.test_browser import _free_port, browser, check_accessibility  # noqa: F401 - the browser fixture

SCHOOL = "imt-atlantique"
MEMBER = "E00001"
WIDTHS = (360, 1280)
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class PageCase:
    """A page to visit: who visits it, its address (``{name}``: a value of the demo, see ``Site``),
    the HTTP status it answers, and whether it speaks the visitor's language or its own (a sign-in
    link speaks the language of the person it was sent to)."""

    role: str  # a Role's value, or "anonymous"
    path: str
    status: int = 200
    own_language: bool = False

    @property
    def id(self) -> str:
        return f"{self.role}:{self.path}"


#: Every page of govkit. Add a page here (with the demo values it needs in ``Site.values``).
PAGES: list[PageCase] = [
    # signing in
    PageCase("anonymous", "/ui/"),
    PageCase("anonymous", "/ui/me", status=401),
    PageCase("anonymous", "/ui/signin/link/{link}", own_language=True),
    PageCase("anonymous", "/ui/signin/link/not-a-link", status=404),
    # the member
    PageCase("member", "/ui/me"),
    PageCase("member", "/ui/me/documents/{document}"),
    PageCase("member", "/ui/me/documents/{translation}"),
    PageCase("member", "/ui/me/documents/{document}/pdf", status=503),  # no PDF/A made in the tests
    PageCase("member", "/ui/me/receipts/{receipt}"),
    PageCase("member", "/ui/me/documents/999999", status=404),
    PageCase("member", "/ui/schools/{school}/campaigns/{campaign}", status=403),
    # the school's administration
    PageCase("school_admin", "/ui/schools"),
    PageCase("school_admin", "/ui/schools/{school}"),
    PageCase("school_admin", "/ui/schools/{school}?as_of=2026-01-15"),
    PageCase("school_admin", "/ui/schools/{school}?as_of=not-a-date", status=400),
    PageCase("school_admin", "/ui/schools/{school}/campaigns/{campaign}"),
    PageCase("school_admin", "/ui/schools/{school}/campaigns/{campaign}?q=E0000"),
    PageCase("school_admin", "/ui/schools/{school}/campaigns/{empty_campaign}"),
    PageCase("school_admin", "/ui/schools/{school}/campaigns/{campaign}?after=bogus", status=400),
    PageCase("school_admin", "/ui/schools/{school}/campaigns/99999", status=403),
    PageCase("school_admin", "/ui/templates"),
    # legal staff
    PageCase("legal", "/ui/templates"),
    PageCase("legal", "/ui/templates/internal/fr"),
    PageCase("legal", "/ui/templates/internal/fr?saved=1"),
    PageCase("legal", "/ui/templates/internal/en?as_of=2026-01-15"),
    PageCase("legal", "/ui/templates/internal/fr/clauses/vss.reporting"),
    PageCase("legal", "/ui/templates/internal/fr/reviews/{review}"),
    PageCase("legal", "/ui/templates/internal/fr/reviews/999999", status=404),
    PageCase("school_admin", "/ui/templates/internal/fr/reviews/{review}"),
    PageCase("legal", "/ui/templates/versions/{root_version}/preview?school={school}"),
    PageCase("legal", "/ui/templates/diff?from={root_version}&to={root_version}"),
    PageCase("legal", "/ui/templates/diff?from=x&to=y", status=400),
    PageCase("legal", "/ui/clauses"),
    PageCase("legal", "/ui/clauses?as_of=2026-01-15&done=requested"),
    PageCase("legal", "/ui/clauses?as_of=bogus", status=400),
    PageCase("school_admin", "/ui/clauses"),
    PageCase("legal", "/ui/jobs"),
    PageCase("legal", "/ui/jobs?status=failed"),
    PageCase("legal", "/ui/jobs?status=bogus", status=400),
    PageCase("legal", "/ui/dev/outbox"),
    PageCase("legal", "/ui/schools/{school}/campaigns/99999", status=404),
    PageCase("legal", "/ui/reviews"),
    PageCase("legal", "/ui/reviews/999999", status=404),
    PageCase("auditor", "/ui/reviews"),
    PageCase("auditor", "/ui/schools/telecom-paris"),
    # the plan's records (issue 19; the pages of real records: tests/web/test_plan_records_browser.py)
    PageCase("school_admin", "/ui/schools/{school}/commitments"),
    PageCase("school_admin", "/ui/schools/{school}/commitments/999999", status=404),
    PageCase("school_admin", "/ui/schools/{school}/training"),
    PageCase("school_admin", "/ui/schools/{school}/training/survey/999999", status=404),
    PageCase("member", "/ui/schools/{school}/commitments", status=403),
    PageCase("legal", "/ui/waivers"),
    PageCase("legal", "/ui/rules/parameters"),
    PageCase("auditor", "/ui/waivers"),
    # local provisions (the school's administration proposes, legal staff review)
    PageCase("school_admin", "/ui/schools/{school}/provisions"),
    PageCase("school_admin", "/ui/schools/telecom-paris/provisions", status=403),
    PageCase("school_admin", "/ui/provisions", status=403),
    PageCase("legal", "/ui/provisions"),
    PageCase("legal", "/ui/schools/{school}/provisions"),
    # the clause search (govkit.web.search_page)
    PageCase("legal", "/ui/search"),
    PageCase("legal", "/ui/search?q=cellule+d%27%C3%A9coute&versions=all"),
    PageCase("legal", "/ui/search?q=%22%22", status=400),
    PageCase("legal", "/ui/search/documents/{document}"),
    PageCase("legal", "/ui/search/roots/{root_version}"),
    PageCase("school_admin", "/ui/search?q=listening+cell&language=en"),
    PageCase("member", "/ui/search?q=cellule"),
    # the public documents (no token)
    PageCase("anonymous", "/public/{school}"),
    PageCase("anonymous", "/public/{school}/internal.fr.html", own_language=True),
    PageCase("anonymous", "/public/{school}/internal.en.html", own_language=True),
    # the register of processing (govkit.web.privacy_page: no token)
    PageCase("anonymous", "/privacy"),
    PageCase("member", "/privacy"),
    # one's own data and correction requests (issue 20, part 4)
    PageCase("member", "/ui/me/data"),
    PageCase("member", "/ui/me/data?done=requested"),
    PageCase("anonymous", "/ui/me/data", status=401),
    PageCase("school_admin", "/ui/me/data", status=403),
    PageCase("school_admin", "/ui/corrections"),
    PageCase("school_admin", "/ui/corrections?done=done"),
    PageCase("school_admin", "/ui/corrections?show=all"),
    PageCase("legal", "/ui/corrections?show=refused&lang=en"),
    PageCase("legal", "/ui/corrections"),
    PageCase("member", "/ui/corrections", status=403),
    # legal holds (issue 20): legal staff suspend the erasure of named persons
    PageCase("legal", "/ui/legal-holds"),
    PageCase("legal", "/ui/legal-holds?done=placed"),
    PageCase("school_admin", "/ui/legal-holds", status=403),
    # minimal exposure (issue 20): an intranet sees the pending persons without names; the member's page
    # lists who read their data (a school administration read their receipt: _demo_values)
    PageCase("intranet", "/ui/schools/{school}/campaigns/{campaign}"),
]


@dataclass
class Site:
    """The demo served for the module: its address, a session token per role, the demo's values."""

    base: str
    tokens: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    contexts: dict[tuple[str, int], BrowserContext] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # the words of the organisations' names

    def address(self, case: PageCase, language: str) -> str:
        path = case.path.format(**self.values)
        return f"{self.base}{path}{'&' if '?' in path else '?'}lang={language}"


def _demo_values(db: Database, base: str, settings: Settings, tokens: dict[str, str]) -> dict[str, Any]:
    """The ids and codes the pages need, read from the demo (and a receipt made for the member)."""
    in_force = documents.published_documents(db=db, actor=SYSTEM, school=SCHOOL)
    document = next(d for _o, d in in_force if d.kind == "internal" and d.language == "fr")
    translation = next(d for _o, d in in_force if d.kind == "internal" and d.language == "en")
    member = {"Authorization": f"Bearer {tokens['member']}"}
    # downloaded with their token first (delivered: proof of display), then accepted
    assert httpx.get(f"{base}/documents/{document.sha256}", headers=member, timeout=30).status_code == 200
    answer = httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation($id: ID!, $sha: String!) "
            "{ acknowledge(documentVersionId: $id, documentSha256: $sha) { verificationCode } }",
            "variables": {"id": str(document.id), "sha": document.sha256},
        },
        headers=member,
        timeout=30,
    ).json()
    assert not answer.get("errors"), answer
    receipt = answer["data"]["acknowledge"]["verificationCode"]
    read = httpx.post(  # a read of the member's data by staff, listed on their page /ui/me
        f"{base}/graphql",
        json={"query": f'{{ receipt(code: "{receipt}") {{ personExternalId }} }}'},
        headers={"Authorization": f"Bearer {tokens['school_admin']}"},
        timeout=30,
    ).json()
    assert not read.get("errors"), read
    review = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=render_pool(settings),
        kind="internal",
        language="fr",
        filename="trame-relue.docx",
        data=tracked_docx(),
        max_bytes=settings.upload_max_bytes,
    ).review  # an upload with tracked changes, for its review page
    assert review is not None
    root = documents.list_root_templates(db=db, actor=SYSTEM, kind="internal")
    root_version = next(v for t, v in root if t.language == "fr")[0]
    with db.transaction() as session:
        school = session.exec(select(Organisation).where(Organisation.code == SCHOOL)).one()
        campaigns = {c.kind: c for c in session.exec(select(Campaign).where(Campaign.organisation_id == school.id))}
        person = session.exec(
            select(Person).where(Person.organisation_id == school.id, Person.external_id == "E00002")
        ).one()
        names = {w.casefold() for o in session.exec(select(Organisation)) for w in WORD.findall(o.name)}
        link = sign_in_links.issue(
            session, person_id=person.id, campaign_id=campaigns["internal"].id, settings=settings
        )
    # an open correction request of the member, for the pages of one's own data (issue 20, part 4)
    asked = httpx.post(
        f"{base}/graphql",
        json={
            "query": 'mutation { requestCorrection(section: "identity_and_contact", field: "Nom", '
            'requestedText: "Dupont-Exemple") { id } }'
        },
        headers=member,
        timeout=30,
    ).json()
    assert not asked.get("errors"), asked
    return {
        "school": SCHOOL,
        "document": document.id,
        "translation": translation.id,
        "receipt": receipt,
        "campaign": campaigns["internal"].id,
        "empty_campaign": campaigns["housing"].id,  # no resident in the demo: no one concerned
        "root_version": root_version.id,
        "review": review.id,
        "link": link.rsplit("/", 1)[1],
        "names": names,
    }


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    engines: dict[str, Engine],
    browser: Browser,  # noqa: F811 - closed after the site's contexts
) -> Iterator[Site]:
    """The demo of one backend, served by one uvicorn for the module, rolled back at the end."""
    connection = engines[request.param].connect()
    transaction = connection.begin()
    db = Database(connection)
    settings = make_settings()
    port = _free_port()
    tokens = {
        role.value: create_token(
            db=db,
            settings=settings,
            role=role,
            school_code=SCHOOL if role in (Role.SCHOOL_ADMIN, Role.MEMBER, Role.INTRANET) else None,
            person_external_id=MEMBER if role is Role.MEMBER else None,
        )[0]
        for role in Role
    }
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    site = Site(f"http://127.0.0.1:{port}", tokens)
    try:
        site.values = _demo_values(db, site.base, settings, tokens)
        site.names = site.values.pop("names")
        yield site
    finally:
        for context in site.contexts.values():
            context.close()
        server.should_exit = True
        thread.join(timeout=10)
        with db.exclusive():
            transaction.rollback()
            connection.close()


def _context(site: Site, browser: Browser, role: str, width: int) -> BrowserContext:  # noqa: F811
    """The browser context of ``role`` at ``width``, signed in with its session cookie (once)."""
    key = (role, width)
    if key not in site.contexts:
        # bypass_csp: axe-core is injected into pages whose policy allows no script (the public ones)
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        if role != "anonymous":
            context.add_cookies([{"name": "govkit_session", "value": site.tokens[role], "url": f"{site.base}/ui/"}])
        site.contexts[key] = context
    return site.contexts[key]


# --- what a page must not show -------------------------------------------------------------------

#: A code: lower-case words joined by "_" (doctoral_student, carried_forward, school_admin...).
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")


def _codes_said_otherwise(language: str) -> set[str]:
    """The codes of the vocabularies whose word in ``language`` is not the code itself."""
    return {
        code
        for kind, words in LABELS.items()
        # « (fr) » after a title says the document's language; the channels of a delivery are words
        # of both languages (« page », « PDF », « .docx », « intranet »)
        if kind not in ("language", "shown_via")
        for code, said in words.items()
        if said[language].casefold() != code.casefold() and code.isalpha() and len(code) > 2
    }


def _messages(language: str) -> set[str]:
    """The whole sentences of the interface and of the errors in ``language`` that differ in the other."""
    other = "en" if language == "fr" else "fr"
    found = set()
    for table in (TEXTS, MESSAGES, BY_CODE):
        for entry in table.values():
            text = entry[language]
            if text != entry[other] and len(text) >= 12 and "{" not in text:
                found.add(text)
    return found


#: English the services say (the API's messages), which a French page must never show.
ENGLISH_MESSAGES = _messages("en") | {
    "No campaign",
    "Invalid cursor",
    "may not",
    "not recognised",
    "No organisation",
    "No document",
    "is not in force",
    "Sign in",
    "The token",
    "No such page",
}
FRENCH_MESSAGES = _messages("fr")
#: On a French page, a code that English would say as is (the word of an English page is often the
#: code itself: "staff", "electronic"): only the codes joined by "_" are checked on English pages.
#: Codes that are French words too, said as such in French text (« Correction : l'enregistrement
#: précédent était erroné »): the notice kind ``correction`` is « demande de rectification ».
FRENCH_WORDS_TOO = frozenset({"correction"})
CODES_IN_FRENCH = _codes_said_otherwise("fr") - FRENCH_WORDS_TOO

#: The text a person reads: not <code>/<pre>, not what is in another language (lang="..."), not a
#: document or message shown in a page (<article>, in its own language and words), not hidden.
VISIBLE_TEXT = """(language) => {
  const skip = (e) => e.closest('code, pre, script, style, textarea, main article, [hidden]')
      || (e.closest('[lang]') && e.closest('[lang]').getAttribute('lang') !== language);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || skip(parent)) continue;
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    parts.push(node.textContent);
  }
  for (const e of document.querySelectorAll('[aria-label], [title], input[placeholder]')) {
    if (!skip(e)) parts.push(e.getAttribute('aria-label') || e.getAttribute('title') || e.getAttribute('placeholder'));
  }
  for (const e of document.querySelectorAll('option, [data-label]')) {
    if (!skip(e)) parts.push(e.getAttribute('data-label') || e.textContent);
  }
  return parts.join(' ').replace(/\\s+/g, ' ');
}"""

#: The elements wider than the screen, or scrolling sideways within it (none of them hidden by a
#: clipping ancestor that fits, such as the header row kept for screen readers).
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (e) => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if ((style.overflowX === 'hidden' || style.overflowX === 'clip' || style.clipPath !== 'none')
          && a.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const named = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className || ''} `
      + `«${(e.textContent || '').trim().slice(0, 50)}»`;
  const wide = [...document.body.querySelectorAll('*')]
      .filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
      .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 1)
      .map(named);
  const scrolling = [...document.body.querySelectorAll('*')]
      .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
      .map(e => 'scrolls sideways: ' + named(e));
  const page = document.documentElement.scrollWidth > width ? [`page ${document.documentElement.scrollWidth} > ${width}`] : [];
  return [...page, ...wide, ...scrolling];
}"""


def _untranslated(text: str, language: str, names: set[str]) -> list[str]:
    """Raw codes, and words or sentences of the other language, in a page's text (``names``: the words
    of proper names, such as « Business School », which are no code)."""
    found = sorted(set(CODE.findall(text)))
    if language == "fr":
        words = {w.casefold() for w in WORD.findall(text)} - names
        found += sorted(code for code in CODES_IN_FRENCH if code in words)
    for message in ENGLISH_MESSAGES if language == "fr" else FRENCH_MESSAGES:
        if message in text:
            found.append(message)
    return found


@pytest.mark.parametrize("case", PAGES, ids=[p.id for p in PAGES])
def test_every_page_fits_a_phone_and_speaks_one_language(
    site: Site,
    browser: Browser,  # noqa: F811
    case: PageCase,
) -> None:
    problems: list[str] = []
    for width in WIDTHS:
        page = _context(site, browser, case.role, width).new_page()
        try:
            for language in LANGUAGES:
                answer = page.goto(site.address(case, language))
                assert answer is not None
                where = f"{case.id} at {width} px in {language}"
                if answer.status != case.status:
                    problems.append(f"{where}: HTTP {answer.status}, expected {case.status}")
                said = page.evaluate("() => document.documentElement.lang")
                if not case.own_language and said != language:
                    problems.append(f"{where}: <html lang={said!r}>")
                wide = page.evaluate(TOO_WIDE)
                if wide:
                    problems.append(f"{where}: wider than the screen: {wide[:5]}")
                untranslated = _untranslated(page.evaluate(VISIBLE_TEXT, said), said, site.names)
                if untranslated:
                    problems.append(f"{where}: not in {said}: {untranslated[:10]}")
                if (width, language) in ((360, "fr"), (1280, "en")):
                    try:
                        check_accessibility(page, where)
                    except AssertionError as exc:
                        problems.append(str(exc))
        finally:
            page.close()
    assert not problems, "\n".join(problems)


def test_every_page_is_in_the_list() -> None:
    """Each GET page of the application is visited above (an address pattern of PAGES matches it)."""
    from govkit.web.routers import PAGES as ROUTERS
    from govkit.web.routers import PAGES_PREFIX

    downloads = {
        "/ui/files/{sha256}",
        "/ui/schools/{code}/commitments/files/{sha256}",
        "/ui/receipts/{code}.docx",
        "/ui/receipts/{code}.pdf",
        "/ui/signin/oidc",
        "/ui/signin/oidc/callback",
        "/ui/me/data.json",  # one's own data, an attachment (tests/privacy/test_own_data.py)
        "/ui/me/data.pdf",
    }
    visited = {re.sub(r"\{[^}]+\}", "x", re.sub(r"\?.*", "", p.path)) for p in PAGES}
    missing = []
    for router in ROUTERS:
        for route in router.routes:
            methods = getattr(route, "methods", set())
            path = PAGES_PREFIX + route.path  # type: ignore[attr-defined]
            if "GET" not in methods or path in downloads or path.endswith((".csv", ".{extension}")):
                continue
            pattern = re.compile(
                "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(path).replace("\\{", "{").replace("\\}", "}")) + "$"
            )
            if not any(pattern.match(example) for example in visited):
                missing.append(path)
    assert not missing, f"pages not visited by test_every_page_fits_a_phone_and_speaks_one_language: {missing}"
