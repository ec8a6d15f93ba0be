"""Accessible HTML of a stored .docx, with mammoth (pure: bytes in, text out; no database).

mammoth reads the document's structure, not its looks: govkit's styles map to HTML elements
(``Title`` → h1, ``Heading 1`` → h2, ``Heading 2`` → h3, bullet and numbered lists → ul and ol),
and it escapes every text it writes, so nothing in a document becomes markup. A style map
embedded in the .docx is ignored (only govkit's applies), hyperlinks keep only http(s), mailto
and tel targets, and images get an (empty if none) alternative text.

Clause content controls (``w:sdt`` tagged ``govkit:clause:<key>``) keep their text; the first
paragraph of each gets the id ``clause-<key>`` (``#clause-vss.reporting``), so that a page can
link to a clause. The page is complete and readable without its small style sheet: ``lang`` on
``html`` and on the article, a ``title``, a viewport, no width fixed anywhere (the text wraps at
320 px), and no script.

    page = docx_to_html(data, language="fr")    # the whole page
    article = fragment(page)                    # the <article> alone, to put in another page
"""

from __future__ import annotations

import base64
import html
import io
import re
import zipfile
from importlib.metadata import version
from typing import Any

import mammoth  # type: ignore[import-untyped]  # mammoth lacks types (no stubs, no py.typed)
import mammoth.html  # type: ignore[import-untyped]
from lxml import etree
from mammoth import documents, transforms

from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, read_entries, rezip, w
from govkit.documents.render import SAFE_PARSER

CONVERTER = "mammoth"
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Heading 1'] => h2:fresh
p[style-name='Heading 2'] => h3:fresh
p[style-name='Heading 3'] => h4:fresh
p[style-name='List Bullet'] => ul > li:fresh
p[style-name='List Bullet 2'] => ul|ol > li > ul > li:fresh
p[style-name='List Number'] => ol > li:fresh
p[style-name='List Number 2'] => ul|ol > li > ol > li:fresh
"""
CSS = (
    "body{margin:0;padding:1rem;font-family:system-ui,sans-serif;line-height:1.5;overflow-wrap:break-word}"
    "main{max-width:46rem;margin:0 auto}img{max-width:100%;height:auto}"
    "table{display:block;max-width:100%;overflow-x:auto}"
)
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_CLAUSES = etree.XPath("//w:sdt[w:sdtPr/w:tag[starts-with(@w:val, $prefix)]]", namespaces=NS)
_TAG = etree.XPath("string(w:sdtPr/w:tag/@w:val)", namespaces=NS)
_FIRST_PARAGRAPH = etree.XPath("(w:sdtContent//w:p)[1]", namespaces=NS)
_ANCHORED = re.compile(r'<(h[1-6]|p|li)><a id="(clause-[A-Za-z0-9_.-]+)"></a>')
_ARTICLE = re.compile(r"<article\b.*</article>", re.S)
_CORE_TITLE = etree.XPath("string(//dc:title)", namespaces=NS)


class HtmlConversionError(Exception):
    """The document could not be read as a .docx; the message says why."""


def mammoth_version() -> str:
    return f"mammoth {version('mammoth')}"


def docx_to_html(data: bytes, *, language: str, title: str | None = None) -> str:
    """The complete HTML page of a .docx in ``language`` (its ``lang``); ``title`` defaults to the
    document's own (its core properties), else its first heading."""
    try:
        marked = _mark_clauses(data)
        result = mammoth.convert_to_html(
            io.BytesIO(marked),
            style_map=STYLE_MAP,
            include_embedded_style_map=False,
            convert_image=_image,
            transform_document=transforms.element_of_type(documents.Hyperlink, _safe_link),
        )
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as exc:
        raise HtmlConversionError(f"not a readable .docx ({exc})") from exc
    body = _ANCHORED.sub(r'<\1 id="\2">', result.value)
    title = title or _core_title(data) or _first_heading(body) or "Document"
    lang = html.escape(language, quote=True)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<article class="govkit-document" lang="{lang}">\n{body}\n</article>\n</main>\n</body>\n</html>\n'
    )


def fragment(page: str) -> str:
    """The ``<article>`` of a page made by ``docx_to_html`` (no text of a document can close it:
    mammoth escapes ``<``)."""
    match = _ARTICLE.search(page)
    if match is None:
        raise ValueError("not a page made by govkit.documents.html_rendition")
    return match.group(0)


def _mark_clauses(data: bytes) -> bytes:
    """The .docx with a bookmark ``clause-<key>`` around the first paragraph of each clause
    (mammoth writes a bookmark as an anchor, which ``_ANCHORED`` turns into the element's id)."""
    entries = read_entries(data)
    marked = []
    for name, original in entries:
        content = original
        if name == "word/document.xml":
            root = etree.fromstring(content, SAFE_PARSER)
            for number, sdt in enumerate(_CLAUSES(root, prefix=CLAUSE_TAG_PREFIX), start=90000):
                paragraphs = _FIRST_PARAGRAPH(sdt)
                if not paragraphs:
                    continue
                key = str(_TAG(sdt))[len(CLAUSE_TAG_PREFIX) :]
                start, end = etree.Element(w("bookmarkStart")), etree.Element(w("bookmarkEnd"))
                start.set(w("id"), str(number))
                start.set(w("name"), f"clause-{key}")
                end.set(w("id"), str(number))
                paragraph = paragraphs[0]
                properties = paragraph.find(w("pPr"))
                paragraph.insert(0 if properties is None else 1, start)
                paragraph.append(end)
            content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        marked.append((name, content))
    return rezip(marked)


def _safe_link(link: documents.Hyperlink) -> Any:
    """A hyperlink to a web page, an address or a number stays; any other (``javascript:``, a
    file) becomes its text."""
    if link.anchor is not None or (link.href or "").strip().lower().startswith(SAFE_SCHEMES):
        return link
    return documents.run(children=link.children)


def _image(image: Any) -> list[Any]:
    """An image as a data: URI, with its alternative text (empty: decorative, when it has none)."""
    with image.open() as stream:
        encoded = base64.b64encode(stream.read()).decode("ascii")
    source = f"data:{image.content_type};base64,{encoded}"
    return [mammoth.html.element("img", {"src": source, "alt": image.alt_text or ""})]


def _core_title(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = etree.fromstring(archive.read("docProps/core.xml"), SAFE_PARSER)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    return str(_CORE_TITLE(root)).strip() or None


def _first_heading(body: str) -> str | None:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None
