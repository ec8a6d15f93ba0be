"""The TrueType font embedded in the receipts (PDF/A embeds every font): GOVKIT_RECEIPT_FONT, or the
first of Liberation Sans and DejaVu Sans found in the usual font directories.

Parsing and subsetting a whole font for each receipt costs more than sealing it; so the font is
cut once per process to the Latin scripts and punctuation (``LATIN``) and that small copy is
used for every receipt whose text it covers; any other receipt (a name in Greek or Cyrillic, say)
gets the whole font.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools import subset, ttLib

from govkit.proof.errors import FontMissing

#: Where fonts are looked for, in this order (Debian/Ubuntu, Fedora, Arch, macOS, Homebrew).
FONT_DIRECTORIES = (
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/liberation-sans",
    "/usr/share/fonts/liberation",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/opt/homebrew/share/fonts",
)
#: The version of the cut below, in the small copy's file name: a new cut is a new file.
CUT = 2
#: The font files looked for, in order of preference.
FAMILIES = ("LiberationSans-Regular.ttf", "DejaVuSans.ttf")
#: The code points of the small copy: Latin (basic, supplement, extended A and B),
#: spacing modifiers, general punctuation, the euro, numero and trade mark signs.
LATIN = (
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x2B0, 0x300),
    *range(0x2000, 0x2070),
    0x20AC,
    0x2116,
    0x2122,
)


@dataclass(frozen=True)
class ReceiptFonts:
    """The receipts' font (``source``) and its small Latin copy (``latin``, covering ``covered``)."""

    source: Path
    latin: Path
    covered: frozenset[str]

    def for_text(self, text: str) -> Path:
        """The small copy when it has every character of ``text``, else the whole font."""
        return self.latin if set(text) - {"\n", "\t"} <= self.covered else self.source


def receipt_fonts(configured: Path | None = None) -> ReceiptFonts:
    """The receipts' font: ``configured``, else the first one found (``FontMissing`` if none)."""
    return _prepared(_find(configured))


def _find(configured: Path | None) -> Path:
    if configured is not None:
        if not configured.is_file():
            raise FontMissing(f"GOVKIT_RECEIPT_FONT: {configured} does not exist")
        return configured
    for name in FAMILIES:
        for directory in FONT_DIRECTORIES:
            found = Path(directory) / name
            if found.is_file():
                return found
    raise FontMissing(
        "No font for the PDF receipts: install Liberation Sans or DejaVu Sans (fonts-liberation2, "
        "fonts-dejavu-core), or set GOVKIT_RECEIPT_FONT to a TrueType file"
    )


@lru_cache(maxsize=4)
def _prepared(source: Path) -> ReceiptFonts:
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    latin = Path(tempfile.gettempdir()) / f"govkit-fonts-{os.getuid()}" / f"{source.stem}-latin{CUT}-{digest}.ttf"
    if not latin.is_file():
        try:
            font = ttLib.TTFont(source)
        except Exception as exc:  # fontTools raises many kinds for a file that is not a font
            raise FontMissing(f"{source} is not a TrueType font ({exc.__class__.__name__})") from exc
        options = subset.Options()
        options.layout_features = []
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.glyph_names = True
        options.hinting = False  # hinting instructions: of no use in a PDF, and costly to subset again
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=LATIN)
        cutter.subset(font)
        latin.parent.mkdir(parents=True, exist_ok=True)
        partial = latin.with_name(f"{latin.name}.{os.getpid()}")
        font.save(partial)
        os.replace(partial, latin)
    with ttLib.TTFont(latin, lazy=True) as small:
        covered = frozenset(chr(c) for c in small.getBestCmap())
    return ReceiptFonts(source=source, latin=latin, covered=covered)
