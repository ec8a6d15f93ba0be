"""The guard every uploaded .docx passes before any XML or Word parser sees it.

Checks the container (size, entry count, real uncompressed size counted while
streaming, compression ratio, paths), then refuses what a regulation template must
never carry: macros and binary payloads, DOCTYPE and entities, external
relationships (plain web and mail hyperlinks excepted: Word never fetches them),
altChunk imports, INCLUDETEXT/INCLUDEPICTURE/DDE/LINK fields and tracked changes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from govkit.documents import package_errors
from govkit.documents.ooxml import NS, is_jinja_part

MAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_DANGEROUS_FIELD = re.compile(r"\b(INCLUDETEXT|INCLUDEPICTURE|DDEAUTO|DDE|LINK|IMPORT|INCLUDE)\b", re.I)
_FORBIDDEN_NAMES = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/|embeddings/|.*\.(bin|exe|dll|js|vbs|ps1|jar|scr)$)", re.I
)
W = NS["w"]
W_P = f"{{{W}}}p"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class GuardLimits:
    max_file_bytes: int = 10 * 1024 * 1024
    max_entries: int = 300
    max_entry_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 60 * 1024 * 1024
    max_ratio: float = 120.0  # uncompressed / compressed, per entry and overall


@dataclass
class Finding:
    part: str
    message: str
    paragraph: int | None = None


@dataclass
class GuardResult:
    entries: dict[str, bytes] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Refused(Exception):
    """The container itself is hostile or broken: stop before reading anything else."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: GuardLimits, budget: int) -> bytes:
    """Decompress one entry, counting real bytes as they come: stop at the first limit."""
    chunks: list[bytes] = []
    total = 0
    cap = min(limits.max_entry_bytes, budget)
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(64 * 1024)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                raise Refused(
                    Finding(
                        info.filename,
                        f"uncompressed content over the limit ({cap} bytes): refused as a zip bomb",
                    )
                )
            if info.compress_size and total / max(info.compress_size, 1) > limits.max_ratio and total > 1024 * 1024:
                raise Refused(
                    Finding(
                        info.filename,
                        f"compression ratio over {limits.max_ratio:.0f}:1: refused as a zip bomb",
                    )
                )
            chunks.append(chunk)
    return b"".join(chunks)


