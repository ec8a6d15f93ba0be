"""Kinds and root templates: upload (validated in a worker), publication, reading, and the diff
of two versions; the checks and lookups the rest of the documents service shares."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import given_id
from govkit.db import Database, stored_id, utcnow
from govkit.documents import jobs
from govkit.documents.clause_index import index_root_version
from govkit.documents.clause_library import catalogue_on
from govkit.documents.diff import ClauseDiff, diff_clauses
from govkit.documents.inspect import read_clauses
from govkit.documents.kinds import LANGUAGES, KindSpec, catalogue
from govkit.documents.models import Blob, RootTemplate, RootTemplateVersion
from govkit.documents.ooxml import DOCX_MEDIA_TYPE
from govkit.documents.render import RenderError
from govkit.documents.review_models import TrackedChangeReview
from govkit.documents.validate import ValidationReport
from govkit.documents.workers import WorkerPool
from govkit.errors import Conflict, InvalidInput, NotFound

CHANGE_KINDS = ("editorial", "substantive")


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language {language!r}: use fr or en.", key="bad_language")
    return language


def store_blob(session: Session, data: bytes, media_type: str = DOCX_MEDIA_TYPE) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(data), media_type=media_type, data=data))
        session.flush()
    return digest


def check_change(change_kind: str, changelog: str) -> str:
    if change_kind not in CHANGE_KINDS:
        raise InvalidInput(f"Unknown change kind {change_kind!r}: use editorial or substantive.", key="bad_change_kind")
    note = changelog.strip()
    if not note:
        raise InvalidInput("A changelog note is required: say what changed and why.", key="changelog_required")
    if len(note) > 4000:
        raise InvalidInput(
            "The changelog note is limited to 4000 characters.", key="changelog_long", params={"most": 4000}
        )
    return note


def list_kinds(*, actor: Principal, db: Database | None = None) -> list[KindSpec]:
    """The kinds, each with the clauses it requires today: the clause library's (``db``), else the seed's."""
    authorize(actor, Action.READ_KINDS)
    if db is None:
        return list(catalogue().kinds.values())
    with db.reading() as session:
        return list(catalogue_on(session.connection()).kinds.values())


def list_root_templates(
    *, db: Database, actor: Principal, kind: str | None = None
) -> list[tuple[RootTemplate, list[RootTemplateVersion]]]:
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    if kind is not None:
        catalogue().kind(kind)
    with db.reading() as session:
        query = select(RootTemplate).order_by(RootTemplate.kind, RootTemplate.language)
        if kind is not None:
            query = query.where(RootTemplate.kind == kind)
        templates = list(session.exec(query).all())
        versions = session.exec(
            select(RootTemplateVersion)
            .where(col(RootTemplateVersion.root_template_id).in_([t.id for t in templates]))
            .order_by(col(RootTemplateVersion.number).desc())
        ).all()
    grouped: dict[int, list[RootTemplateVersion]] = {t.id: [] for t in templates if t.id is not None}
    for version in versions:
        grouped[version.root_template_id].append(version)
    return [(t, grouped[t.id]) for t in templates if t.id is not None]


def get_root_version(
    *, db: Database, actor: Principal, version_id: int | str
) -> tuple[RootTemplate, RootTemplateVersion]:
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    key = given_id(actor, Action.READ_ROOT_TEMPLATES, version_id, "root template version")
    with db.reading() as session:
        return root_version(session, key)


def root_version(session: Session, version_id: int) -> tuple[RootTemplate, RootTemplateVersion]:
    version = session.get(RootTemplateVersion, version_id)
    if version is None:
        raise NotFound(f"No root template version {version_id}.", key="no_root_version", params={"id": version_id})
    template = session.get(RootTemplate, version.root_template_id)
    assert template is not None
    return template, version


@dataclass
class UploadOutcome:
    report: ValidationReport
    version: RootTemplateVersion | None
    template: RootTemplate | None
    created: bool = False
    #: An upload with tracked changes: kept for review (valid ones), no version until accepted.
    review: TrackedChangeReview | None = None
    #: Its changes clause by clause (govkit.documents.tracked.ClauseChanges as JSON), valid or not.
    changes: list[dict[str, Any]] = field(default_factory=list)


def _template(session: Session, kind: str, language: str) -> RootTemplate:
    template = session.exec(
        select(RootTemplate).where(RootTemplate.kind == kind, RootTemplate.language == language)
    ).first()
    if template is None:
        template = RootTemplate(kind=kind, language=language)
        session.add(template)
        session.flush()
    return template


def _keep_for_review(
    db: Database, actor: Principal, kind: str, language: str, filename: str, data: bytes, result: dict[str, Any]
) -> UploadOutcome:
    """Store a valid upload with tracked changes as an open review (the same bytes: the same review)."""
    report = ValidationReport.from_json(result["report"])
    with db.transaction() as session:
        template = _template(session, kind, language)
        digest = store_blob(session, data)
        review = session.exec(
            select(TrackedChangeReview).where(
                TrackedChangeReview.root_template_id == template.id,
                TrackedChangeReview.sha256 == digest,
                TrackedChangeReview.status == "open",
            )
        ).first()
        created = review is None
        if review is None:
            review = TrackedChangeReview(
                root_template_id=stored_id(template),
                sha256=digest,
                filename=filename,
                clauses=result["clauses"],
                report=result["report"],
                uploaded_by=actor.label,
            )
            session.add(review)
            session.flush()
        return UploadOutcome(
            report=report, version=None, template=template, created=created, review=review, changes=result["clauses"]
        )


def upload_root_template_version(
    *,
    db: Database,
    actor: Principal,
    pool: WorkerPool,
    kind: str,
    language: str,
    filename: str,
    data: bytes | Callable[[], bytes],
    max_bytes: int,
    note: str | None = None,
    then: Callable[[Session, RootTemplateVersion], None] | None = None,
) -> UploadOutcome:
    """Validate an uploaded .docx in a worker; store it as a new version only if it is valid.
    ``data`` may be a function that reads the upload, called once the caller is authorised;
    ``then`` is called with the stored version in the transaction that stores it."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    catalogue().kind(kind)
    check_language(language)
    if callable(data):
        data = data()
    if len(data) > max_bytes:
        raise InvalidInput(
            f"The file is {len(data)} bytes; the limit is {max_bytes} bytes.",
            key="file_too_large",
            params={"size": len(data), "most": max_bytes},
        )
    digest = hashlib.sha256(data).hexdigest()
    with db.reading() as session:  # the same bytes were validated and stored already
        library = catalogue_on(session.connection())  # the clause library valid today
        known = session.exec(
            select(RootTemplate, RootTemplateVersion)
            .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
            .where(
                RootTemplate.kind == kind,
                RootTemplate.language == language,
                RootTemplateVersion.sha256 == digest,
            )
        ).first()
    if known is not None and then is None:
        return UploadOutcome(
            report=ValidationReport.from_json(known[1].report),
            version=known[1],
            template=known[0],
            created=False,
        )
    result: dict[str, Any] = {}
    try:
        result = pool.run(jobs.upload_job, data, kind, language, max_bytes, library)
        report = ValidationReport.from_json(result["report"])
    except RenderError as exc:  # time or memory limit: the template itself is the problem
        report = ValidationReport(sha256=digest, kind=kind, language=language)
        report.error("(render)", str(exc))
    clean_name = re.sub(r"[^\w.\- ]+", "_", filename or "template.docx")[:200] or "template.docx"
    if "clauses" in result and report.valid:  # tracked changes: a review, not a version
        return _keep_for_review(db, actor, kind, language, clean_name, data, result)
    if not report.valid:
        return UploadOutcome(report=report, version=None, template=None, changes=result.get("clauses", []))
    for attempt in range(3):
        try:
            with db.transaction() as session:
                template = _template(session, kind, language)
                existing = session.exec(
                    select(RootTemplateVersion).where(
                        RootTemplateVersion.root_template_id == template.id,
                        RootTemplateVersion.sha256 == report.sha256,
                    )
                ).first()
                if existing is not None:
                    if then is not None:
                        then(session, existing)
                    return UploadOutcome(report=report, version=existing, template=template, created=False)
                store_blob(session, data)
                number = (
                    session.exec(
                        select(sa.func.max(RootTemplateVersion.number)).where(
                            RootTemplateVersion.root_template_id == template.id
                        )
                    ).one()
                    or 0
                ) + 1
                version = RootTemplateVersion(
                    root_template_id=stored_id(template),
                    number=number,
                    sha256=report.sha256,
                    filename=clean_name,
                    report=report.to_json(),
                    clauses=report.clauses,
                    note=note,
                    uploaded_by=actor.label,
                )
                session.add(version)
                session.flush()
                index_root_version(session, template, version, data)  # searchable from this commit on
                if then is not None:
                    then(session, version)
                return UploadOutcome(report=report, version=version, template=template, created=True)
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise Conflict(
                    "Another upload of this template happened at the same time: try again.", key="concurrent_upload"
                ) from None
    raise AssertionError("unreachable")


