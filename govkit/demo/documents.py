"""Publish the root templates of govkit/documents/templates and every school's variants (for the demo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import select

from govkit.access.roles import SYSTEM
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.db import Database, stored_id
from govkit.documents import renditions, root_templates, service
from govkit.documents.build import build_docx
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.documents.source import read_source, source_files
from govkit.documents.workers import WorkerPool
from govkit.errors import InvalidInput, NotFound
from govkit.flows.publication import publish_variant
from govkit.organisations.models import Organisation
from govkit.organisations.vocabulary import OrganisationType

CHANGELOG = "Trame commune du groupe IMT (plan d'action VSS 2021-2023, axe 4)."


@dataclass
class PublicationReport:
    uploaded: int = 0
    rendered: int = 0
    reused: int = 0
    published: int = 0
    #: School documents already in force from the demo's root template versions, left as they are.
    in_force: int = 0
    #: Kinds and languages whose documents legal staff now manage (a newer root template version).
    left_alone: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: Published documents whose PDF/A conversion was queued, in one job (one LibreOffice run).
    renditions_queued: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.rendered or self.published)

    def summary(self) -> str:
        """One line saying what this run did to the documents."""
        done = (
            f"{self.uploaded} root template versions uploaded, {self.rendered} variants rendered, "
            f"{self.published} published"
        )
        kept = [f"{self.in_force} already in force"] if self.in_force else []
        if self.reused:
            kept.append(f"{self.reused} variants already rendered")
        if self.left_alone:
            kept.append(f"{len(self.left_alone)} left to legal staff")
        if self.renditions_queued:
            done += f", {self.renditions_queued} queued for PDF/A conversion"
        return f"documents: {done}" + (f" ({', '.join(kept)})" if kept else "")


def publish_root_template(*, db: Database, pool: WorkerPool, max_bytes: int, path: Path) -> tuple[str, str, bool]:
    """Upload (validated in a worker) and publish the root template built from one source; idempotent.

    Returns its kind, its language and whether a new version was uploaded.
    """
    version, created = _publish_source(db=db, pool=pool, max_bytes=max_bytes, path=path)
    return version.kind, version.language, created


@dataclass(frozen=True)
class _DemoVersion:
    id: int
    kind: str
    language: str
    number: int


def _publish_source(*, db: Database, pool: WorkerPool, max_bytes: int, path: Path) -> tuple[_DemoVersion, bool]:
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
        note=f"Construite depuis govkit/documents/templates/{source.language}/{path.name}",
    )
    if outcome.version is None:
        problems = "; ".join(f"{i.part} ¶{i.paragraph}: {i.message}" for i in outcome.report.items)
        raise InvalidInput(f"{path.name} is not a valid root template: {problems}")
    if outcome.version.published_at is None:
        service.publish_root_template_version(
            db=db,
            actor=SYSTEM,
            version_id=stored_id(outcome.version),
            change_kind="substantive",
            changelog=CHANGELOG,
        )
    version = _DemoVersion(stored_id(outcome.version), source.kind, source.language, outcome.version.number)
    return version, outcome.created


def _latest_published_root(db: Database, kind: str, language: str) -> tuple[int, int] | None:
    """The id and number of the root template version variants of (kind, language) are rendered from."""
    with db.reading() as session:
        try:
            _template, version = root_templates.published_root(session, kind, language)
        except NotFound:
            return None
    return stored_id(version), version.number


def _current_documents(db: Database, kind: str, language: str) -> dict[int, str]:
    """Each school's document of (kind, language) in force: organisation id → its SHA-256."""
    with db.reading() as session:
        rows = session.exec(
            select(DocumentVersion.organisation_id, DocumentVersion.number, DocumentVersion.sha256).where(
                DocumentVersion.kind == kind, DocumentVersion.language == language
            )
        ).all()
    latest: dict[int, tuple[int, str]] = {}
    for organisation_id, number, sha256 in rows:
        if organisation_id not in latest or latest[organisation_id][0] < number:
            latest[organisation_id] = (number, sha256)
    return {organisation_id: sha256 for organisation_id, (_n, sha256) in latest.items()}


def _schools(db: Database) -> list[Organisation]:
    with db.reading() as session:
        query = select(Organisation).where(Organisation.type == OrganisationType.SCHOOL.value)
        return list(session.exec(query.order_by(Organisation.code)).all())


def publish_all(
    *,
    db: Database,
    pool: WorkerPool,
    max_bytes: int,
    policy: CampaignPolicy | None = None,
    progress: Callable[[str], None] | None = None,
    refresh: bool = True,
) -> PublicationReport:
    """Publish every school's documents from the demo's root templates; idempotent.

    Unchanged sources upload nothing and unchanged inputs render nothing. ``refresh`` (the demo
    data was just loaded): every school's variant is rendered and published where it differs from
    the document in force; otherwise only schools still without a document get one, so that a
    second run changes nothing. A kind whose newest published root template version is not the
    demo's (legal staff published one since) is left alone: its variants are the schools' to
    render and publish.
    """
    report = PublicationReport()
    schools = _schools(db)
    # PDF/A renditions: one job for every document at the end (one LibreOffice run), not one per publication
    each = replace(policy, renditions=False) if policy is not None else None
    for path in source_files():
        demo, created = _publish_source(db=db, pool=pool, max_bytes=max_bytes, path=path)
        kind, language = demo.kind, demo.language
        report.uploaded += int(created)
        latest = _latest_published_root(db, kind, language)
        if latest is not None and latest[0] != demo.id:
            report.left_alone.append(
                f"{kind}/{language}: root template version {latest[1]}, newer than the demo's "
                f"(version {demo.number}), is managed by legal staff: left alone"
            )
            continue
        current = _current_documents(db, kind, language)
        codes = None if refresh or created else [o.code for o in schools if o.id not in current]
        if codes is not None:
            report.in_force += len(current)
        if codes is None or codes:
            summary = service.render_variants(
                db=db, actor=SYSTEM, pool=pool, kind=kind, language=language, schools=codes
            )
            report.rendered += summary.rendered
            report.reused += summary.reused
            report.failures += [f"{f.organisation_code} {kind}/{language}: {f.message}" for f in summary.failures]
            for org, variant in summary.variants:
                if current.get(stored_id(org)) == variant.sha256:
                    report.in_force += 1
                    continue
                publish_variant(db=db, actor=SYSTEM, variant_id=stored_id(variant), policy=each)
                report.published += 1
        if progress:
            progress(f"{kind}/{language}")
    if policy is not None and policy.renditions and policy.jobs is not None:
        report.renditions_queued = renditions.defer_pending(db=db, jobs=policy.jobs, key="renditions:demo")
    return report
