"""Documents: rendering school variants and reading their clauses, beside docxtpl and lxml."""

from __future__ import annotations

import io
import zipfile

from docxtpl import DocxTemplate
from lxml import etree

from bench.common import ROOT, median_seconds
from govkit.demo.dataset import read_dataset
from govkit.documents.build import build_docx
from govkit.documents.context import DocumentInfo, build_context
from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import catalogue
from govkit.documents.render import compile_template, render
from govkit.documents.source import read_source
from govkit.organisations.vocabulary import OrganisationType


def contexts(kind: str, language: str) -> list[dict]:
    dataset, _ = read_dataset()
    spec = catalogue().kind(kind)
    return [
        build_context(
            code=o.code,
            profile=o.profile,
            campuses=[(c.code, c.name) for c in o.campuses],
            document=DocumentInfo(kind, language, spec.title.get(language), 1),
        )
        for o in dataset.organisations
        if o.type is OrganisationType.SCHOOL
    ]


def plain_docxtpl(template: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bench_render(repeat: int) -> list[dict]:
    template = build_docx(read_source(ROOT / "templates/reglements/fr/internal.md"), catalogue())
    schools = contexts("internal", "fr")
    compiled = compile_template(template)

    def govkit_all() -> None:
        for context in schools:
            render(compiled, context)

    def docxtpl_all() -> None:
        for context in schools:
            plain_docxtpl(template, context)

    ours = median_seconds(govkit_all, repeat) / len(schools)
    raw = median_seconds(docxtpl_all, repeat) / len(schools)
    fresh = render(compile_template(template), schools[0])
    assert render(compiled, schools[0]) == fresh, "a reused compiled template must give the same bytes"
    return [
        {
            "name": "render a school variant (internal regulation, fr)",
            "unit": "ms/document",
            "govkit": round(ours * 1000, 2),
            "baseline": round(raw * 1000, 2),
            "baseline_name": "plain docxtpl",
            "ratio": round(raw / ours, 2),
            "target": ">= 2.0 (throughput vs docxtpl)",
            "holds": raw / ours >= 2.0,
        }
    ]


def bench_read(repeat: int) -> list[dict]:
    template = build_docx(read_source(ROOT / "templates/reglements/fr/internal.md"), catalogue())
    variant = render(compile_template(template), contexts("internal", "fr")[0])
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}

    def raw_lxml() -> list[str]:
        with zipfile.ZipFile(io.BytesIO(variant)) as archive:
            root = etree.fromstring(archive.read("word/document.xml"))
        return [t[len("govkit:clause:") :] for t in root.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=ns)]

    assert raw_lxml() == clause_keys(variant)
    ours = median_seconds(lambda: clause_keys(variant), repeat * 5)
    raw = median_seconds(raw_lxml, repeat * 5)
    return [
        {
            "name": "read the clauses back from a variant",
            "unit": "ms/document",
            "govkit": round(ours * 1000, 3),
            "baseline": round(raw * 1000, 3),
            "baseline_name": "zipfile + lxml",
            "ratio": round(ours / raw, 2),
            "target": "<= 1.5 (time vs zipfile + lxml)",
            "holds": ours / raw <= 1.5,
        }
    ]


def run(quick: bool) -> list[dict]:
    repeat = 3 if quick else 9
    return bench_render(repeat) + bench_read(repeat)
