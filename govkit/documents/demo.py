"""Publish the root templates of templates/reglements and every school's variants (for the demo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.auth.roles import SYSTEM
from govkit.db import Database
from govkit.documents import service
from govkit.documents.build import build_docx
from govkit.documents.kinds import TEMPLATES_DIR, catalogue
from govkit.documents.models import DocumentVersion
from govkit.documents.source import read_source
from govkit.documents.workers import WorkerPool
from govkit.errors import InvalidInput

CHANGELOG = "Trame commune du groupe IMT (plan d'action VSS 2021-2023, axe 4)."


@dataclass
class PublicationReport:
    uploaded: int = 0
    rendered: int = 0
    reused: int = 0
    published: int = 0
    failures: list[str] = field(default_factory=list)


def source_files(directory: Path = TEMPLATES_DIR) -> list[Path]:
    return sorted(directory.glob("fr/*.md")) + sorted(directory.glob("en/*.md"))


def publish_root_template(*, db: Database, pool: WorkerPool, max_bytes: int, path: Path) -> tuple[str, str, bool]:
    """Upload (validated in a worker) and publish the root template built from one source; idempotent.

    Returns its kind, its language and whether a new version was uploaded.
    """
    source = read_source(path)
    data = build_docx(source, catalogue())
    outcome = service.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=pool,
        kind=source.kind,
        language=source.language,
        filename=f"trame-{source.kind}-{source.language}.docx",
        data=data,
        max_bytes=max_bytes,
        note=f"Construite depuis templates/reglements/{source.language}/{path.name}",
    )
    if outcome.version is None:
        problems = "; ".join(f"{i.part} ¶{i.paragraph}: {i.message}" for i in outcome.report.items)
        raise InvalidInput(f"{path.name} is not a valid root template: {problems}")
    if outcome.version.published_at is None:
        service.publish_root_template_version(
            db=db,
            actor=SYSTEM,
            version_id=outcome.version.id,  # type: ignore[arg-type]
            change_kind="substantive",
            changelog=CHANGELOG,
        )
    return source.kind, source.language, outcome.created


def publish_all(
    *,
    db: Database,
    pool: WorkerPool,
    max_bytes: int,
    policy: CampaignPolicy | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublicationReport:
    """Idempotent: unchanged sources upload nothing, unchanged inputs render nothing."""
    report = PublicationReport()
    for path in source_files():
        kind, language, created = publish_root_template(db=db, pool=pool, max_bytes=max_bytes, path=path)
        report.uploaded += int(created)
        summary = service.render_variants(db=db, actor=SYSTEM, pool=pool, kind=kind, language=language)
        report.rendered += summary.rendered
        report.reused += summary.reused
        report.failures += [f"{f.organisation_code} {kind}/{language}: {f.message}" for f in summary.failures]
        for org, variant in summary.variants:
            with db.reading() as session:
                current = session.exec(
                    select(DocumentVersion.sha256)
                    .where(
                        DocumentVersion.organisation_id == org.id,
                        DocumentVersion.kind == kind,
                        DocumentVersion.language == language,
                    )
                    .order_by(col(DocumentVersion.number).desc())
                    .limit(1)
                ).first()
            if current != variant.sha256:
                service.publish_variant(db=db, actor=SYSTEM, variant_id=variant.id, policy=policy)  # type: ignore[arg-type]
                report.published += 1
        if progress:
            progress(f"{kind}/{language}")
    return report
