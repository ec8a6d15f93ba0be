"""Root templates, variants and published documents: every read and write, authorised here."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements import campaigns, chain
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.auth.policy import Action, authorize, is_allowed
from govkit.auth.roles import Principal
from govkit.auth.scoped import authorize_some, given_id, unknown
from govkit.db import Database, utcnow
from govkit.documents import jobs
from govkit.documents.context import RENDER_CONTEXT_VERSION, DocumentInfo, build_context
from govkit.documents.diff import ClauseDiff, diff_clauses
from govkit.documents.inspect import read_clauses
from govkit.documents.kinds import LANGUAGES, KindSpec, catalogue
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.ooxml import DOCX_MEDIA_TYPE
from govkit.documents.render import PortableTemplate, RenderError
from govkit.documents.validate import ValidationReport
from govkit.documents.workers import WorkerPool
from govkit.errors import Conflict, InvalidInput, NotFound
from govkit.organisations.models import Campus, Organisation, ProfileRevision
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.service import latest_profiles, organisation_for
from govkit.organisations.vocabulary import OrganisationType

CHANGE_KINDS = ("editorial", "substantive")
RENDERER_VERSION = "govkit-render-1"


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"Unknown language {language!r}: use fr or en.")
    return language


def _store_blob(session: Session, data: bytes, media_type: str = DOCX_MEDIA_TYPE) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(data), media_type=media_type, data=data))
        session.flush()
    return digest


def _check_change(change_kind: str, changelog: str) -> str:
    if change_kind not in CHANGE_KINDS:
        raise InvalidInput(f"Unknown change kind {change_kind!r}: use editorial or substantive.")
    note = changelog.strip()
    if not note:
        raise InvalidInput("A changelog note is required: say what changed and why.")
    if len(note) > 4000:
        raise InvalidInput("The changelog note is limited to 4000 characters.")
    return note


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60]


# --- kinds and root templates -------------------------------------------------------


def list_kinds(*, actor: Principal) -> list[KindSpec]:
    authorize(actor, Action.READ_KINDS)
    return list(catalogue().kinds.values())


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
        return _root_version(session, key)


def _root_version(session: Session, version_id: int) -> tuple[RootTemplate, RootTemplateVersion]:
    version = session.get(RootTemplateVersion, version_id)
    if version is None:
        raise NotFound(f"No root template version {version_id}.")
    template = session.get(RootTemplate, version.root_template_id)
    assert template is not None
    return template, version


@dataclass
class UploadOutcome:
    report: ValidationReport
    version: RootTemplateVersion | None
    template: RootTemplate | None
    created: bool = False


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
) -> UploadOutcome:
    """Validate an uploaded .docx in a worker; store it as a new version only if it is valid.
    ``data`` may be a function that reads the upload, called once the caller is authorised."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    catalogue().kind(kind)
    _language(language)
    if callable(data):
        data = data()
    if len(data) > max_bytes:
        raise InvalidInput(f"The file is {len(data)} bytes; the limit is {max_bytes} bytes.")
    digest = hashlib.sha256(data).hexdigest()
    with db.reading() as session:  # the same bytes were validated and stored already
        known = session.exec(
            select(RootTemplate, RootTemplateVersion)
            .join(RootTemplateVersion, RootTemplateVersion.root_template_id == RootTemplate.id)  # type: ignore[arg-type]
            .where(
                RootTemplate.kind == kind,
                RootTemplate.language == language,
                RootTemplateVersion.sha256 == digest,
            )
        ).first()
    if known is not None:
        return UploadOutcome(
            report=ValidationReport.from_json(known[1].report),
            version=known[1],
            template=known[0],
            created=False,
        )
    try:
        report = ValidationReport.from_json(pool.run(jobs.validate_job, data, kind, language, max_bytes))
    except RenderError as exc:  # time or memory limit: the template itself is the problem
        report = ValidationReport(sha256=digest, kind=kind, language=language)
        report.error("(render)", str(exc))
    if not report.valid:
        return UploadOutcome(report=report, version=None, template=None)
    clean_name = re.sub(r"[^\w.\- ]+", "_", filename or "template.docx")[:200] or "template.docx"
    for attempt in range(3):
        try:
            with db.transaction() as session:
                template = session.exec(
                    select(RootTemplate).where(RootTemplate.kind == kind, RootTemplate.language == language)
                ).first()
                if template is None:
                    template = RootTemplate(kind=kind, language=language)
                    session.add(template)
                    session.flush()
                existing = session.exec(
                    select(RootTemplateVersion).where(
                        RootTemplateVersion.root_template_id == template.id,
                        RootTemplateVersion.sha256 == report.sha256,
                    )
                ).first()
                if existing is not None:
                    return UploadOutcome(report=report, version=existing, template=template, created=False)
                _store_blob(session, data)
                number = (
                    session.exec(
                        select(sa.func.max(RootTemplateVersion.number)).where(
                            RootTemplateVersion.root_template_id == template.id
                        )
                    ).one()
                    or 0
                ) + 1
                version = RootTemplateVersion(
                    root_template_id=template.id,  # type: ignore[arg-type]
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
                return UploadOutcome(report=report, version=version, template=template, created=True)
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise Conflict("Another upload of this template happened at the same time: try again.") from None
    raise AssertionError("unreachable")


def publish_root_template_version(
    *, db: Database, actor: Principal, version_id: int | str, change_kind: str, changelog: str
) -> RootTemplateVersion:
    """Freeze a valid version: it becomes the one variants are rendered from."""
    authorize(actor, Action.PUBLISH_ROOT_TEMPLATE)
    key = given_id(actor, Action.PUBLISH_ROOT_TEMPLATE, version_id, "root template version")
    note = _check_change(change_kind, changelog)
    with db.transaction() as session:
        template, version = _root_version(session, key)
        if version.published_at is not None:
            raise Conflict(
                f"Version {version.number} of {template.kind}/{template.language} was already published "
                f"on {version.published_at:%Y-%m-%d}; published versions are immutable."
            )
        if not version.report.get("valid"):
            raise InvalidInput("This version did not pass validation and cannot be published.")
        earlier = session.exec(
            select(sa.func.count())
            .select_from(RootTemplateVersion)
            .where(
                RootTemplateVersion.root_template_id == template.id,
                col(RootTemplateVersion.published_at).is_not(None),
            )
        ).one()
        if not earlier and change_kind != "substantive":
            raise InvalidInput("The first published version of a root template is a substantive change.")
        version.published_at = utcnow()
        version.published_by = actor.label
        version.change_kind = change_kind
        version.changelog = note
        session.add(version)
        session.flush()
        return version


def _published_root(session: Session, kind: str, language: str) -> tuple[RootTemplate, RootTemplateVersion]:
    row = session.exec(
        select(RootTemplate, RootTemplateVersion)
        .join(RootTemplateVersion, RootTemplateVersion.root_template_id == RootTemplate.id)  # type: ignore[arg-type]
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


def _variant(session: Session, actor: Principal, action: Action, variant_id: int | str) -> Variant:
    """The variant a caller names, once they may do ``action`` at its school (see auth.scoped)."""
    authorize_some(actor, action)
    variant = session.get(Variant, given_id(actor, action, variant_id, "variant"))
    if variant is None:
        unknown(actor, action, NotFound(f"No variant {variant_id}."))
    authorize(actor, action, organisation_id=variant.organisation_id)
    return variant


# --- variants -------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderFailure:
    organisation_code: str
    message: str
    missing: tuple[str, ...] = ()


@dataclass
class RenderSummary:
    variants: list[tuple[Organisation, Variant]] = field(default_factory=list)
    failures: list[RenderFailure] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    root_version: int = 0


def _schools(session: Session, actor: Principal, codes: Sequence[str] | None) -> list[Organisation]:
    if codes:
        orgs = [organisation_for(session, actor, Action.RENDER_VARIANTS, code) for code in dict.fromkeys(codes)]
    else:
        query = (
            select(Organisation).where(Organisation.type == OrganisationType.SCHOOL.value).order_by(Organisation.code)
        )
        orgs = [o for o in session.exec(query).all() if is_allowed(actor, Action.RENDER_VARIANTS, organisation_id=o.id)]
        if not orgs:
            authorize(actor, Action.RENDER_VARIANTS, organisation_id=-1)
    for org in orgs:
        authorize(actor, Action.RENDER_VARIANTS, organisation_id=org.id)
    return orgs


def variant_inputs_sha256(template_sha256: str, context: dict) -> str:
    """What identifies a variant: the root template version, the context, the renderer's versions."""
    payload = {
        "template": template_sha256,
        "context": context,
        "renderer": RENDERER_VERSION,
        "context_version": RENDER_CONTEXT_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def render_variants(
    *,
    db: Database,
    actor: Principal,
    pool: WorkerPool,
    kind: str,
    language: str,
    schools: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RenderSummary:
    """Render the published root template for each school; identical inputs reuse the stored variant."""
    authorize_some(actor, Action.RENDER_VARIANTS)
    summary = RenderSummary()
    with db.reading() as session:
        orgs = _schools(session, actor, schools)
        spec = catalogue().kind(kind)
        _language(language)
        _template, version = _published_root(session, kind, language)
        summary.root_version = version.number
        ids = [o.id for o in orgs if o.id is not None]
        revisions = latest_profiles(session, ids)
        campuses: dict[int, list[tuple[str, str]]] = {}
        for campus in session.exec(
            select(Campus).where(col(Campus.organisation_id).in_(ids)).order_by(Campus.name)
        ).all():
            campuses.setdefault(campus.organisation_id, []).append((campus.code, campus.name))
        prepared: list[tuple[Organisation, ProfileRevision, str, dict]] = []
        for org in orgs:
            revision = revisions.get(org.id)  # type: ignore[arg-type]
            if revision is None:
                summary.failures.append(RenderFailure(org.code, f"{org.code} has no profile yet."))
                continue
            context = build_context(
                code=org.code,
                profile=SchoolProfile.model_validate(revision.data),
                campuses=campuses.get(org.id, []),  # type: ignore[arg-type]
                document=DocumentInfo(kind, language, spec.title.get(language), version.number),
            )
            inputs = variant_inputs_sha256(version.sha256, context)
            prepared.append((org, revision, inputs, context))
        known = {
            v.inputs_sha256: v
            for v in session.exec(
                select(Variant).where(col(Variant.inputs_sha256).in_([item[2] for item in prepared]))
            ).all()
        }
        pending: dict[str, tuple[Organisation, ProfileRevision, str, dict]] = {}
        for org, revision, inputs, context in prepared:
            if inputs in known:
                summary.variants.append((org, known[inputs]))
                summary.reused += 1
            else:
                pending[org.code] = (org, revision, inputs, context)
    total, done = len(orgs), len(summary.variants) + len(summary.failures)
    if progress:
        progress(done, total)
    rendered: list[tuple[Organisation, ProfileRevision, str, jobs.RenderOutcome]] = []
    try:
        template = _compiled_template(db, pool, version) if pending else None
        outcomes = pool.map(
            jobs.render_compiled_job, [(version.sha256, template, code, item[3]) for code, item in pending.items()]
        )
        for outcome in outcomes:
            org, revision, inputs, _context = pending.pop(outcome.key)
            if outcome.data is None:
                summary.failures.append(RenderFailure(org.code, outcome.error or "rendering failed", outcome.missing))
            else:
                rendered.append((org, revision, inputs, outcome))
            done += 1
            if progress:
                progress(done, total)
    except RenderError as exc:  # a worker overran its limits: the rest of the batch is not rendered
        summary.failures += [RenderFailure(code, str(exc)) for code in pending]
    for (org, *_), variant in zip(rendered, _store_variants(db, actor, version, rendered), strict=True):
        summary.variants.append((org, variant))
        summary.rendered += 1
    summary.variants.sort(key=lambda pair: pair[0].code)
    summary.failures.sort(key=lambda f: f.organisation_code)
    return summary


def _compiled_template(db: Database, pool: WorkerPool, version: RootTemplateVersion) -> PortableTemplate:
    """The root template version, compiled once for the pool and sent along with every job that renders it.

    Two workers share the compilation (the body, and the rest), as nothing can be rendered before it ends.
    """

    def compile_in_workers() -> PortableTemplate:
        with db.reading() as session:
            blob = session.get(Blob, version.sha256)
        assert blob is not None
        if pool.processes < 2:
            return pool.run(jobs.compile_job, version.sha256, blob.data)
        pieces = pool.map(jobs.compile_job, [(version.sha256, blob.data, True), (version.sha256, blob.data, False)])
        return PortableTemplate.combine(list(pieces))

    return pool.cached(f"template:{version.sha256}", compile_in_workers)


def _store_variants(
    db: Database,
    actor: Principal,
    version: RootTemplateVersion,
    rendered: Sequence[tuple[Organisation, ProfileRevision, str, jobs.RenderOutcome]],
) -> list[Variant]:
    """Store a batch of rendered variants in one transaction (one commit, not one per school)."""
    if not rendered:
        return []
    digests = [hashlib.sha256(outcome.data or b"").hexdigest() for *_, outcome in rendered]
    blobs = {digest: outcome.data for digest, (*_, outcome) in zip(digests, rendered, strict=True) if outcome.data}
    try:
        with db.transaction() as session:
            stored = set(session.exec(select(Blob.sha256).where(col(Blob.sha256).in_(list(blobs)))).all())
            session.add_all(
                Blob(sha256=digest, size=len(data), media_type=DOCX_MEDIA_TYPE, data=data)
                for digest, data in blobs.items()
                if digest not in stored
            )
            session.flush()
            variants = [
                Variant(
                    inputs_sha256=inputs,
                    root_template_version_id=version.id,  # type: ignore[arg-type]
                    organisation_id=org.id,  # type: ignore[arg-type]
                    profile_revision_id=revision.id,  # type: ignore[arg-type]
                    sha256=digest,
                    clauses=list(outcome.clauses),
                    rendered_by=actor.label,
                )
                for digest, (org, revision, inputs, outcome) in zip(digests, rendered, strict=True)
            ]
            session.add_all(variants)
            session.flush()
            return variants
    except sa.exc.IntegrityError:  # some of these inputs were rendered concurrently: one at a time, keeping theirs
        return [
            _store_variant(db, actor, org, revision, version, inputs, outcome)
            for org, revision, inputs, outcome in rendered
        ]


def _store_variant(
    db: Database,
    actor: Principal,
    org: Organisation,
    revision: ProfileRevision,
    version: RootTemplateVersion,
    inputs: str,
    outcome: jobs.RenderOutcome,
) -> Variant:
    assert outcome.data is not None
    try:
        with db.transaction() as session:
            digest = _store_blob(session, outcome.data)
            variant = Variant(
                inputs_sha256=inputs,
                root_template_version_id=version.id,  # type: ignore[arg-type]
                organisation_id=org.id,  # type: ignore[arg-type]
                profile_revision_id=revision.id,  # type: ignore[arg-type]
                sha256=digest,
                clauses=list(outcome.clauses),
                rendered_by=actor.label,
            )
            session.add(variant)
            session.flush()
            return variant
    except sa.exc.IntegrityError:  # the same inputs were rendered concurrently: keep the first
        with db.reading() as session:
            found = session.exec(select(Variant).where(Variant.inputs_sha256 == inputs)).first()
            assert found is not None
            return found


def get_variant(
    *, db: Database, actor: Principal, variant_id: int | str
) -> tuple[Organisation, RootTemplate, RootTemplateVersion, Variant]:
    authorize_some(actor, Action.READ_VARIANTS)
    with db.reading() as session:
        variant = _variant(session, actor, Action.READ_VARIANTS, variant_id)
        org = session.get(Organisation, variant.organisation_id)
        template, version = _root_version(session, variant.root_template_version_id)
        assert org is not None
        return org, template, version, variant


# --- publication of variants ------------------------------------------------------------


def publish_variant(
    *,
    db: Database,
    actor: Principal,
    variant_id: int | str,
    effective_from: date | None = None,
    change_kind: str | None = None,
    changelog: str | None = None,
    policy: CampaignPolicy | None = None,
) -> DocumentVersion:
    """Put a variant in force for its school from a date, as the next version of that document.

    For a French document that needs acknowledgement, this opens its campaign in the same
    transaction (and carries acknowledgements forward over an editorial change).
    """
    authorize_some(actor, Action.PUBLISH_VARIANT)
    with db.transaction() as session:
        chain.lock(session)  # first: publications and acknowledgements are serialised
        variant = _variant(session, actor, Action.PUBLISH_VARIANT, variant_id)
        template, version = _root_version(session, variant.root_template_version_id)
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
        note = _check_change(kind_of_change, changelog or version.changelog or "Nouvelle version.")
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
            variant_id=variant.id,  # type: ignore[arg-type]
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
            raise Conflict(
                "Another version of this document was published at the same time: reload and retry."
            ) from exc
        org = session.get(Organisation, variant.organisation_id)
        assert org is not None
        campaigns.on_publication(
            session,
            document,
            previous,
            school=org.code,
            actor_label=actor.label,
            policy=policy or CampaignPolicy(),
        )
        return document


def published_documents(
    *, db: Database, actor: Principal, school: str, language: str | None = None, as_of: date | None = None
) -> list[tuple[Organisation, DocumentVersion]]:
    """The documents in force at a school on a date (today by default), one per kind and language."""
    authorize_some(actor, Action.READ_PUBLISHED)
    day = as_of or date.today()
    with db.reading() as session:
        org = organisation_for(session, actor, Action.READ_PUBLISHED, school)
        if language is not None:
            _language(language)
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


# --- downloads -------------------------------------------------------------------------


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
            .join(Organisation, Organisation.id == DocumentVersion.organisation_id)  # type: ignore[arg-type]
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
                .join(Organisation, Organisation.id == Variant.organisation_id)  # type: ignore[arg-type]
                .where(Variant.sha256 == sha256)
            ).all():
                if is_allowed(actor, Action.READ_VARIANTS, organisation_id=org.id):
                    names.append(f"variant-{org.code}-{variant.id}.docx")
        if not names and is_allowed(actor, Action.READ_ROOT_TEMPLATES):
            for version, template in session.exec(
                select(RootTemplateVersion, RootTemplate)
                .join(RootTemplate, RootTemplate.id == RootTemplateVersion.root_template_id)  # type: ignore[arg-type]
                .where(RootTemplateVersion.sha256 == sha256)
            ).all():
                names.append(f"trame-{slug(template.kind)}-v{version.number}-{template.language}.docx")
        blob = session.get(Blob, sha256) if names else None
    if blob is None:
        # the same answer whether the file does not exist or may not be read: no probing
        raise NotFound(f"No document {sha256} that you may read.")
    return Download(data=blob.data, media_type=blob.media_type, filename=names[0])


# --- diffs -------------------------------------------------------------------------------


def diff_root_versions(*, db: Database, actor: Principal, from_id: int | str, to_id: int | str) -> list[ClauseDiff]:
    authorize(actor, Action.READ_ROOT_TEMPLATES)
    a_id = given_id(actor, Action.READ_ROOT_TEMPLATES, from_id, "root template version")
    b_id = given_id(actor, Action.READ_ROOT_TEMPLATES, to_id, "root template version")
    with db.reading() as session:
        a_template, a = _root_version(session, a_id)
        b_template, b = _root_version(session, b_id)
        if (a_template.kind, a_template.language) != (b_template.kind, b_template.language):
            raise InvalidInput("Compare two versions of the same root template (same kind and language).")
        blob_a, blob_b = session.get(Blob, a.sha256), session.get(Blob, b.sha256)
    assert blob_a is not None
    assert blob_b is not None
    return diff_clauses(read_clauses(blob_a.data), read_clauses(blob_b.data), a_template.language)


def diff_variant_with_root(*, db: Database, actor: Principal, variant_id: int | str) -> list[ClauseDiff]:
    _org, template, version, variant = get_variant(db=db, actor=actor, variant_id=variant_id)
    with db.reading() as session:
        root_blob, variant_blob = session.get(Blob, version.sha256), session.get(Blob, variant.sha256)
    assert root_blob is not None
    assert variant_blob is not None
    return diff_clauses(read_clauses(root_blob.data), read_clauses(variant_blob.data), template.language)
