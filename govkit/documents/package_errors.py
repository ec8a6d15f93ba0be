"""What is wrong with an uploaded package, said in govkit's words.

zipfile, zlib and lxml explain a damaged file in their own terms ("File is not a zip file",
"Bad CRC-32 for file ...", "Error -3 while decompressing data", "Opening and ending tag
mismatch ... line 2 and ..."): legal staff read these messages in the upload report, so each
failure is told here as what it means for the file they sent and what they can do about it.
Nothing of the library's text, nor the name of an exception, reaches the report.
"""

from __future__ import annotations

import re
import zipfile
import zlib

from lxml import etree

DOCX = "a Word document (.docx)"
SAVE_AGAIN = "open it in Word and save it again as .docx"
SAVE_AGAIN_SENTENCE = "Open it in Word and save it again as .docx."
_LINES = re.compile(r"\r\n|\r|\n")
_PARAGRAPH_START = re.compile(r"<w:p[ >]")

#: What a file that is not a ZIP package is, from its first bytes.
_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0", "an old Word document (.doc) or another Office 97-2003 file: save it as .docx"),
    (b"%PDF", "a PDF file: upload the Word document it was made from"),
    (b"{\\rtf", "an RTF file: save it as .docx"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def not_a_package(data: bytes) -> str:
    """The message for a file that does not start as a ZIP package does."""
    if not data:
        return "The file is empty."
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return f"The file is not {DOCX}: it is {what}."
    if data.lstrip()[:1] == b"<":
        return f"The file is not {DOCX}: it is XML or HTML text, not a ZIP package (in Word, save it as .docx)."
    return f"The file is not {DOCX}: it is not a ZIP package."


def unreadable_package(_exc: BaseException) -> str:
    """The message for a package whose directory cannot be read (zipfile refused to open it)."""
    return (
        "The file is damaged or incomplete: the directory at the end of its ZIP package cannot be read "
        "(was the upload cut short?). Upload it again, or open it in Word and save it again as .docx."
    )


def unreadable_entry(name: str, exc: BaseException) -> str:
    """The message for an entry of the package that cannot be read back as it was written."""
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in text:
        return f"The file is damaged: entry {name} fails its checksum ({SAVE_AGAIN})."
    if isinstance(exc, zlib.error | EOFError):
        return f"The file is damaged: entry {name} cannot be decompressed ({SAVE_AGAIN})."
    if isinstance(exc, NotImplementedError):
        return f"Entry {name} is compressed with a method Word does not use: {SAVE_AGAIN}."
    if isinstance(exc, zipfile.BadZipFile) and "verlap" in text:
        return f"Entry {name} overlaps another entry of the package: refused (a crafted file)."
    if isinstance(exc, zipfile.BadZipFile) and ("header" in text or "magic" in text):
        return f"The file is damaged: entry {name} is not where the package's directory says ({SAVE_AGAIN})."
    return f"The file is damaged: entry {name} cannot be read ({SAVE_AGAIN})."


_XML_REASONS: dict[int, str] = {  # by libxml2 error code (XMLSyntaxError.code)
    etree.ErrorTypes.ERR_DOCUMENT_EMPTY: "the part is empty",
    etree.ErrorTypes.ERR_DOCUMENT_END: "there is content after the end of the part",
    etree.ErrorTypes.ERR_DOCUMENT_START: "the part does not start with XML",
    etree.ErrorTypes.ERR_TAG_NAME_MISMATCH: "an element is closed by the wrong tag",
    etree.ErrorTypes.ERR_TAG_NOT_FINISHED: "the part ends before an element is closed (cut short)",
    etree.ErrorTypes.ERR_GT_REQUIRED: "a tag is not closed by '>'",
    etree.ErrorTypes.ERR_INVALID_CHAR: "it contains a character XML does not allow",
    etree.ErrorTypes.ERR_INVALID_CHARREF: "it contains a character reference XML does not allow",
    etree.ErrorTypes.ERR_INVALID_ENCODING: "its bytes are not valid UTF-8",
    etree.ErrorTypes.ERR_UNSUPPORTED_ENCODING: "it declares an encoding other than UTF-8",
    etree.ErrorTypes.ERR_UNDECLARED_ENTITY: "it uses an entity that is not defined",
    etree.ErrorTypes.ERR_ENTITYREF_SEMICOL_MISSING: "an '&' does not start a valid entity",
    etree.ErrorTypes.ERR_NAME_REQUIRED: "a tag has no valid name",
    etree.ErrorTypes.ERR_ATTRIBUTE_WITHOUT_VALUE: "an attribute has no value",
    etree.ErrorTypes.ERR_ATTRIBUTE_REDEFINED: "an element repeats an attribute",
    etree.ErrorTypes.ERR_ATTRIBUTE_NOT_STARTED: "an attribute value is not quoted",
    etree.ErrorTypes.ERR_STRING_NOT_CLOSED: "a quoted value is not closed",
    etree.ErrorTypes.ERR_LT_IN_ATTRIBUTE: "an attribute value contains '<'",
    etree.ErrorTypes.NS_ERR_UNDEFINED_NAMESPACE: "it uses a namespace prefix that is not declared",
    etree.ErrorTypes.ERR_RESOURCE_LIMIT: "its elements are nested too deeply",
    etree.ErrorTypes.ERR_INTERNAL_ERROR: "its elements are nested too deeply",
}


def malformed_xml(name: str, exc: etree.XMLSyntaxError) -> str:
    """The message for a part that is not well-formed XML: what is wrong, and where."""
    reason = _XML_REASONS.get(exc.code, "it is not well-formed")
    line, column = exc.position if exc.position else (exc.lineno, None)
    where = f" (line {line}, column {column})" if line and column else (f" (line {line})" if line else "")
    return f"The file is damaged: part {name} is not valid XML: {reason}{where}. {SAVE_AGAIN_SENTENCE}"


def not_utf8(name: str) -> str:
    return f"Part {name} is not encoded in UTF-8 as Word writes it: {SAVE_AGAIN}."


def rendered_xml(exc: etree.XMLSyntaxError, xml: str) -> str:
    """The message for a rendered part that is no longer XML (template tags cut through Word's structure)."""
    reason = _XML_REASONS.get(exc.code, "it is not well-formed")
    line, column = exc.position if exc.position else (exc.lineno, 1)
    before = "".join(_LINES.split(xml)[: max(line - 1, 0)]) if line else ""
    paragraphs = len(_PARAGRAPH_START.findall(before)) + len(_PARAGRAPH_START.findall(_line(xml, line)[:column]))
    where = f" near paragraph {paragraphs} of the rendered part" if paragraphs else ""
    return (
        f"the rendered part is not valid XML ({reason}){where}: an {{% if %}} or {{% for %}} probably opens in "
        "one paragraph or table cell and closes in another; use {%p ... %} or {%tr ... %} tags for those"
    )


def _line(text: str, number: int | None) -> str:
    lines = _LINES.split(text)
    return lines[number - 1] if number and 0 < number <= len(lines) else ""


_COMPUTATIONS = (
    (ZeroDivisionError, "divides by zero"),
    (OverflowError, "computes a number too large"),
    (TypeError, "combines values that do not go together (text and a number, for instance)"),
    (ValueError, "converts a value that cannot be converted (text where a number is expected, for instance)"),
    (LookupError, "reads an item that does not exist"),
    (RecursionError, "calls itself without end"),
)


def failed_computation(exc: BaseException) -> str:
    """The message for an expression of the template that fails on the values it is given."""
    what = next((said for kind, said in _COMPUTATIONS if isinstance(exc, kind)), "computes something that fails")
    return f"an expression of the template {what}"


def template_line(exc: BaseException) -> int | None:
    """The line of the template where ``exc`` happened (Jinja puts the template's lines in the traceback)."""
    line = None
    trace = exc.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
