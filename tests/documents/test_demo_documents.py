"""After the demo set-up, every school has its documents in force, complete, in French and English."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import service
from govkit.documents.inspect import clause_keys, read_clauses
from govkit.documents.kinds import catalogue
from tests.conftest import Api, TokenFactory
from tests.web.test_health_and_directory import SCHOOLS

QUERY = """query($school: String!) {
  publishedDocuments(school: $school) { kind language version sha256 downloadUrl clauses { key } }
}"""
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _documents(api: Api, token: TokenFactory, school: str) -> list[dict]:
    return api.data(QUERY, {"school": school}, token=token("auditor"))["publishedDocuments"]


def test_every_school_has_every_document_in_both_languages(api: Api, token: TokenFactory) -> None:
    expected = {(kind, language) for kind in catalogue().kinds for language in ("fr", "en")}
    for school in sorted(SCHOOLS):
        documents = _documents(api, token, school)
        assert {(d["kind"], d["language"]) for d in documents} == expected, school
        for document in documents:
            required = set(catalogue().kind(document["kind"]).required_clauses)
            assert required <= {c["key"] for c in document["clauses"]}, (school, document["kind"])


def test_downloads_open_in_python_docx_and_hold_the_required_clauses(api: Api, token: TokenFactory) -> None:
    auditor = token("auditor")
    for document in _documents(api, token, "mines-saint-etienne"):
        response = api.request("GET", document["downloadUrl"], headers={"Authorization": f"Bearer {auditor}"})
        assert response.status_code == 200
        opened = docx.Document(io.BytesIO(response.content))
        assert "Mines Saint-Étienne" in opened.core_properties.title or document["kind"].startswith("reflex")
        keys = clause_keys(response.content)
        assert set(catalogue().kind(document["kind"]).required_clauses) <= set(keys)


def test_variants_follow_the_school_profile(api: Api, token: TokenFactory) -> None:
    auditor = token("auditor")

    def housing_text(school: str) -> str:
        document = next(d for d in _documents(api, token, school) if d["kind"] == "housing" and d["language"] == "fr")
        data = api.request("GET", document["downloadUrl"], headers={"Authorization": f"Bearer {auditor}"}).content
        return "\n".join(c.text for c in read_clauses(data))

    saint_etienne = housing_text("mines-saint-etienne")
    assert "Gardanne" in saint_etienne
    assert "anciens élèves" in saint_etienne
    albi = housing_text("imt-mines-albi")
    assert "Gardanne" not in albi


PAGES = {
    "internal": (6, 30),
    "study": (3, 16),
    "housing": (3, 14),
    "equality_annex": (4, 20),
}


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_libreoffice_converts_every_variant_to_pdf(engines: dict, tmp_path: Path) -> None:
    """The documents are the same bytes on both databases: converted once, from the first backend."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is required (Debian package libreoffice-writer-nogui; scripts/test installs it)"
    db = Database(next(iter(engines.values())))
    sources: dict[str, str] = {}
    for school in sorted(SCHOOLS):
        for org, document in service.published_documents(db=db, actor=SYSTEM, school=school):
            name = f"{org.code}__{document.kind}__{document.language}"
            data = service.download(db=db, actor=SYSTEM, sha256=document.sha256).data
            (tmp_path / f"{name}.docx").write_bytes(data)
            sources[name] = document.kind
    assert len(sources) == 8 * len(catalogue().kinds) * 2
    result = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *sorted(str(tmp_path / f"{n}.docx") for n in sources),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ARTIFACTS.mkdir(exist_ok=True)
    for name, kind in sources.items():
        pdf = (tmp_path / "pdf" / f"{name}.pdf").read_bytes()
        pages = _page_count(pdf)
        low, high = PAGES.get(kind, (1, 4))
        assert low <= pages <= high, f"{name}: {pages} pages, expected {low} to {high}"
    sample = tmp_path / "pdf" / "mines-saint-etienne__internal__fr.pdf"
    shutil.copy(sample, ARTIFACTS / sample.name)
