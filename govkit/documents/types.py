"""GraphQL types of document kinds, root templates, variants and published documents."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Annotated

import strawberry

from govkit.documents import models, published
from govkit.documents.addresses import Addresses
from govkit.documents.diff import ClauseDiff as ClauseDiffData
from govkit.documents.kinds import KindSpec, catalogue
from govkit.documents.validate import ValidationReport as ReportData
from govkit.resolving import Info, build

if TYPE_CHECKING:
    from govkit.documents.review_types import ClauseChanges, TrackedChangeReview


def download_url(public_url: str, sha256: str) -> str:
    return f"{public_url.rstrip('/')}/documents/{sha256}"


@strawberry.type
class Clause:
    key: str
    title: str


def clauses_of(keys: list[str], language: str) -> list[Clause]:
    return [Clause(key=k, title=catalogue().clause_title(k, language)) for k in keys]


@strawberry.type(description="A kind of document: a regulation, the annex, or a reflex sheet")
class DocumentKind:
    key: str = strawberry.field(description="e.g. internal, housing, reflex_sheet.student_victim")
    kind: str
    audience: str | None
    title_fr: str
    title_en: str
    requires_acknowledgement: bool
    populations: list[str]
    spec: strawberry.Private[KindSpec]

    @strawberry.field(description="The common base every school keeps")
    def required_clauses(self) -> list[Clause]:
        return clauses_of(list(self.spec.required_clauses), "fr")

    @staticmethod
    @cache
    def of(key: str) -> DocumentKind:
        """The kind as served, built once: the catalogue does not change while the process runs."""
        return DocumentKind.from_spec(catalogue().kind(key))

    @classmethod
    def from_spec(cls, spec: KindSpec) -> DocumentKind:
        return cls(
            key=spec.key,
            kind=spec.kind,
            audience=spec.audience,
            title_fr=spec.title.fr,
            title_en=spec.title.en,
            requires_acknowledgement=spec.acknowledgement,
            populations=[p.value for p in spec.populations],
            spec=spec,
        )


@strawberry.type
class ReportItem:
    severity: str
    part: str = strawberry.field(description="e.g. word/document.xml, word/header1.xml, (file), (render)")
    paragraph: int | None = strawberry.field(description="1-based paragraph of the part, when known")
    message: str
    excerpt: str | None


@strawberry.type(description="What validation found in an uploaded root template")
class ValidationReport:
    valid: bool
    sha256: str
    items: list[ReportItem]
    clauses: list[str]
    variables: list[str]

    @classmethod
    def from_data(cls, report: ReportData) -> ValidationReport:
        return build(cls, report)


@strawberry.type
class RootTemplateVersion:
    id: strawberry.ID
    kind: str
    language: str
    number: int
    status: str = strawberry.field(description="draft (valid, not published) or published")
    sha256: str
    filename: str
    clauses: list[Clause]
    report: ValidationReport
    note: str | None
    uploaded_at: datetime
    uploaded_by: str
    published_at: datetime | None
    published_by: str | None
    change_kind: str | None
    changelog: str | None
    download_url: str

    @classmethod
    def from_model(
        cls, template: models.RootTemplate, v: models.RootTemplateVersion, public_url: str
    ) -> RootTemplateVersion:
        return cls(
            id=strawberry.ID(str(v.id)),
            kind=template.kind,
            language=template.language,
            number=v.number,
            status="published" if v.published_at else "draft",
            sha256=v.sha256,
            filename=v.filename,
            clauses=clauses_of(v.clauses, template.language),
            report=ValidationReport.from_data(ReportData.from_json(v.report)),
            note=v.note,
            uploaded_at=v.uploaded_at,
            uploaded_by=v.uploaded_by,
            published_at=v.published_at,
            published_by=v.published_by,
            change_kind=v.change_kind,
            changelog=v.changelog,
            download_url=download_url(public_url, v.sha256),
        )


@strawberry.type
class RootTemplate:
    kind: str
    language: str
    versions: list[RootTemplateVersion] = strawberry.field(description="Newest first; every version is kept")


@strawberry.type(description="The result of an upload: the report, and the stored version when valid")
class UploadResult:
    valid: bool
    report: ValidationReport
    version: RootTemplateVersion | None
    created: bool = strawberry.field(description="false when these exact bytes were already uploaded")
    tracked_changes: Annotated[TrackedChangeReview, strawberry.lazy("govkit.documents.review_types")] | None = (
        strawberry.field(
            default=None,
            description="An upload with tracked changes (Word's insertions and deletions): kept for review, "
            "with no version until legal staff accept the changes (acceptTrackedChanges)",
        )
    )
    changes: list[Annotated[ClauseChanges, strawberry.lazy("govkit.documents.review_types")]] = strawberry.field(
        default_factory=list, description="The tracked changes of the upload, clause by clause (valid or not)"
    )


@strawberry.type
class Variant:
    id: strawberry.ID
    school: str
    kind: str
    language: str
    root_version: int
    sha256: str
    clauses: list[Clause]
    rendered_at: datetime
    download_url: str


@strawberry.type
class RenderFailure:
    school: str
    message: str
    missing: list[str] = strawberry.field(description="Profile values the template prints but the profile lacks")


@strawberry.type
class RenderResult:
    variants: list[Variant]
    failures: list[RenderFailure]
    rendered: int = strawberry.field(description="Variants rendered now")
    reused: int = strawberry.field(description="Variants whose inputs were already rendered: not rendered again")
    queued: int = strawberry.field(default=0, description="Render jobs queued (background: true), one per school")
    job_keys: list[str] = strawberry.field(
        default_factory=list, description="The keys of the queued render jobs (render:<root version>:<school>:<lang>)"
    )


@strawberry.type(description="A document in force at a school: a published variant")
class PublishedDocument:
    id: strawberry.ID = strawberry.field(description="The document version id, used to acknowledge it")
    school: str
    kind: str
    title: str
    language: str
    version: int
    effective_from: date
    published_at: datetime
    change_kind: str
    changelog: str
    sha256: str
    download_url: str
    clauses: list[Clause]

    def _links(self, info: Info) -> dict[str, str | None]:
        return Addresses.of(info.context.settings).links(self.school, self.kind, self.language, self.sha256)

    @strawberry.field(
        description="The public page of this document in force (HTML), without a token: serves the "
        "version in force today, a newer one once it takes effect; null when the kind is not public"
    )
    def public_url(self, info: Info) -> str | None:
        return self._links(info)["public_url"]

    @strawberry.field(description="The PDF/A of this document in force, without a token (as publicUrl)")
    def pdf_url(self, info: Info) -> str | None:
        return self._links(info)["pdf_url"]

    @strawberry.field(description="The accessible HTML of this document in force, without a token (as publicUrl)")
    def html_url(self, info: Info) -> str | None:
        return self._links(info)["html_url"]

    @strawberry.field(description="The .docx of this document in force, without a token (as publicUrl)")
    def docx_url(self, info: Info) -> str | None:
        return self._links(info)["docx_url"]

    @strawberry.field(
        description="The permanent public address of this very version (its PDF/A, by SHA-256; "
        "replace .pdf with .html or .docx for the other formats); null when the kind is not public"
    )
    def permanent_url(self, info: Info) -> str | None:
        return self._links(info)["permanent_url"]

    @classmethod
    def from_model(cls, school: str, d: models.DocumentVersion, public_url: str) -> PublishedDocument:
        return cls(
            id=strawberry.ID(str(d.id)),
            school=school,
            kind=d.kind,
            title=catalogue().kind(d.kind).title.get(d.language),
            language=d.language,
            version=d.number,
            effective_from=d.effective_from,
            published_at=d.published_at,
            change_kind=d.change_kind,
            changelog=d.changelog,
            sha256=d.sha256,
            download_url=download_url(public_url, d.sha256),
            clauses=clauses_of(d.clauses, d.language),
        )


@strawberry.enum(description="A version's standing on a day in its document's history")
class PeriodStatus(Enum):
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"
    UPCOMING = "upcoming"
    NEVER_IN_FORCE = "never_in_force"


@strawberry.type(description="A version of a school's document with its period in force")
class DocumentPeriod:
    id: strawberry.ID = strawberry.field(description="The document version id")
    school: str
    kind: str
    title: str
    language: str
    version: int
    effective_from: date = strawberry.field(description="First day in force")
    effective_to: date | None = strawberry.field(
        description="Day the next version took (or takes) effect, excluded; null while no version follows"
    )
    empty_period: bool = strawberry.field(
        description="Superseded before it took effect (a version followed from the same day): never in force"
    )
    status: PeriodStatus = strawberry.field(description="Its standing today")
    change_kind: str
    changelog: str
    published_at: datetime
    published_by: str
    sha256: str
    download_url: str

    @classmethod
    def from_period(cls, school: str, period: published.Period, public_url: str, today: date) -> DocumentPeriod:
        d = period.document
        return cls(
            id=strawberry.ID(str(d.id)),
            school=school,
            kind=d.kind,
            title=catalogue().kind(d.kind).title.get(d.language),
            language=d.language,
            version=d.number,
            effective_from=d.effective_from,
            effective_to=period.effective_to,
            empty_period=period.empty,
            status=PeriodStatus(period.status(today)),
            change_kind=d.change_kind,
            changelog=d.changelog,
            published_at=d.published_at,
            published_by=d.published_by,
            sha256=d.sha256,
            download_url=download_url(public_url, d.sha256),
        )


@strawberry.type(description="One clause compared between two documents")
class ClauseDiff:
    key: str
    title: str
    status: str = strawberry.field(description="added, removed, changed or unchanged")
    before: str
    after: str
    diff: str = strawberry.field(description="Unified diff, one paragraph per line")

    @classmethod
    def from_data(cls, d: ClauseDiffData) -> ClauseDiff:
        return build(cls, d)
