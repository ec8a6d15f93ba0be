"""A damaged upload is reported in govkit's words: never a crash, never zipfile's, zlib's or lxml's text."""

from __future__ import annotations

import io
import re
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from govkit.documents.kinds import catalogue
from govkit.documents.ooxml import read_entries, rezip
from govkit.documents.validate import validate_template
from tests.conftest import Api, TokenFactory
from tests.documents.test_documents_api import upload
from tests.docx_factory import minimal_docx

VALID = minimal_docx()
XML_PARTS = [name for name, _ in read_entries(VALID) if name.endswith((".xml", ".rels"))]
#: Words of Python and of its libraries that a report must never show.
LIBRARY_WORDS = re.compile(
    r"zipfile|zlib|lxml|etree|libxml|BadZip|CRC-32|Error -\d|decompressing data|magic number|"
    r"Truncated|File is not a zip|<string>|codec|Traceback|XML_PARSE|\b[A-Z][A-Za-z]*(Error|Exception)\b|"
    r"Opening and ending tag|Premature end|StartTag|EndTag|Document is empty|expected '>'|errno|b'"
)


def library_texts(data: bytes) -> list[str]:
    """What zipfile and lxml themselves say about ``data`` (the words the report must not repeat)."""
    said: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                try:
                    content = archive.read(info)
                except Exception as exc:
                    said.append(str(exc))
                    continue
                if info.filename.endswith((".xml", ".rels")):
                    try:
                        etree.fromstring(content)
                    except etree.XMLSyntaxError as exc:
                        said.append(str(exc))
    except Exception as exc:
        said.append(str(exc))
    return [s for s in said if len(s) > 8]


def assert_reported_in_our_words(data: bytes) -> list[str]:
    report = validate_template(data, kind="internal", language="fr", catalogue=catalogue())
    messages = [f"{item.part}: {item.message}" for item in report.items]
    for message in messages:
        assert not LIBRARY_WORDS.search(message), message
        for text in library_texts(data):
            assert text not in message, message
    return messages


def flipped(data: bytes, position: int, bit: int) -> bytes:
    damaged = bytearray(data)
    damaged[position % len(damaged)] ^= 1 << bit
    return bytes(damaged)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.integers(0, len(VALID) - 1).map(lambda n: VALID[:n]),  # truncated
        st.builds(flipped, st.just(VALID), st.integers(0, len(VALID) - 1), st.integers(0, 7)),
        st.binary(max_size=300),  # not a zip at all
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),  # a zip's first bytes, then junk
        st.builds(  # a sound zip whose XML part is cut or replaced
            lambda name, cut, junk: rezip([(n, (c[:cut] + junk) if n == name else c) for n, c in read_entries(VALID)]),
            st.sampled_from(XML_PARTS),
            st.integers(0, 400),
            st.binary(max_size=40),
        ),
    )
)
def test_any_damage_is_reported_in_govkit_words(data: bytes) -> None:
    assert_reported_in_our_words(data)


def test_each_kind_of_damage_has_its_message() -> None:
    (truncated,) = assert_reported_in_our_words(VALID[: len(VALID) // 2])
    assert "damaged or incomplete" in truncated and "cut short" in truncated
    (not_zip,) = assert_reported_in_our_words(b"Lorem ipsum dolor sit amet")
    assert not_zip == "(file): The file is not a Word document (.docx): it is not a ZIP package."
    (old_word,) = assert_reported_in_our_words(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert "old Word document (.doc)" in old_word
    assert assert_reported_in_our_words(b"") == ["(file): The file is empty."]
    document = next(c for n, c in read_entries(VALID) if n == "word/document.xml")
    (cut_xml,) = assert_reported_in_our_words(
        rezip([(n, document[:-40] if n == "word/document.xml" else c) for n, c in read_entries(VALID)])
    )
    assert cut_xml.startswith("word/document.xml: The file is damaged: part word/document.xml is not valid XML")
    assert "(line 2, column" in cut_xml
    latin = document.replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'") + "<!-- é -->".encode("latin-1")
    (not_utf8,) = assert_reported_in_our_words(
        rezip([(n, latin if n == "word/document.xml" else c) for n, c in read_entries(VALID)])
    )
    assert "not encoded in UTF-8" in not_utf8


def test_damaged_entries_name_the_entry_checksum_and_compressed_data() -> None:
    """A changed byte in an entry's data: its checksum fails, or its compressed data cannot be read
    (zlib's error escaped the guard before, as a server error)."""
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        info = archive.getinfo("word/document.xml")
    header = VALID[info.header_offset : info.header_offset + 30]  # the entry's local header
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    seen: dict[str, str] = {}
    for position in range(start, start + info.compress_size):
        messages = assert_reported_in_our_words(flipped(VALID, position, 0))
        if not messages:  # a bit the decompressor does not depend on
            continue
        (message,) = messages
        kind = (
            "checksum" if "fails its checksum" in message else "inflate" if "cannot be decompressed" in message else ""
        )
        assert kind, message
        seen.setdefault(kind, message)
        if len(seen) == 2:
            break
    assert seen == {
        "checksum": "word/document.xml: The file is damaged: entry word/document.xml fails its checksum "
        "(open it in Word and save it again as .docx).",
        "inflate": "word/document.xml: The file is damaged: entry word/document.xml cannot be decompressed "
        "(open it in Word and save it again as .docx).",
    }


def test_an_upload_cut_short_is_a_report_not_an_error(api: Api, token: TokenFactory) -> None:
    body = upload(api, token("legal"), VALID[: len(VALID) - 100])
    assert "errors" not in body, body
    outcome = body["data"]["uploadRootTemplateVersion"]
    assert outcome["valid"] is False and outcome["version"] is None
    (item,) = outcome["report"]["items"]
    assert "The file is damaged or incomplete" in item["message"]
    assert not LIBRARY_WORDS.search(item["message"])