def publish_root_template_version(
    *,
    db: Database,
    actor: Principal,
    version_id: int | str,
    change_kind: str,
    changelog: str,
    four_eyes: bool = False,
) -> RootTemplateVersion:
    """Freeze a valid version: it becomes the one variants are rendered from. With ``four_eyes``
    (govkit.approvals), a substantive change is refused here: it goes through an approval
    (govkit.flows.root_publication)."""
    authorize(actor, Action.PUBLISH_ROOT_TEMPLATE)
    key = given_id(actor, Action.PUBLISH_ROOT_TEMPLATE, version_id, "root template version")
    note = check_change(change_kind, changelog)
    if four_eyes and change_kind == "substantive":
        raise Conflict(
            "A substantive publication needs a second legal officer's approval (four eyes): "
            "use publishRootVersion, or the template's page.",
            key="four_eyes_required",
        )
    with db.transaction() as session:
        _template, version = publish_version(session, key, change_kind=change_kind, note=note, by=actor.label)
        return version


def publishable(session: Session, version_id: int, change_kind: str) -> tuple[RootTemplate, RootTemplateVersion]:
    """A version that may be published as ``change_kind`` (valid, not yet published; the first
    published version of a template is substantive), or the error that says why not."""
    template, version = root_version(session, version_id)
    if version.published_at is not None:
        raise Conflict(
            f"Version {version.number} of {template.kind}/{template.language} was already published "
            f"on {version.published_at:%Y-%m-%d}; published versions are immutable.",
            key="already_published",
            params={"version": version.number, "day": version.published_at},
        )
    if not version.report.get("valid"):
        raise InvalidInput("This version did not pass validation and cannot be published.", key="not_valid_version")
    earlier = session.exec(
        select(sa.func.count())
        .select_from(RootTemplateVersion)
        .where(
            RootTemplateVersion.root_template_id == template.id,
            col(RootTemplateVersion.published_at).is_not(None),
        )
    ).one()
    if not earlier and change_kind != "substantive":
        raise InvalidInput(
            "The first published version of a root template is a substantive change.", key="first_substantive"
        )
    return template, version


