"""The HTML renditions: a document's text stays text (no markup, no script, no unsafe link), and
every kind of demo document, in both languages, reads at 320 px in Chromium without sideways
scrolling and passes axe-core (WCAG 2.1 A/AA and axe's best practices)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, sync_playwright

from govkit.db import Database
from govkit.documents.html_rendition import docx_to_html, fragment
from govkit.documents.renditions import html_of
from tests.documents.conftest import ConvertedDemo
from tests.docx_factory import entry, minimal_docx, mutate
from tests.web.test_browser import AXE, CHROMIUM, FLAGS

HOSTILE = '<script>alert(1)</script> & <b>gras</b> "cité" <img src=x onerror=alert(2)>'
RELATIONSHIP = (
    b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
    b' Target="javascript:alert(3)" TargetMode="External"/>'
    b'<Relationship Id="rIdGood" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
    b' Target="https://www.imt.fr/egalite" TargetMode="External"/></Relationships>'
)
LINKS = (
    '<w:p><w:hyperlink r:id="rIdEvil"><w:r><w:t>cliquez ici</w:t></w:r></w:hyperlink>'
    '<w:hyperlink r:id="rIdGood"><w:r><w:t>page égalité</w:t></w:r></w:hyperlink></w:p><w:sectPr'
).encode()


def _with_links(data: bytes) -> bytes:
    body = entry(data, "word/document.xml")
    if b"xmlns:r=" not in body:
        body = body.replace(
            b"<w:document ",
            b'<w:document xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ',
            1,
        )
    rels = entry(data, "word/_rels/document.xml.rels").replace(b"</Relationships>", RELATIONSHIP)
    return mutate(
        data,
        replace={"word/document.xml": body.replace(b"<w:sectPr", LINKS, 1), "word/_rels/document.xml.rels": rels},
    )


def test_the_text_of_a_document_stays_text_and_only_safe_links_stay() -> None:
    data = _with_links(minimal_docx(body=HOSTILE, extra_clause="vss.reporting"))
    page = docx_to_html(data, language="fr")
    article = fragment(page)
    assert "<script" not in page and "<img" not in page  # their text is shown, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;" in article
    assert "&lt;img src=x onerror=alert(2)&gt;" in article
    assert "javascript:" not in page and "cliquez ici" in article  # the link's text, without the link
    assert '<a href="https://www.imt.fr/egalite">page égalité</a>' in article
    assert re.search(r'<h2 id="clause-vss\.reporting">vss\.reporting</h2>', article)
    assert "{{ school.short_name }}" in article  # a template's tags are text too
    assert set(re.findall(r"<([a-z0-9]+)", article)) <= {"article", "h1", "h2", "p", "a", "strong"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), "Chromium is required (scripts/test installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def _one_of_each_kind(demo: ConvertedDemo) -> list[tuple[str, str, str, str]]:
    """(school, kind, language, sha256): each kind in each language, from another school in turn."""
    with demo.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT o.code, d.kind, d.language, d.sha256 FROM document_version d "
                "JOIN organisation o ON o.id = d.organisation_id ORDER BY d.kind, d.language, o.code"
            )
        ).all()
    schools = cycle(sorted({r[0] for r in rows}))
    by_key = {(r[1], r[2], r[0]): r[3] for r in rows}
    chosen = []
    for kind, language in dict.fromkeys((r[1], r[2]) for r in rows):
        school = next(schools)
        chosen.append((school, kind, language, by_key[(kind, language, school)]))
    return chosen


def test_every_kind_reads_at_320_px_and_passes_axe(converted_demo: ConvertedDemo, browser: Browser) -> None:
    assert AXE.exists(), "axe-core is required: npm install --prefix tests/browser (scripts/test does it)"
    db = Database(converted_demo.engine)
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=True)
    page = context.new_page()
    chosen = _one_of_each_kind(converted_demo)
    assert len(chosen) == 18
    for school, kind, language, sha256 in chosen:
        name = f"{school} {kind}.{language}"
        html = html_of(db, sha256=sha256, language=language)
        page.set_content(html)
        assert page.evaluate("document.documentElement.lang") == language, name
        assert page.title(), name
        assert page.locator("h1").count() == 1 and page.locator("h2").count() >= 1, name
        assert page.locator("script").count() == 0, name
        wide = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide[0] <= wide[1] == 320, (name, wide)  # no sideways scrolling
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
        problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]]
        assert not problems, (name, problems)
    context.close()
