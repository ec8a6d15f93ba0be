"""Golden texts: the clauses of a few demo variants, as read back from the rendered .docx.

A change to a root template or to the renderer shows here as a readable diff.
Regenerate after a deliberate change with: GOVKIT_UPDATE_GOLDEN=1 pytest tests/documents/test_golden_clauses.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import service
from govkit.documents.inspect import read_clauses

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = [
    ("mines-saint-etienne", "internal", "fr"),
    ("mines-saint-etienne", "housing", "fr"),
    ("imt-mines-albi", "housing", "fr"),
    ("imt-atlantique", "equality_annex", "fr"),
    ("imt-bs", "study", "en"),
    ("telecom-paris", "reflex_sheet.student_victim", "fr"),
]


def dump(data: bytes) -> str:
    return "".join(f"[{c.key}]\n{c.text}\n\n" for c in read_clauses(data))


@pytest.mark.parametrize(("school", "kind", "language"), CASES, ids=str)
def test_clause_text_matches_the_golden_file(engines: dict, school: str, kind: str, language: str) -> None:
    db = Database(next(iter(engines.values())))
    documents = service.published_documents(db=db, actor=SYSTEM, school=school, language=language)
    document = next(d for _org, d in documents if d.kind == kind)
    text = dump(service.download(db=db, actor=SYSTEM, sha256=document.sha256).data)
    path = GOLDEN / f"{school}.{kind}.{language}.txt"
    if os.environ.get("GOVKIT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing: run with GOVKIT_UPDATE_GOLDEN=1 once and review it"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed: review, then GOVKIT_UPDATE_GOLDEN=1"


def test_every_backend_renders_the_same_bytes(engines: dict) -> None:
    shas = []
    for engine in engines.values():
        documents = service.published_documents(db=Database(engine), actor=SYSTEM, school="imt-atlantique")
        shas.append(sorted(d.sha256 for _org, d in documents))
    assert all(s == shas[0] for s in shas)
