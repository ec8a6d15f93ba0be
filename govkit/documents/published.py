"""Published documents: a variant put in force for its school from a date (the documents' part of
govkit.flows.publication), the documents in force on a date, a document's history, and
downloads by hash."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.db import Database, stored_id
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.root_templates import check_change, check_language, root_version
from govkit.documents.variants import variant_for
from govkit.errors import Conflict, InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60]


@dataclass(frozen=True)
class Publication:
    """A variant put in force: the new version of its school's document, the one it follows."""

    document: DocumentVersion
    previous: DocumentVersion | None
    school: str


def put_in_force(
    session: Session,
    *,
    actor: Principal,
    variant_id: int | str,
    effective_from: date | None = None,
    change_kind: str | None = None,
    changelog: str | None = None,
) -> Publication:
    """Put a variant in force for its school from a date, as the next version of that document, in
    the caller's transaction (govkit.flows.publication: with its campaign, after the chain's lock)."""
    variant = variant_for(session, actor, Action.PUBLISH_VARIANT, variant_id)
    template, version = root_version(session, variant.root_template_version_id)
    effective = effective_from or date.today()
    previous = session.exec(
        select(DocumentVersion)
        .where(
            DocumentVersion.organisation_id == variant.organisation_id,
            DocumentVersion.kind == template.kind,
            DocumentVersion.language == template.language,
        )
        .order_by(col(DocumentVersion.number).desc())
        .limit(1)
    ).first()
    kind_of_change = change_kind or (version.change_kind if previous else "substantive") or "substantive"
    note = check_change(kind_of_change, changelog or version.changelog or "Nouvelle version.")
    if previous is None and kind_of_change != "substantive":
        raise InvalidInput("The first version of a school's document is a substantive change.")
    if previous is not None:
        if previous.sha256 == variant.sha256:
            raise Conflict(
                f"This variant is already in force as version {previous.number} "
                f"since {previous.effective_from:%Y-%m-%d}."
            )
        if effective < previous.effective_from:
            raise InvalidInput(
                f"The effective date {effective:%Y-%m-%d} is before that of version {previous.number} "
                f"({previous.effective_from:%Y-%m-%d})."
            )
    document = DocumentVersion(
        organisation_id=variant.organisation_id,
        kind=template.kind,
        language=template.language,
        number=(previous.number + 1) if previous else 1,
        variant_id=stored_id(variant),
        sha256=variant.sha256,
        clauses=variant.clauses,
        effective_from=effective,
        change_kind=kind_of_change,
        changelog=note,
        published_by=actor.label,
    )
    session.add(document)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict("Another version of this document was published at the same time: reload and retry.") from exc
    org = session.get(Organisation, variant.organisation_id)
    assert org is not None
    return Publication(document=document, previous=previous, school=org.code)


def published_documents(
    *, db: Database, actor: Principal, school: str, language: str | None = None, as_of: date | None = None
) -> list[tuple[Organisation, DocumentVersion]]:
    """The documents in force at a school on a date (today by default), one per kind and language."""
    authorize_some(actor, Action.READ_PUBLISHED)
    day = as_of or date.today()
    with db.reading() as session:
        org = organisation_for(session, actor, Action.READ_PUBLISHED, school)
        if language is not None:
            check_language(language)
        query = (
            select(DocumentVersion)
            .where(DocumentVersion.organisation_id == org.id, DocumentVersion.effective_from <= day)
            .order_by(DocumentVersion.kind, DocumentVersion.language, col(DocumentVersion.number).desc())
        )
        if language is not None:
            query = query.where(DocumentVersion.language == language)
        rows = session.exec(query).all()
    order = list(catalogue().kinds)
    current: dict[tuple[str, str], DocumentVersion] = {}
    for row in rows:
        current.setdefault((row.kind, row.language), row)
    ranked = sorted(current.values(), key=lambda d: (order.index(d.kind) if d.kind in order else 99, d.language))
    return [(org, d) for d in ranked]


def document_history(*, db: Database, actor: Principal, school: str, kind: str, language: str) -> list[DocumentVersion]:
    authorize_some(actor, Action.READ_PUBLISHED)
    with db.reading() as session:
        org = organisation_for(session, actor, Action.READ_PUBLISHED, school)
        return list(
            session.exec(
                select(DocumentVersion)
                .where(
                    DocumentVersion.organisation_id == org.id,
                    DocumentVersion.kind == kind,
                    DocumentVersion.language == language,
                )
                .order_by(col(DocumentVersion.number).desc())
            ).all()
        )


@dataclass(frozen=True)
class Download:
    data: bytes
    media_type: str
    filename: str


def download(*, db: Database, actor: Principal, sha256: str) -> Download:
    """The bytes of a stored document, if the actor may read something that refers to them."""
    authorize_some(actor, Action.READ_PUBLISHED)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidInput("A document is identified by the 64 hexadecimal characters of its SHA-256.")
    with db.reading() as session:
        names: list[str] = []
        for document, org in session.exec(
            select(DocumentVersion, Organisation)
            .join(Organisation, col(Organisation.id) == DocumentVersion.organisation_id)
            .where(DocumentVersion.sha256 == sha256)
        ).all():
            if is_allowed(actor, Action.READ_PUBLISHED, organisation_id=org.id):
                names.append(
                    f"{slug(catalogue().kind(document.kind).title.get(document.language))}-{org.code}"
                    f"-v{document.number}-{document.language}.docx"
                )
        if not names:
            for variant, org in session.exec(
                select(Variant, Organisation)
                .join(Organisation, col(Organisation.id) == Variant.organisation_id)
                .where(Variant.sha256 == sha256)
            ).all():
                if is_allowed(actor, Action.READ_VARIANTS, organisation_id=org.id):
                    names.append(f"variant-{org.code}-{variant.id}.docx")
        if not names and is_allowed(actor, Action.READ_ROOT_TEMPLATES):
            for version, template in session.exec(
                select(RootTemplateVersion, RootTemplate)
                .join(RootTemplate, col(RootTemplate.id) == RootTemplateVersion.root_template_id)
                .where(RootTemplateVersion.sha256 == sha256)
            ).all():
                names.append(f"trame-{slug(template.kind)}-v{version.number}-{template.language}.docx")
        blob = session.get(Blob, sha256) if names else None
    if blob is None:
        # the same answer whether the file does not exist or may not be read: no probing
        raise NotFound(f"No document {sha256} that you may read.")
    return Download(data=blob.data, media_type=blob.media_type, filename=names[0])
