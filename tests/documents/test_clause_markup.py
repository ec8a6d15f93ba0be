"""The clause markup round-trips: markup → .docx → markup is the identity on well-formed markup, and
.docx → markup → .docx keeps every run's text, bold and italics (properties, bounded examples)."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from govkit.documents.edit import clause_source, replace_clause
from govkit.documents.inspect import read_clauses
from govkit.documents.markup import (
    TAG,
    Block,
    Run,
    format_blocks,
    format_inline,
    parse_blocks,
    parse_inline,
    read_block,
    trim,
    write_block,
)
from govkit.documents.ooxml import CLAUSE_TAG_PREFIX, NS, read_entries, rezip
from govkit.errors import InvalidInput
from tests.docx_factory import minimal_docx as build_minimal

KEY = "vss.reporting"
TEXTS = st.text(alphabet="ab é*\\{}%#-:_\n\t", min_size=1, max_size=12) | st.sampled_from(
    ["{{ school.short_name }}", "{% if school.director.name %}", "{% endif %}", "{{ a * 2 }}", "**", "- ", "## "]
)
RUNS = st.lists(st.builds(Run, TEXTS, st.booleans(), st.booleans()), min_size=1, max_size=6)
STYLES = st.sampled_from(["Normal", "Normal", "Heading 1", "Heading 2", "List Bullet"])
BLOCKS = st.lists(
    st.builds(Block, STYLES, RUNS.map(tuple))
    | st.sampled_from(["{%p if school.listening_cell.description %}", "{%p endif %}"]).map(
        lambda t: Block("Tag", (Run(t),))
    ),
    min_size=1,
    max_size=6,
)


@functools.cache
def minimal_docx() -> bytes:
    return build_minimal()


EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clause_runs(data: bytes, key: str = KEY) -> list[tuple[str, tuple[tuple[str, bool, bool], ...]]]:
    """Each paragraph of a clause: its style and its characters' runs (text, bold, italic)."""
    root = etree.fromstring(dict(read_entries(data))["word/document.xml"])
    content = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val=$tag]/w:sdtContent", tag=CLAUSE_TAG_PREFIX + key, namespaces=NS)[
        0
    ]
    blocks = [read_block(p) for p in content.iterfind("w:p", NS)]
    return [(b.style, tuple((r.text, r.bold, r.italic) for r in b.runs)) for b in blocks]


@EXAMPLES
@given(BLOCKS)
def test_markup_to_docx_to_markup_is_the_identity_on_well_formed_markup(blocks: list[Block]) -> None:
    markup = format_blocks(blocks)
    assert format_blocks(parse_blocks(markup)) == markup
    if not any(b.style != "Tag" for b in parse_blocks(markup)):
        return
    edited = replace_clause(minimal_docx(), KEY, markup)
    assert clause_source(edited, KEY) == markup


@EXAMPLES
@given(BLOCKS)
def test_docx_to_markup_to_docx_keeps_the_runs_formatting(blocks: list[Block]) -> None:
    """Paragraphs written as Word runs, read back as markup and written again: the same runs."""
    kept = [Block(b.style, trim(b.runs)) for b in blocks if b.style == "Tag" or trim(b.runs)]
    if not any(b.style != "Tag" for b in kept):
        return
    first = replace_clause(minimal_docx(), KEY, format_blocks(kept))
    again = replace_clause(minimal_docx(), KEY, clause_source(first, KEY))
    assert clause_runs(again) == clause_runs(first)
    for paragraph in (write_block(b) for b in kept if b.style != "Tag"):  # runs as Word holds them
        assert read_block(paragraph) == read_block(write_block(read_block(paragraph)))


@given(RUNS)
@EXAMPLES
def test_inline_markup_round_trips_with_tags_untouched(runs: list[Run]) -> None:
    markup = format_inline(runs)
    assert format_inline(parse_inline(markup)) == markup
    assert "".join(r.text for r in parse_inline(markup)) == "".join(r.text for r in runs)


def test_a_bold_word_italics_and_bullets_are_word_runs() -> None:
    markup = (
        "## Article 7 — Signalement\n"
        "Tout signalement est **confidentiel** et *traité* sous huit jours par {{ school.short_name }}.\n\n"
        "- un **premier** point\n- un second point\n"
        "{%p if school.reporting_channel.url %}\n"
        "La plateforme : {{ school.reporting_channel.url }}\n"
        "{%p endif %}"
    )
    edited = replace_clause(minimal_docx(), KEY, markup)
    runs = clause_runs(edited)
    assert runs[0] == ("Heading 1", (("Article 7 — Signalement", False, False),))
    assert ("confidentiel", True, False) in runs[1][1]
    assert ("traité", False, True) in runs[1][1]
    assert runs[2] == ("List Bullet", (("un ", False, False), ("premier", True, False), (" point", False, False)))
    assert runs[4][0] == "Tag"
    assert clause_source(edited, KEY) == markup
    text = next(c.text for c in read_clauses(edited) if c.key == KEY)
    assert "{{ school.reporting_channel.url }}" in text and "{%p endif %}" in text
    document = dict(read_entries(edited))["word/document.xml"].decode()
    assert '<w:pStyle w:val="ListBullet"/>' in document and "<w:b/>" in document and "<w:i/>" in document


