"""Variants: the published root template rendered for each school (in worker processes, reused
when the inputs are the same), stored in batches, read and compared with their root."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, given_id, unknown
from govkit.db import Database, stored_id
from govkit.documents import jobs
from govkit.documents.context import RENDER_CONTEXT_VERSION, DocumentInfo, build_context
from govkit.documents.diff import ClauseDiff, diff_clauses
from govkit.documents.inspect import read_clauses
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.ooxml import DOCX_MEDIA_TYPE
from govkit.documents.provisions import approved_paragraphs
from govkit.documents.render import PortableTemplate, RenderError
from govkit.documents.root_templates import check_language, published_root, root_version, store_blob
from govkit.documents.workers import WorkerPool
from govkit.errors import InvalidInput, NotFound
from govkit.jobs.queue import JobQueue
from govkit.organisations.models import Campus, Organisation, ProfileRevision
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.revisions import latest_profiles
from govkit.organisations.service import organisation_for
from govkit.organisations.vocabulary import OrganisationType

RENDERER_VERSION = "govkit-render-1"


def variant_for(session: Session, actor: Principal, action: Action, variant_id: int | str) -> Variant:
    """The variant a caller names, once they may do ``action`` at its school (see access.scoped)."""
    authorize_some(actor, action)
    variant = session.get(Variant, given_id(actor, action, variant_id, "variant"))
    if variant is None:
        unknown(actor, action, NotFound(f"No variant {variant_id}."))
    authorize(actor, action, organisation_id=variant.organisation_id)
    return variant


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
        catalogue().kind(kind)
        check_language(language)
        _template, version = published_root(session, kind, language)
        pending = _prepare(session, orgs, kind, language, version, summary)
    _render(db, actor, pool, version, pending, summary, progress, total=len(orgs))
    return summary


#: The job rendering one school's variant of one root template version (govkit.tasks.renders).
RENDER_VARIANT = "documents.render_variant"


def render_job_key(version_id: int, school: str, language: str) -> str:
    """The render job's key: one queued job per root template version, school and language."""
    return f"render:{version_id}:{school}:{language}"


def queue_renders(
    *, db: Database, actor: Principal, jobs: JobQueue, kind: str, language: str, schools: Sequence[str] | None = None
) -> list[str]:
    """Queue one render job per school (all by default) for the published root template of a kind;
    the keys of the jobs (one queued job per key: asking twice queues nothing more)."""
    authorize_some(actor, Action.RENDER_VARIANTS)
    with db.transaction() as session:
        orgs = _schools(session, actor, schools)
        catalogue().kind(kind)
        check_language(language)
        _template, version = published_root(session, kind, language)
        assert version.id is not None
        keys = []
        for org in orgs:
            key = render_job_key(version.id, org.code, language)
            jobs.defer(session, RENDER_VARIANT, key=key, version_id=version.id, school=org.code, language=language)
            keys.append(key)
    return keys


def render_school_variant(
    *, db: Database, actor: Principal, pool: WorkerPool, version_id: int, school: str, language: str
) -> Variant:
    """Render one school's variant of a published root template version (the variant already stored
    when its inputs are unchanged); RenderError says why it could not be rendered."""
    found = try_school_variant(db=db, actor=actor, pool=pool, version_id=version_id, school=school, language=language)
    if isinstance(found, RenderFailure):
        raise RenderError(f"{school}: {found.message}")
    return found


def try_school_variant(
    *, db: Database, actor: Principal, pool: WorkerPool, version_id: int, school: str, language: str
) -> Variant | RenderFailure:
    """``render_school_variant``, a failure returned: why, and the profile values it lacked."""
    authorize_some(actor, Action.RENDER_VARIANTS)
    summary = RenderSummary()
    with db.reading() as session:
        (org,) = _schools(session, actor, [school])
        template, version = _published_version(session, version_id)
        if template.language != check_language(language):
            raise InvalidInput(f"Root template version {version_id} is in {template.language!r}, not {language!r}.")
        pending = _prepare(session, [org], template.kind, language, version, summary)
    _render(db, actor, pool, version, pending, summary, None, total=1)
    if summary.failures:
        return summary.failures[0]
    return summary.variants[0][1]


