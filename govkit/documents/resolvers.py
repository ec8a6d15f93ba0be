"""GraphQL entry points of documents: map input, call the service, map output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from govkit.access.policy import Action
from govkit.approvals.service import four_eyes
from govkit.days import utc_today
from govkit.documents import service
from govkit.documents.review_types import upload_result
from govkit.documents.types import (
    ClauseDiff,
    DocumentKind,
    DocumentPeriod,
    PublishedDocument,
    RenderFailure,
    RenderResult,
    RootTemplate,
    RootTemplateVersion,
    UploadResult,
    Variant,
    clauses_of,
    download_url,
)
from govkit.documents.workers import WorkerPool
from govkit.jobs.queue import JobQueue
from govkit.resolving import Info, Wired, public, upload_reader

#: The pool for template work that answers a request (validating an upload, rendering variants).
RENDER_POOL: Wired[WorkerPool] = Wired("render pool")
#: The job queue the background renders go to.
JOB_QUEUE: Wired[JobQueue] = Wired("job queue")


def _url(info: Info) -> str:
    return info.context.settings.public_url


@strawberry.type
class DocumentQuery:
    @strawberry.field(
        description="The document kinds with their common base of required clauses", metadata=public(Action.READ_KINDS)
    )
    async def document_kinds(self, info: Info) -> list[DocumentKind]:
        # the required clauses are the clause library's today (govkit.documents.clause_library)
        return [DocumentKind.from_spec(s) for s in await info.context.call(service.list_kinds)]

    @strawberry.field(description="Root templates with all their versions, optionally of one kind")
    async def root_templates(self, info: Info, kind: str | None = None) -> list[RootTemplate]:
        rows = await info.context.call(service.list_root_templates, kind=kind)
        return [
            RootTemplate(
                kind=t.kind,
                language=t.language,
                versions=[RootTemplateVersion.from_model(t, v, _url(info)) for v in versions],
            )
            for t, versions in rows
        ]

    @strawberry.field(
        description="The documents in force at a school on a date (today by default), one per kind and language"
    )
    async def published_documents(
        self,
        info: Info,
        school: str,
        language: str | None = None,
        kind: str | None = None,
        as_of: Annotated[
            date | None,
            strawberry.argument(description="The day: the version with the greatest effective date up to it"),
        ] = None,
        known_at: Annotated[
            datetime | None,
            strawberry.argument(description="Only what govkit knew then: the versions published by that time"),
        ] = None,
    ) -> list[PublishedDocument]:
        rows = await info.context.call(
            service.published_documents, school=school, language=language, kind=kind, as_of=as_of, known_at=known_at
        )
        return [PublishedDocument.from_model(org.code, d, _url(info)) for org, d in rows]

    @strawberry.field(description="Every version of a school's document with its period in force, newest first")
    async def document_history(self, info: Info, school: str, kind: str, language: str = "fr") -> list[DocumentPeriod]:
        rows = await info.context.call(service.document_history, school=school, kind=kind, language=language)
        today = utc_today()
        return [DocumentPeriod.from_period(school, p, _url(info), today) for p in rows]

    @strawberry.field(description="Clause-by-clause changes between two versions of a root template")
    async def root_template_diff(
        self, info: Info, from_version_id: strawberry.ID, to_version_id: strawberry.ID
    ) -> list[ClauseDiff]:
        rows = await info.context.call(service.diff_root_versions, from_id=from_version_id, to_id=to_version_id)
        return [ClauseDiff.from_data(d) for d in rows]

    @strawberry.field(description="Clause-by-clause differences between a school's variant and its root template")
    async def variant_diff(self, info: Info, variant_id: strawberry.ID) -> list[ClauseDiff]:
        rows = await info.context.call(service.diff_variant_with_root, variant_id=variant_id)
        return [ClauseDiff.from_data(d) for d in rows]


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(description="Upload a root template version (.docx, multipart); valid files are stored")
    async def upload_root_template_version(
        self, info: Info, kind: str, language: str, file: Upload, note: str | None = None
    ) -> UploadResult:
        limit = info.context.settings.upload_max_bytes
        outcome = await info.context.call(
            service.upload_root_template_version,
            pool=info.context.wired(RENDER_POOL),
            kind=kind,
            language=language,
            filename=getattr(file, "filename", None) or "template.docx",
            data=upload_reader(file, argument="file", limit=limit),
            max_bytes=limit,
            note=note,
        )
        return upload_result(outcome, _url(info))

    @strawberry.mutation(
        description="Publish a root template version: it becomes immutable (the version alone: publishRootVersion "
        "also renders every school's variant for review; with four eyes, a substantive change goes through it)"
    )
    async def publish_root_template_version(
        self, info: Info, version_id: strawberry.ID, change_kind: str, changelog: str
    ) -> RootTemplateVersion:
        version = await info.context.call(
            service.publish_root_template_version,
            version_id=version_id,
            change_kind=change_kind,
            changelog=changelog,
            four_eyes=four_eyes(info.context.settings),
        )
        template, version = await info.context.call(service.get_root_version, version_id=version.id)
        return RootTemplateVersion.from_model(template, version, _url(info))

    @strawberry.mutation(description="Render the published root template of a kind for schools (all by default)")
    async def render_variants(
        self,
        info: Info,
        kind: str,
        language: str,
        schools: list[str] | None = None,
        background: Annotated[
            bool, strawberry.argument(description="Queue one render job per school instead (see queued and jobKeys)")
        ] = False,
    ) -> RenderResult:
        if background:
            keys = await info.context.call(
                service.queue_renders, jobs=info.context.wired(JOB_QUEUE), kind=kind, language=language, schools=schools
            )
            return RenderResult(variants=[], failures=[], rendered=0, reused=0, queued=len(keys), job_keys=keys)
        summary = await info.context.call(
            service.render_variants, pool=info.context.wired(RENDER_POOL), kind=kind, language=language, schools=schools
        )
        return RenderResult(
            variants=[
                Variant(
                    id=strawberry.ID(str(v.id)),
                    school=org.code,
                    kind=kind,
                    language=language,
                    root_version=summary.root_version,
                    sha256=v.sha256,
                    clauses=clauses_of(v.clauses, language),
                    rendered_at=v.rendered_at,
                    download_url=download_url(_url(info), v.sha256),
                )
                for org, v in summary.variants
            ],
            failures=[
                RenderFailure(school=f.organisation_code, message=f.message, missing=list(f.missing))
                for f in summary.failures
            ],
            rendered=summary.rendered,
            reused=summary.reused,
        )
