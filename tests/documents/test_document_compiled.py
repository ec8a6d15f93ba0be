"""A root template version is compiled once and reused: same bytes as a fresh compilation, every time."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import jobs, variants
from govkit.documents import service as documents
from govkit.documents.build import build_docx
from govkit.documents.context import DocumentInfo, build_context
from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import TEMPLATES_DIR, catalogue
from govkit.documents.models import Blob, Variant
from govkit.documents.ooxml import pack, read_entries, rezip
from govkit.documents.render import (
    PortableTemplate,
    compile_portable,
    compile_template,
    load_template,
    render,
    render_document,
)
from govkit.documents.source import read_source
from govkit.documents.validate import full_sample_context
from govkit.documents.workers import WorkerPool
from govkit.organisations.models import Campus, Organisation
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.revisions import latest_profiles
from tests.docx_factory import minimal_docx

SOURCES = [TEMPLATES_DIR / "fr" / "internal.md", TEMPLATES_DIR / "en" / "housing.md"]


def _template(path: Path) -> tuple[bytes, dict[str, Any]]:
    source = read_source(path)
    title = catalogue().kind(source.kind).title.get(source.language)
    return build_docx(source, catalogue()), full_sample_context(source.kind, source.language, title)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_packed_entries_make_the_same_zip(path: Path) -> None:
    entries = read_entries(_template(path)[0])
    expected = rezip(entries)
    assert rezip([(name, pack(name, data)) for name, data in entries]) == expected
    mixed = [(name, pack(name, data) if i % 2 else data) for i, (name, data) in enumerate(entries)]
    assert rezip(mixed) == expected


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_template_compiled_elsewhere_renders_the_bytes_of_a_fresh_compilation(path: Path) -> None:
    data, context = _template(path)
    fresh = render(compile_template(data), context)
    whole = pickle.loads(pickle.dumps(compile_portable(data)))  # as it crosses from a worker to another
    pieces = PortableTemplate.combine(
        [
            pickle.loads(pickle.dumps(jobs.compile_job("sha", data, body=True))),
            pickle.loads(pickle.dumps(jobs.compile_job("sha", data, body=False))),
        ]
    )
    for portable in (whole, pieces):
        reused = load_template(portable)
        assert render(reused, context) == fresh
        assert render(reused, context) == fresh  # and again: a compiled template is reused as is
    document = render_document(load_template(pieces), context)
    assert document.clauses == tuple(clause_keys(document.data))


def test_a_piece_alone_is_not_a_template() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        load_template(jobs.compile_job("sha", minimal_docx(), body=True))


def _contexts(db: Database, codes: list[str], root_version: int) -> dict[str, dict[str, Any]]:
    """The contexts render_variants builds for these schools (an internal regulation in French)."""
    with db.reading() as session:
        orgs = session.exec(select(Organisation).where(col(Organisation.code).in_(codes))).all()
        revisions = latest_profiles(session, [o.id for o in orgs])
        found = {}
        for org in orgs:
            campuses = session.exec(select(Campus).where(Campus.organisation_id == org.id).order_by(Campus.name))
            found[org.code] = build_context(
                code=org.code,
                profile=SchoolProfile.model_validate(revisions[org.id].data),  # type: ignore[index]
                campuses=[(c.code, c.name) for c in campuses],
                document=DocumentInfo("internal", "fr", catalogue().kind("internal").title.get("fr"), root_version),
            )
    return found


def test_render_variants_compiles_a_version_once_and_stores_fresh_bytes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    compile_job = jobs.compile_job

    def counting(sha256: str, data: bytes, body: bool | None = None) -> PortableTemplate:
        calls.append(sha256)
        return compile_job(sha256, data, body)

    monkeypatch.setattr(jobs, "compile_job", counting)
    pool = WorkerPool(processes=0, timeout=30, memory_mb=1536)  # in this process, to count compilations
    data = minimal_docx(
        body="Rédaction {{ school.code }} pour {{ campuses|length }} campus.", extra_clause="vss.inquiry"
    )
    upload = documents.upload_root_template_version(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", filename="t.docx", data=data, max_bytes=10**7
    )
    assert upload.version is not None
    documents.publish_root_template_version(
        db=db, actor=SYSTEM, version_id=upload.version.id, change_kind="substantive", changelog="Essai"
    )
    first = documents.render_variants(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=["imt-atlantique", "telecom-paris"]
    )
    second = documents.render_variants(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=["mines-saint-etienne", "imt-bs"]
    )
    again = documents.render_variants(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=["imt-atlantique", "imt-bs"]
    )
    assert (first.rendered, second.rendered, again.rendered, again.reused) == (2, 2, 0, 2)
    assert calls == [upload.version.sha256], "compiled once for every school"
    contexts = _contexts(db, ["imt-atlantique", "telecom-paris", "mines-saint-etienne", "imt-bs"], first.root_version)
    with db.reading() as session:
        for org, variant in first.variants + second.variants:
            context = contexts[org.code]
            assert variant.inputs_sha256 == documents.variant_inputs_sha256(upload.version.sha256, context)
            blob = session.get(Blob, variant.sha256)
            assert blob is not None
            assert blob.data == render(compile_template(data), context)
            assert variant.clauses == clause_keys(blob.data)
            assert hashlib.sha256(blob.data).hexdigest() == variant.sha256


def test_a_batch_rendered_concurrently_elsewhere_keeps_the_variants_stored_first(db: Database) -> None:
    pool = WorkerPool(processes=0, timeout=30, memory_mb=1536)
    data = minimal_docx(body="Version concurrente {{ school.code }}.", extra_clause="vss.inquiry")
    upload = documents.upload_root_template_version(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", filename="t.docx", data=data, max_bytes=10**7
    )
    assert upload.version is not None
    documents.publish_root_template_version(
        db=db, actor=SYSTEM, version_id=upload.version.id, change_kind="substantive", changelog="Essai"
    )
    schools = ["imt-atlantique", "telecom-paris"]
    summary = documents.render_variants(db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=schools)
    stored = {org.code: variant for org, variant in summary.variants}
    with db.reading() as session:
        revisions = latest_profiles(session, [org.id for org, _ in summary.variants])
    batch = [
        (
            org,
            revisions[org.id],  # type: ignore[index]
            variant.inputs_sha256,
            jobs.RenderOutcome(org.code, data=f"another rendering for {org.code}".encode(), clauses=("x",)),
        )
        for org, variant in summary.variants
    ]
    # the same inputs, stored by another render at the same time: one at a time, theirs are kept
    kept = variants._store_variants(db, SYSTEM, upload.version, batch)  # type: ignore[arg-type]
    assert [v.id for v in kept] == [stored[org.code].id for org, *_ in batch]
    with db.reading() as session:
        count = session.exec(
            select(func.count()).select_from(Variant).where(Variant.root_template_version_id == upload.version.id)
        ).one()
    assert count == len(schools)
