"""Editing a clause of the latest root template version: its text in the clause markup
(govkit.documents.markup), and a new draft version with the clause replaced, validated as any upload."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import given_id
from govkit.db import Database
from govkit.documents.edit import clause_source, replace_clause
from govkit.documents.export import export_source
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, RootTemplate, RootTemplateVersion
from govkit.documents.root_templates import UploadOutcome, check_language, upload_root_template_version
from govkit.documents.workers import WorkerPool
from govkit.errors import Conflict, NotFound


@dataclass(frozen=True)
class ClauseSource:
    template: RootTemplate
    version: RootTemplateVersion
    key: str
    text: str


def latest_root_version(session: Session, kind: str, language: str) -> tuple[RootTemplate, RootTemplateVersion]:
    """The newest version (draft or published) of a root template: the one an edit starts from."""
    row = session.exec(
        select(RootTemplate, RootTemplateVersion)
        .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
        .where(RootTemplate.kind == kind, RootTemplate.language == language)
        .order_by(col(RootTemplateVersion.number).desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(
            f"No version of {kind} ({language}) to edit yet.", key="no_version_to_edit", params={"kind": kind}
        )
    return row


def _latest_with_data(db: Database, kind: str, language: str) -> tuple[RootTemplate, RootTemplateVersion, bytes]:
    catalogue().kind(kind)
    check_language(language)
    with db.reading() as session:
        template, version = latest_root_version(session, kind, language)
        blob = session.get(Blob, version.sha256)
    assert blob is not None  # a version's bytes are stored with it
    return template, version, blob.data


def get_clause_source(*, db: Database, actor: Principal, kind: str, language: str, key: str) -> ClauseSource:
    """A clause of the latest version of a root template, in the clause markup."""
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    template, version, data = _latest_with_data(db, kind, language)
    return ClauseSource(template=template, version=version, key=key, text=clause_source(data, key))


def edit_clause(
    *,
    db: Database,
    actor: Principal,
    pool: WorkerPool,
    kind: str,
    language: str,
    key: str,
    text: str,
    max_bytes: int,
    base_version_id: int | str | None = None,
) -> UploadOutcome:
    """A new draft version of the root template with clause ``key`` holding ``text`` (markup), stored
    only if it passes the validation of any upload. ``base_version_id``: the version the text was read
    from; when a newer version was saved since, the edit is refused rather than undoing that version."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    _template, version, data = _latest_with_data(db, kind, language)
    if base_version_id is not None:
        base = given_id(actor, Action.UPLOAD_ROOT_TEMPLATE, base_version_id, "root template version")
        if base != version.id:
            raise Conflict(
                f"Version {version.number} of {kind} ({language}) was saved since this clause was opened: "
                "open the clause again and redo the change.",
                key="clause_edit_stale",
                params={"version": version.number},
            )
    return upload_root_template_version(
        db=db,
        actor=actor,
        pool=pool,
        kind=kind,
        language=language,
        filename=f"trame-{kind}-{language}.docx",
        data=replace_clause(data, key, text),
        max_bytes=max_bytes,
        note=f"Clause {key} modifiée dans l'éditeur (à partir de la version {version.number})",
    )


@dataclass(frozen=True)
class ExportedSource:
    kind: str
    language: str
    number: int
    published: bool
    text: str
    warnings: list[str]


def export_sources(*, db: Database, actor: Principal, published_only: bool = False) -> list[ExportedSource]:
    """The latest version (or the latest published one) of every root template as its text source."""
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    found: list[ExportedSource] = []
    with db.reading() as session:
        rows = session.exec(
            select(RootTemplate, RootTemplateVersion)
            .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
            .where(col(RootTemplateVersion.published_at).is_not(None) if published_only else sa.true())
            .order_by(RootTemplate.kind, RootTemplate.language, col(RootTemplateVersion.number).desc())
        ).all()
        latest: dict[tuple[str, str], tuple[RootTemplate, RootTemplateVersion]] = {}
        for template, version in rows:
            latest.setdefault((template.kind, template.language), (template, version))
        for template, version in latest.values():
            blob = session.get(Blob, version.sha256)
            assert blob is not None  # a version's bytes are stored with it
            exported = export_source(blob.data, kind=template.kind, language=template.language)
            found.append(
                ExportedSource(
                    kind=template.kind,
                    language=template.language,
                    number=version.number,
                    published=version.published_at is not None,
                    text=exported.text,
                    warnings=exported.warnings,
                )
            )
    return found