def test_unchanged_paragraphs_keep_their_word_xml() -> None:
    original = minimal_docx()
    source = clause_source(original, KEY)
    edited = replace_clause(original, KEY, source + "\n\nUne phrase **ajoutée**.")
    before = dict(read_entries(original))["word/document.xml"].decode()
    after = dict(read_entries(edited))["word/document.xml"].decode()
    first_paragraph = before[before.index(CLAUSE_TAG_PREFIX + KEY) :].split("<w:p>", 2)[1].split("</w:p>")[0]
    assert first_paragraph in after
    assert replace_clause(original, KEY, source) == original or clause_runs(
        replace_clause(original, KEY, source)
    ) == clause_runs(original)


def test_a_clause_the_editor_cannot_keep_or_an_empty_one_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        replace_clause(minimal_docx(), KEY, "\n\n{%p if school.code %}\n{%p endif %}\n")
    with pytest.raises(InvalidInput, match="limited"):
        replace_clause(minimal_docx(), KEY, "a" * 100_001)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: How Word may write a run's bold or italics: on, on with a value, explicitly off, or absent.
SWITCHES = st.sampled_from(["", "<w:{0}/>", '<w:{0} w:val="1"/>', '<w:{0} w:val="true"/>', '<w:{0} w:val="0"/>'])
WORD_RUNS = st.lists(
    st.tuples(st.text(alphabet="ab é*\\{}%-_", min_size=1, max_size=8), SWITCHES, SWITCHES, st.booleans()),
    min_size=1,
    max_size=8,
)


def _word_paragraph(runs: list[tuple[str, str, str, bool]], style: str) -> str:
    """A paragraph as Word writes one: runs split anywhere, fonts, switches written in several ways."""
    xml = f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else "<w:p>"
    for text, bold, italic, font in runs:
        fonts = '<w:rFonts w:ascii="Arial" w:hAnsi="Arial"/>' if font else ""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        xml += f'<w:r><w:rPr>{fonts}{bold.format("b")}{italic.format("i")}</w:rPr><w:t xml:space="preserve">{escaped}</w:t></w:r>'
    return xml + "</w:p>"


def _characters(data: bytes, key: str = KEY) -> list[tuple[str, list[tuple[str, bool, bool]]]]:
    """Each paragraph of a clause: its style and each character with its bold and italics."""
    return [(style, [(c, b, i) for text, b, i in runs for c in text]) for style, runs in clause_runs(data, key)]


@EXAMPLES
@given(st.lists(st.tuples(WORD_RUNS, st.sampled_from(["", "Heading1", "ListBullet"])), min_size=1, max_size=4))
def test_a_clause_as_word_writes_it_keeps_its_characters_formatting(
    paragraphs: list[tuple[list[tuple[str, str, str, bool]], str]],
) -> None:
    """.docx (runs split anywhere, switches on and off) → markup → .docx: each character keeps its
    bold and italics, each paragraph its style (white space at the ends of paragraphs aside)."""
    entries = read_entries(minimal_docx())
    document = dict(entries)["word/document.xml"].decode()
    start = document.index("<w:sdtContent>", document.index(CLAUSE_TAG_PREFIX + KEY)) + len("<w:sdtContent>")
    end = document.index("</w:sdtContent>", start)
    body = "".join(_word_paragraph(runs, style) for runs, style in paragraphs)
    word = rezip([(n, (document[:start] + body + document[end:]).encode() if n == "word/document.xml" else c)
                  for n, c in entries])  # fmt: skip
    markup = clause_source(word, KEY)
    if not any(b.style != "Tag" for b in parse_blocks(markup)):
        return
    again = replace_clause(minimal_docx(), KEY, markup)
    expected = [
        (style, [(c, b, i) for c, b, i in chars])
        for style, chars in _characters(word)
        if "".join(c for c, _b, _i in chars).strip()
    ]
    got = _characters(again)
    assert [s for s, _c in got] == [s for s, _c in expected]
    for (_s, want), (_t, have) in zip(expected, got, strict=True):
        text = "".join(c for c, _b, _i in want)
        lead = len(text) - len(text.lstrip())
        kept = want[lead : lead + len(text.strip())]
        assert [(c, b, i) for c, b, i in have] == _even(kept)


def _even(chars: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    """The formatting a tag takes on: that of its first character (a tag is never split)."""
    text = "".join(c for c, _b, _i in chars)
    formats = [(b, i) for _c, b, i in chars]
    for tag in TAG.finditer(text):
        for index in range(tag.start() + 1, tag.end()):
            formats[index] = formats[tag.start()]
    return [(c, *formats[n]) for n, c in enumerate(text)]