def publish_version(
    session: Session, version_id: int, *, change_kind: str, note: str, by: str
) -> tuple[RootTemplate, RootTemplateVersion]:
    """Publish a version in the caller's transaction (checked by ``publishable``), as ``by``."""
    template, version = publishable(session, version_id, change_kind)
    version.published_at = utcnow()
    version.published_by = by
    version.change_kind = change_kind
    version.changelog = note
    session.add(version)
    session.flush()
    return template, version


def published_root(session: Session, kind: str, language: str) -> tuple[RootTemplate, RootTemplateVersion]:
    row = session.exec(
        select(RootTemplate, RootTemplateVersion)
        .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
        .where(
            RootTemplate.kind == kind,
            RootTemplate.language == language,
            col(RootTemplateVersion.published_at).is_not(None),
        )
        .order_by(col(RootTemplateVersion.number).desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"No published root template for {kind} in {language}: upload and publish one first.")
    return row


def diff_root_versions(*, db: Database, actor: Principal, from_id: int | str, to_id: int | str) -> list[ClauseDiff]:
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    a_id = given_id(actor, Action.READ_ROOT_TEMPLATES, from_id, "root template version")
    b_id = given_id(actor, Action.READ_ROOT_TEMPLATES, to_id, "root template version")
    with db.reading() as session:
        a_template, a = root_version(session, a_id)
        b_template, b = root_version(session, b_id)
        if (a_template.kind, a_template.language) != (b_template.kind, b_template.language):
            raise InvalidInput(
                "Compare two versions of the same root template (same kind and language).", key="compare_same"
            )
        blob_a, blob_b = session.get(Blob, a.sha256), session.get(Blob, b.sha256)
    assert blob_a is not None
    assert blob_b is not None
    return diff_clauses(read_clauses(blob_a.data), read_clauses(blob_b.data), a_template.language)
