"""Checking that a PDF is PDF/A-2b where it matters, with pikepdf (no validator is packaged here).

Three things are read in the file, each a requirement of ISO 19005-2 that a converter may miss:

- the XMP identification: ``pdfaid:part`` 2 and ``pdfaid:conformance`` B;
- an output intent of subtype GTS_PDFA1 whose DestOutputProfile is an ICC profile (its header's
  ``acsp`` signature);
- every font embedded: each font's descriptor (a Type0 font's, in its descendant fonts) has a
  FontFile, FontFile2 or FontFile3 stream. Type3 fonts draw their glyphs with the file's own
  content streams: nothing to embed. Fonts are found wherever they are reachable from the
  document catalogue (pages, form XObjects, annotations' appearances).

It is not a full validation (veraPDF's hundreds of rules): it is what makes the file faithful and
self-contained in twenty years, and what govkit's conversions are checked against before they are
cached (govkit.documents.renditions).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pikepdf

PDFA_ID = "{http://www.aiim.org/pdfa/ns/id/}"
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class PdfaCheck:
    """What the check read in a PDF, and what it found wrong (nothing: it passed)."""

    part: int | None
    conformance: str | None
    output_intent: bool
    fonts_embedded: bool
    #: The fonts used, by base name without the subset prefix (``LiberationSans-Bold``).
    fonts: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        """The problems in one sentence (empty when it passed)."""
        return "; ".join(self.problems)


def check_pdfa(data: bytes, *, part: int = 2, conformance: str = "B") -> PdfaCheck:
    """Check ``data`` against the PDF/A identification, output intent and fonts expected."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        why = str(exc).rsplit(": ", 1)[-1]  # pikepdf names the stream first: only the reason is kept
        return PdfaCheck(None, None, False, False, (), (f"not a readable PDF ({why})",))
    with pdf:
        found_part, found_conformance = _identification(pdf)
        intent = _has_pdfa_output_intent(pdf)
        fonts, missing = _fonts(pdf)
    problems = []
    if found_part != part or found_conformance != conformance:
        shown = f"part {found_part}, conformance {found_conformance}" if found_part else "none"
        problems.append(f"the XMP metadata does not identify PDF/A-{part}{conformance.lower()} ({shown})")
    if not intent:
        problems.append("no GTS_PDFA1 output intent with an ICC profile")
    if missing:
        problems.append(f"fonts not embedded: {', '.join(missing)}")
    return PdfaCheck(
        part=found_part,
        conformance=found_conformance,
        output_intent=intent,
        fonts_embedded=not missing,
        fonts=tuple(sorted(set(fonts))),
        problems=tuple(problems),
    )


def _identification(pdf: pikepdf.Pdf) -> tuple[int | None, str | None]:
    if "/Metadata" not in pdf.Root:
        return None, None
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            part = str(xmp.get(PDFA_ID + "part", "")).strip()
            conformance = str(xmp.get(PDFA_ID + "conformance", "")).strip() or None
    except Exception:  # unreadable XMP (lxml, pikepdf errors) is simply no identification
        return None, None
    return (int(part) if part.isdigit() else None), conformance


def _has_pdfa_output_intent(pdf: pikepdf.Pdf) -> bool:
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array):
        return False
    for intent in intents:
        if not isinstance(intent, pikepdf.Dictionary) or intent.get("/S") != pikepdf.Name.GTS_PDFA1:
            continue
        profile = intent.get("/DestOutputProfile")
        if isinstance(profile, pikepdf.Stream) and profile.read_bytes()[36:40] == b"acsp":
            return True
    return False


def _fonts(pdf: pikepdf.Pdf) -> tuple[list[str], list[str]]:
    """Every font reachable from the catalogue: (their names, the names of those not embedded)."""
    names: list[str] = []
    missing: list[str] = []
    for font in _font_dictionaries(pdf):
        name = _SUBSET.sub("", str(font.get("/BaseFont", "/unnamed"))[1:])
        subtype = font.get("/Subtype")
        names.append(name)
        if subtype == pikepdf.Name.Type3:
            continue
        if subtype == pikepdf.Name.Type0:
            descendants = font.get("/DescendantFonts")
            described = list(descendants) if isinstance(descendants, pikepdf.Array) else []
        else:
            described = [font]
        if not described or not all(_embedded(d) for d in described):
            missing.append(name)
    return names, sorted(set(missing))


def _embedded(font: object) -> bool:
    if not isinstance(font, pikepdf.Dictionary):
        return False
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        isinstance(descriptor.get(key), pikepdf.Stream) for key in _FONT_FILES
    )


def _font_dictionaries(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The font dictionaries reachable from the document catalogue, each once."""
    fonts: list[pikepdf.Dictionary] = []
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [pdf.Root]
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
            continue
        entries = item.stream_dict if isinstance(item, pikepdf.Stream) else item
        if entries.get("/Type") == pikepdf.Name.Font:
            fonts.append(entries)
        stack.extend(value for key, value in entries.items() if key != "/Parent")
    return fonts
