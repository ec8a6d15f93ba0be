"""The PDF/A check reads what makes a PDF/A-2b: a LibreOffice PDF/A passes; the same file with its
identification changed, or its output intent taken away, fails with that reason; a font not
embedded (simple or Type0) is named; a file that is not a PDF is said to be one."""

from __future__ import annotations

import io

import pikepdf
import pytest

from govkit.documents.pdf_conversion import SofficeRunner
from govkit.documents.pdfa import PDFA_ID, check_pdfa
from tests.docx_factory import minimal_docx


@pytest.fixture(scope="module")
def pdfa() -> bytes:
    batch = SofficeRunner().convert({"minimal": minimal_docx()})
    assert batch.failures == {} and batch.runs == 1
    return batch.pdfs["minimal"]


def _changed(data: bytes, change: object) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)  # type: ignore[operator]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_a_libreoffice_pdfa_passes(pdfa: bytes) -> None:
    check = check_pdfa(pdfa)
    assert check.passed, check.problems
    assert (check.part, check.conformance, check.output_intent, check.fonts_embedded) == (2, "B", True, True)
    assert "LiberationSans" in check.fonts


def test_another_identification_or_no_output_intent_fails(pdfa: bytes) -> None:
    def part_one(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp[PDFA_ID + "part"] = "1"

    check = check_pdfa(_changed(pdfa, part_one))
    assert check.problems == ("the XMP metadata does not identify PDF/A-2b (part 1, conformance B)",)

    def no_intent(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/OutputIntents"]

    check = check_pdfa(_changed(pdfa, no_intent))
    assert check.problems == ("no GTS_PDFA1 output intent with an ICC profile",)


def _page_with(font: pikepdf.Dictionary) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_fonts_not_embedded_are_named() -> None:
    helvetica = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    check = check_pdfa(_page_with(helvetica))
    assert not check.fonts_embedded and "fonts not embedded: Helvetica" in check.reason

    descriptor = pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/ABCDEF+Cjk"))
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/ABCDEF+Cjk"),
        FontDescriptor=descriptor,
    )
    type0 = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/ABCDEF+Cjk"),
        DescendantFonts=pikepdf.Array([descendant]),
    )
    check = check_pdfa(_page_with(type0))
    assert check.fonts == ("Cjk",) and "fonts not embedded: Cjk" in check.reason


def test_what_is_not_a_pdf_is_said_so() -> None:
    check = check_pdfa(b"%PDF-1.7 truncated")
    assert not check.passed and check.problems[0].startswith("not a readable PDF")