def open_package(data: bytes, limits: GuardLimits | None = None) -> dict[str, bytes]:
    """The entries of a .docx, or Refused naming the first container-level problem."""
    limits = limits or GuardLimits()
    if len(data) > limits.max_file_bytes:
        raise Refused(
            Finding("(file)", f"file of {len(data)} bytes is over the limit of {limits.max_file_bytes} bytes")
        )
    if not data.startswith(b"PK\x03\x04"):
        raise Refused(Finding("(file)", package_errors.not_a_package(data)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile's many ways to fail on a damaged directory, told in our words
        raise Refused(Finding("(file)", package_errors.unreadable_package(exc))) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise Refused(
                Finding("(file)", f"{len(infos)} entries in the package, over the limit of {limits.max_entries}")
            )
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise Refused(Finding("(file)", "the package repeats an entry name"))
        entries: dict[str, bytes] = {}
        budget = limits.max_total_bytes
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.split("/") or "\\" in name or ":" in name:
                raise Refused(Finding(name, "entry path escapes the package"))
            if info.flag_bits & 0x1:
                raise Refused(Finding(name, "encrypted entries are not accepted"))
            if info.is_dir():
                continue
            try:
                content = _read_entry(archive, info, limits, budget)
            except Refused:
                raise
            except Exception as exc:  # zipfile's and zlib's errors on damaged data, told in our words
                raise Refused(Finding(name, package_errors.unreadable_entry(name, exc))) from exc
            budget -= len(content)
            entries[name] = content
        total = sum(len(c) for c in entries.values())
        if total > 1024 * 1024 and total / max(len(data), 1) > limits.max_ratio:
            raise Refused(
                Finding(
                    "(file)",
                    f"overall compression ratio over {limits.max_ratio:.0f}:1: refused as a zip bomb",
                )
            )
    return entries


def _xml_prolog_problems(name: str, content: bytes) -> list[Finding]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:200]:
        return [Finding(name, "XML parts must be UTF-8 encoded")]
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return [Finding(name, package_errors.not_utf8(name))]
    head = content.upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return [Finding(name, "DOCTYPE and entity declarations are not accepted (XML entity attack)")]
    return []


def guard(data: bytes, limits: GuardLimits | None = None, *, tracked_changes: bool = False) -> GuardResult:
    """Run every check; the entries are returned only when there is no problem. ``tracked_changes``:
    tracked insertions and deletions are no problem (an upload for review, govkit.documents.tracked)."""
    result = GuardResult()
    try:
        entries = open_package(data, limits)
    except Refused as refused:
        result.problems.append(refused.finding)
        return result
    problems = result.problems
    if "[Content_Types].xml" not in entries or "word/document.xml" not in entries:
        problems.append(Finding("(file)", "not a Word document: [Content_Types].xml or word/document.xml is missing"))
        return result
    for name, content in entries.items():
        if _FORBIDDEN_NAMES.search(name):
            problems.append(Finding(name, "macros, ActiveX controls, embedded objects and binaries are not accepted"))
        if name.endswith((".xml", ".rels")):
            problems.extend(_xml_prolog_problems(name, content))
    if problems:
        return result
    parsed: dict[str, etree._Element] = {}
    for name, content in entries.items():
        if name.endswith((".xml", ".rels")):
            try:
                parsed[name] = etree.fromstring(content, _PARSER)
            except etree.XMLSyntaxError as exc:
                problems.append(Finding(name, package_errors.malformed_xml(name, exc)))
    if problems:
        return result
    types = parsed["[Content_Types].xml"]
    for override in types.iterfind("ct:Override", NS):
        content_type = override.get("ContentType", "")
        if "macroEnabled" in content_type or "vbaProject" in content_type or "activeX" in content_type:
            problems.append(
                Finding(override.get("PartName", "?"), f"macro-enabled content ({content_type}) is not accepted")
            )
        if override.get("PartName") == "/word/document.xml" and content_type not in (
            MAIN_CONTENT_TYPE,
            TEMPLATE_CONTENT_TYPE,
        ):
            problems.append(Finding("word/document.xml", f"unexpected document type {content_type}: save as .docx"))
    for name, root in parsed.items():
        if name.endswith(".rels"):
            for rel in root.iterfind("rel:Relationship", NS):
                target, kind = rel.get("Target", ""), rel.get("Type", "")
                if kind.endswith("/aFChunk"):
                    problems.append(Finding(name, f"altChunk import of {target!r} is not accepted"))
                elif rel.get("TargetMode") == "External" and not (
                    kind == HYPERLINK_REL and re.match(r"^(https?:|mailto:)", target, re.I)
                ):
                    problems.append(Finding(name, f"external relationship to {target!r} is not accepted"))
        elif is_jinja_part(name) and name != "docProps/core.xml":
            problems.extend(_story_problems(name, root, tracked_changes))
    if not problems:
        result.entries = entries
    return result


def _story_problems(name: str, root: etree._Element, tracked_changes: bool = False) -> list[Finding]:
    found: list[Finding] = []
    paragraphs = list(root.iter(W_P))
    index = {id(p): i + 1 for i, p in enumerate(paragraphs)}

    def paragraph_of(node: etree._Element) -> int | None:
        for ancestor in node.iterancestors(W_P):
            return index.get(id(ancestor))
        return None

    for tag, what in (
        ("altChunk", "altChunk import"),
        ("ins", "tracked change (insertion)"),
        ("del", "tracked change (deletion)"),
        ("moveFrom", "tracked change (move)"),
        ("moveTo", "tracked change (move)"),
    ):
        if tracked_changes and tag != "altChunk":
            continue
        for node in root.iter(f"{{{W}}}{tag}"):
            hint = "; accept or reject all changes in Word first" if "tracked" in what else ""
            found.append(Finding(name, f"{what} is not accepted{hint}", paragraph_of(node) or index.get(id(node))))
    for paragraph in paragraphs:
        # Word splits a field's instruction over several runs: join them as Word does
        instructions = "".join(t.text or "" for t in paragraph.iter(f"{{{W}}}instrText"))
        simple = " ".join(f.get(f"{{{W}}}instr", "") for f in paragraph.iter(f"{{{W}}}fldSimple"))
        instructions = f"{instructions} {simple}"
        match = _DANGEROUS_FIELD.search(instructions)
        if match:
            found.append(
                Finding(
                    name,
                    f"{match.group(1).upper()} field is not accepted (it imports external content)",
                    index[id(paragraph)],
                )
            )
    return found
