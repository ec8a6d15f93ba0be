"""Build a root template .docx from its text source: deterministic, clauses in content controls."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from govkit.documents.kinds import Catalogue
from govkit.documents.markup import parse_inline
from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, read_entries, rezip
from govkit.documents.source import Clause, Paragraph, Source

FIXED_DATE = datetime(2021, 1, 1, tzinfo=UTC)
AUTHOR = "Institut Mines-Télécom — affaires juridiques"
LANG_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def _add_runs(paragraph: DocxParagraph, text: str) -> None:
    """One run per formatting of the paragraph's markup (govkit.documents.markup)."""
    runs = parse_inline(text)
    for run in runs:
        added = paragraph.add_run(run.text)  # python-docx writes newlines and tabs as w:br and w:tab
        if run.bold:
            added.bold = True
        if run.italic:
            added.italic = True
    if not runs:
        paragraph.add_run("")


def _page_number(paragraph: DocxParagraph) -> None:
    field: etree._Element = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run: etree._Element = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    container: etree._Element = paragraph._p  # a w:p takes any child element
    container.append(field)


def _content_control(key: str, title: str, sdt_id: int) -> tuple[etree._Element, etree._Element]:
    sdt: etree._Element = OxmlElement("w:sdt")
    properties: etree._Element = OxmlElement("w:sdtPr")
    alias = OxmlElement("w:alias")
    alias.set(qn("w:val"), title)
    tag = OxmlElement("w:tag")
    tag.set(qn("w:val"), CLAUSE_TAG_PREFIX + key)
    identifier = OxmlElement("w:id")
    identifier.set(qn("w:val"), str(sdt_id))
    lock = OxmlElement("w:lock")
    lock.set(qn("w:val"), "sdtLocked")
    for child in (alias, tag, identifier, lock):
        properties.append(child)
    content = OxmlElement("w:sdtContent")
    sdt.append(properties)
    sdt.append(content)
    return sdt, content


def _styles(document: DocxDocument, language: str) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10.5)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Liberation Sans")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANG_TAGS[language])
    r_pr.append(lang)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 20), ("Heading 1", 13), ("Heading 2", 11.5)):
        style = document.styles[name]
        style.font.name = "Liberation Sans"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)


def build_docx(source: Source, catalogue: Catalogue) -> bytes:
    """The Word template of ``source``; the same source always gives the same bytes."""
    spec = catalogue.kind(source.kind)
    declared = {p.key for p in spec.provision_places}
    for key in source.provisions:
        if key not in declared:  # raises, naming the declared places
            spec.provision_place(key)
    document = Document()
    _styles(document, source.language)
    properties = document.core_properties
    properties.title = source.title
    properties.subject = spec.title.get(source.language)
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.language = LANG_TAGS[source.language]
    properties.keywords = f"govkit; {source.kind}; {source.language}"
    properties.comments = "Trame générée par govkit à partir de sa source texte."
    properties.created = properties.modified = FIXED_DATE.replace(tzinfo=None)
    properties.revision = 1

    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = source.header
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.text = source.footer + " — "
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)

    body = document.element.body
    sdt_id = 1000

    style_ids = {name: document.styles[name].style_id for name in ("Title", "Heading 1", "Heading 2", "List Bullet")}

    def add(paragraph: Paragraph) -> DocxParagraph:
        added = document.add_paragraph()
        if paragraph.style in style_ids:  # set by id: python-docx's lookup by name is slow
            added._p.get_or_add_pPr().style = style_ids[paragraph.style]
        _add_runs(added, paragraph.text)
        return added

    for block in source.blocks:
        if isinstance(block, Paragraph):
            add(block)
            continue
        assert isinstance(block, Clause)
        sdt_id += 1
        sdt, content = _content_control(block.key, catalogue.clause_title(block.key, source.language), sdt_id)
        body.insert(len(body) - 1, sdt)  # before the final sectPr
        for paragraph in block.paragraphs:
            added = add(paragraph)
            content.append(added._p)  # moves the paragraph into the control
    buffer = io.BytesIO()
    document.save(buffer)
    entries = read_entries(buffer.getvalue())
    return rezip([(name, _strip_volatile(name, data)) for name, data in entries])


def _strip_volatile(name: str, data: bytes) -> bytes:
    """python-docx writes a few values that change from run to run; pin them."""
    if name == "docProps/core.xml":
        return re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2021-01-01T00:00:00Z<", data)
    return data