def _published_version(session: Session, version_id: int) -> tuple[RootTemplate, RootTemplateVersion]:
    """A published root template version and its template, in one query."""
    found = session.exec(
        select(RootTemplate, RootTemplateVersion)
        .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
        .where(RootTemplateVersion.id == version_id)
    ).first()
    if found is None:
        raise NotFound(f"No root template version {version_id}.")
    if found[1].published_at is None:
        raise InvalidInput(f"Root template version {version_id} is not published: publish it first.")
    return found


Pending = dict[str, tuple[Organisation, ProfileRevision, str, dict]]


def _prepare(
    session: Session,
    orgs: list[Organisation],
    kind: str,
    language: str,
    version: RootTemplateVersion,
    summary: RenderSummary,
) -> Pending:
    """Each school's render context; those whose inputs were rendered already go to ``summary``."""
    summary.root_version = version.number
    spec = catalogue().kind(kind)
    ids = [o.id for o in orgs if o.id is not None]
    revisions = latest_profiles(session, ids)
    campuses: dict[int, list[tuple[str, str]]] = {}
    for campus in session.exec(select(Campus).where(col(Campus.organisation_id).in_(ids)).order_by(Campus.name)).all():
        campuses.setdefault(campus.organisation_id, []).append((campus.code, campus.name))
    provisions = approved_paragraphs(session, ids, kind, language)
    prepared: list[tuple[Organisation, ProfileRevision, str, dict]] = []
    for org in orgs:
        revision = revisions.get(stored_id(org))
        if revision is None:
            summary.failures.append(RenderFailure(org.code, f"{org.code} has no profile yet."))
            continue
        context = build_context(
            code=org.code,
            profile=SchoolProfile.model_validate(revision.data),
            campuses=campuses.get(stored_id(org), []),
            document=DocumentInfo(kind, language, spec.title.get(language), version.number),
            provisions=provisions.get(stored_id(org)),
        )
        prepared.append((org, revision, variant_inputs_sha256(version.sha256, context), context))
    known = {
        v.inputs_sha256: v
        for v in session.exec(
            select(Variant).where(col(Variant.inputs_sha256).in_([item[2] for item in prepared]))
        ).all()
    }
    pending: Pending = {}
    for org, revision, inputs, context in prepared:
        if inputs in known:
            summary.variants.append((org, known[inputs]))
            summary.reused += 1
        else:
            pending[org.code] = (org, revision, inputs, context)
    return pending


def _render(
    db: Database,
    actor: Principal,
    pool: WorkerPool,
    version: RootTemplateVersion,
    pending: Pending,
    summary: RenderSummary,
    progress: Callable[[int, int], None] | None,
    *,
    total: int,
) -> None:
    """Render the pending schools in the pool's workers, store them, and complete ``summary``."""
    done = len(summary.variants) + len(summary.failures)
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
                    root_template_version_id=stored_id(version),
                    organisation_id=stored_id(org),
                    profile_revision_id=stored_id(revision),
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
            digest = store_blob(session, outcome.data)
            variant = Variant(
                inputs_sha256=inputs,
                root_template_version_id=stored_id(version),
                organisation_id=stored_id(org),
                profile_revision_id=stored_id(revision),
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
        variant = variant_for(session, actor, Action.READ_VARIANTS, variant_id)
        org = session.get(Organisation, variant.organisation_id)
        template, version = root_version(session, variant.root_template_version_id)
        assert org is not None
        return org, template, version, variant


def diff_variant_with_root(*, db: Database, actor: Principal, variant_id: int | str) -> list[ClauseDiff]:
    _org, template, version, variant = get_variant(db=db, actor=actor, variant_id=variant_id)
    with db.reading() as session:
        root_blob, variant_blob = session.get(Blob, version.sha256), session.get(Blob, variant.sha256)
    assert root_blob is not None
    assert variant_blob is not None
    return diff_clauses(read_clauses(root_blob.data), read_clauses(variant_blob.data), template.language)
