"""`govkit demo` with the PDF/A conversion on: every published demo variant converted in ONE job
(one LibreOffice run), each PDF a PDF/A-2b whose identification, output intent and fonts pass the
check, whose text holds every required clause; converting again converts nothing."""

from __future__ import annotations

import hashlib
import json
from itertools import cycle

import sqlalchemy as sa

from govkit.documents.pdfa import check_pdfa
from govkit.documents.renditions import CONVERT_RENDITIONS
from tests.documents.conftest import ConvertedDemo
from tests.documents.pdf_text import missing_clauses

DEMO_DOCUMENTS = 144  # 8 schools x 9 kinds x 2 languages (tests/cli/test_cli.py)


def _published(demo: ConvertedDemo) -> list[tuple[str, str, str, str]]:
    """(school, kind, language, sha256) of every published version."""
    with demo.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT o.code, d.kind, d.language, d.sha256 FROM document_version d "
                "JOIN organisation o ON o.id = d.organisation_id ORDER BY d.kind, d.language, o.code"
            )
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_the_demo_converts_every_published_variant_in_one_libreoffice_run(converted_demo: ConvertedDemo) -> None:
    published = {row[3] for row in _published(converted_demo)}
    assert len(published) == DEMO_DOCUMENTS
    assert f"{DEMO_DOCUMENTS} queued for PDF/A conversion" in converted_demo.stderr
    with converted_demo.engine.connect() as conn:
        jobs = conn.execute(
            sa.text("SELECT status, attempts, args FROM inprocess_job WHERE task_name = :name"),
            {"name": CONVERT_RENDITIONS},
        ).all()
        renditions = conn.execute(
            sa.text(
                "SELECT r.source_sha256, r.sha256, r.converter, r.converter_version, r.pdfa_part, "
                "r.pdfa_conformance, r.output_intent, r.fonts_embedded, r.fonts, b.media_type, b.data "
                "FROM document_rendition r JOIN blob b ON b.sha256 = r.sha256 WHERE r.format = 'pdf'"
            )
        ).all()
        failures = conn.execute(sa.text("SELECT count(*) FROM job_failure")).scalar_one()
    (job,) = jobs  # one job, hence one LibreOffice run (convert_pending: one run per batch of 200)
    args = job.args if isinstance(job.args, dict) else json.loads(job.args)
    assert (job.status, job.attempts) == ("succeeded", 1)
    assert set(args["sha256s"]) == published
    assert failures == 0
    assert {r.source_sha256 for r in renditions} == published
    for r in renditions:
        assert (r.converter, r.converter_version.startswith("LibreOffice ")) == ("LibreOffice", True)
        assert (r.pdfa_part, r.pdfa_conformance, r.output_intent, r.fonts_embedded) == (2, "B", True, True)
        assert r.media_type == "application/pdf"
        assert hashlib.sha256(r.data).hexdigest() == r.sha256
        check = check_pdfa(r.data)  # read again from the stored bytes
        assert check.passed, (r.source_sha256, check.problems)
        fonts = json.loads(r.fonts) if isinstance(r.fonts, str) else r.fonts
        assert list(check.fonts) == fonts
        assert "LiberationSans" in fonts  # the documents' own font (govkit/documents/build.py), embedded


def test_the_pdf_text_holds_every_required_clause(converted_demo: ConvertedDemo) -> None:
    """One document of each kind and language (18), each from another school in turn, plus the
    French internal regulation of IMT Atlantique (the issue's example): every paragraph of every
    required clause is in the PDF's text (pypdf)."""
    rows = _published(converted_demo)
    schools = cycle(sorted({r[0] for r in rows}))
    picked = {(k, lang): None for _s, k, lang, _sha in rows}
    chosen = [("imt-atlantique", "internal", "fr")]
    for kind, language in picked:
        school = next(schools)
        chosen.append((school, kind, language))
    by_key = {(s, k, lang): sha for s, k, lang, sha in rows}
    with converted_demo.engine.connect() as conn:
        for school, kind, language in chosen:
            sha256 = by_key[(school, kind, language)]
            docx, pdf = conn.execute(
                sa.text(
                    "SELECT s.data, p.data FROM document_rendition r JOIN blob s ON s.sha256 = r.source_sha256 "
                    "JOIN blob p ON p.sha256 = r.sha256 WHERE r.source_sha256 = :sha AND r.format = 'pdf'"
                ),
                {"sha": sha256},
            ).one()
            assert missing_clauses(pdf, docx, kind) == [], (school, kind, language)


def test_converting_again_converts_nothing(converted_demo: ConvertedDemo) -> None:
    every = converted_demo.govkit("documents", "convert", "--all")
    assert every.returncode == 0, every.stderr
    assert f"0 converted, {DEMO_DOCUMENTS} already there, 0 failed (0 LibreOffice run(s)" in every.stdout
    one = converted_demo.govkit("documents", "convert", "--school", "imt-atlantique")
    assert one.returncode == 0, one.stderr
    assert "0 converted, 18 already there, 0 failed" in one.stdout
    again = converted_demo.govkit("demo", "--no-serve")
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stderr and "PDF/A" not in again.stderr
    with converted_demo.engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM inprocess_job WHERE task_name = :name"), {"name": CONVERT_RENDITIONS}
        ).scalar_one()
    assert count == 1  # no second job


def test_the_convert_command_refuses_in_one_line(converted_demo: ConvertedDemo) -> None:
    for args, fragment in (
        ((), "Give either --all or --school CODE."),
        (("--all", "--school", "imt-bs"), "Give either --all or --school CODE."),
        (("--school", "nowhere"), "nowhere"),
    ):
        done = converted_demo.govkit("documents", "convert", *args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), done.stderr
        assert fragment in lines[0] and "Traceback" not in done.stderr
