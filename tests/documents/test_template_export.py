"""`govkit templates export`: the versions stored in govkit written back as text sources; building an
exported source gives the same clauses, with their text and formatting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from govkit.access.roles import SYSTEM, Principal, Role
from govkit.composition import render_pool
from govkit.db import Database
from govkit.documents import clause_edits
from govkit.documents.build import build_docx
from govkit.documents.export import export_source
from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import catalogue
from govkit.documents.source import parse_source, read_source, source_files
from govkit.settings import Settings
from tests.conftest import BACKENDS, SECRET, fresh_database_url
from tests.documents.test_clause_markup import clause_runs


def test_every_shipped_source_exports_to_a_source_that_builds_the_same_docx() -> None:
    for path in source_files():
        source = read_source(path)
        built = build_docx(source, catalogue())
        exported = export_source(built, kind=source.kind, language=source.language)
        assert not exported.warnings
        again = parse_source(exported.text, path.name)
        assert build_docx(again, catalogue()) == built, path
        assert export_source(build_docx(again, catalogue()), kind=source.kind, language=source.language) == exported


def test_an_edited_version_exports_with_its_clauses_text_and_formatting(db: Database, settings: Settings) -> None:
    legal = Principal(subject="juriste@imt.example", role=Role.LEGAL)
    key = "vss.listening_cell"
    before = clause_edits.get_clause_source(db=db, actor=legal, kind="internal", language="en", key=key)
    outcome = clause_edits.edit_clause(
        db=db,
        actor=legal,
        pool=render_pool(settings),
        kind="internal",
        language="en",
        key=key,
        text=before.text
        + "\n\nThe cell answers **within a week**, *in confidence*:\n- by phone\n- by e-mail\\\nor letter",
        max_bytes=settings.upload_max_bytes,
    )
    assert outcome.version is not None, outcome.report.items
    stored = clause_edits.export_sources(db=db, actor=SYSTEM)
    exported = next(s for s in stored if (s.kind, s.language) == ("internal", "en"))
    assert exported.number == outcome.version.number and not exported.published
    assert "**within a week**, *in confidence*:\n\n- by phone\n- by e-mail\\\nor letter" in exported.text
    from govkit.documents.service import download

    original = download(db=db, actor=SYSTEM, sha256=outcome.version.sha256).data
    rebuilt = build_docx(parse_source(exported.text), catalogue())
    assert clause_keys(rebuilt) == clause_keys(original)
    for clause in clause_keys(original):
        assert clause_runs(rebuilt, clause) == clause_runs(original, clause), clause
    published = clause_edits.export_sources(db=db, actor=SYSTEM, published_only=True)
    assert next(s for s in published if (s.kind, s.language) == ("internal", "en")).number < exported.number


def govkit(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVKIT_DATABASE_URL": url, "GOVKIT_SECRET_KEY": SECRET, "GOVKIT_ENV": "dev"}
    return subprocess.run(
        [sys.executable, "-m", "govkit.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_command_writes_each_latest_version_as_a_source(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, "govkit_test_export", tmp_path)
    assert govkit("db", "upgrade", url=url, cwd=tmp_path).returncode == 0
    empty = govkit("templates", "export", "-o", str(tmp_path / "out"), url=url, cwd=tmp_path)
    assert empty.returncode == 1 and "nothing to export" in empty.stderr
    original = Path(next(p for p in source_files() if p.parent.name == "fr" and p.name == "housing.md"))
    uploaded = govkit("templates", "upload", str(original), url=url, cwd=tmp_path)
    assert uploaded.returncode == 0, uploaded.stderr
    done = govkit("templates", "export", "-o", str(tmp_path / "out"), url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "out" / "fr" / "housing.md"
    assert f"{target} (version 1, draft; written)" in " ".join(done.stdout.split())
    source = read_source(original)
    assert build_docx(read_source(target), catalogue()) == build_docx(source, catalogue())
    again = govkit("templates", "export", "-o", str(tmp_path / "out"), url=url, cwd=tmp_path)
    assert "unchanged" in again.stdout
