"""GraphQL types of tracked changes: an upload's insertions and deletions clause by clause, the review
legal staff decide on, and the result of an upload (version, or review) built from the service's outcome."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.documents import reviews, tracked
from govkit.documents.kinds import catalogue
from govkit.documents.root_templates import UploadOutcome
from govkit.documents.types import RootTemplateVersion, UploadResult, ValidationReport, download_url
from govkit.documents.validate import ValidationReport as ReportData


@strawberry.type(description="One tracked insertion or deletion")
class TrackedChange:
    kind: str = strawberry.field(description="insertion or deletion")
    text: str = strawberry.field(description="The text inserted or deleted (¶: a paragraph break)")
    author: str
    date: str | None = strawberry.field(description="When the author made it, as Word recorded it")
    paragraph: int = strawberry.field(description="1-based paragraph of the clause")

    @classmethod
    def of(cls, change: tracked.Change) -> TrackedChange:
        return cls(
            kind=change.kind, text=change.text, author=change.author, date=change.date, paragraph=change.paragraph
        )


@strawberry.type(description="A piece of a changed paragraph: unchanged, inserted or deleted text")
class ChangeSegment:
    kind: str = strawberry.field(description="same, insertion or deletion")
    text: str


@strawberry.type(description="A paragraph with tracked changes")
class ChangedParagraph:
    part: str
    number: int = strawberry.field(description="1-based paragraph of the part")
    segments: list[ChangeSegment]


@strawberry.type(description="The tracked changes of one clause (or of the text outside the clauses)")
class ClauseChanges:
    key: str | None = strawberry.field(description="The clause; null: outside the clauses")
    title: str | None
    part: str
    insertions: list[TrackedChange]
    deletions: list[TrackedChange]
    paragraphs: list[ChangedParagraph]

    @classmethod
    def of(cls, clause: tracked.ClauseChanges, language: str) -> ClauseChanges:
        return cls(
            key=clause.key,
            title=catalogue().clause_title(clause.key, language) if clause.key else None,
            part=clause.part,
            insertions=[TrackedChange.of(c) for c in clause.changes if c.kind == "insertion"],
            deletions=[TrackedChange.of(c) for c in clause.changes if c.kind == "deletion"],
            paragraphs=[
                ChangedParagraph(
                    part=p.part,
                    number=p.number,
                    segments=[ChangeSegment(kind=s.kind, text=s.text) for s in p.segments],
                )
                for p in clause.paragraphs
            ],
        )


@strawberry.type(description="An upload with tracked changes, accepted into a draft version or refused")
class TrackedChangeReview:
    id: strawberry.ID
    kind: str
    language: str
    filename: str
    status: str = strawberry.field(description="open, accepted or refused")
    uploaded_at: datetime
    uploaded_by: str
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None = strawberry.field(description="Why the upload was refused")
    draft_version: RootTemplateVersion | None = strawberry.field(
        description="The version made with every change accepted"
    )
    clauses: list[ClauseChanges]
    report: ValidationReport
    download_url: str = strawberry.field(description="The upload as sent, with its tracked changes")

    @classmethod
    def of(cls, found: reviews.Review, public_url: str) -> TrackedChangeReview:
        review, template = found.review, found.template
        return cls(
            id=strawberry.ID(str(review.id)),
            kind=template.kind,
            language=template.language,
            filename=review.filename,
            status=review.status,
            uploaded_at=review.uploaded_at,
            uploaded_by=review.uploaded_by,
            decided_at=review.decided_at,
            decided_by=review.decided_by,
            reason=review.reason,
            draft_version=RootTemplateVersion.from_model(template, found.draft, public_url) if found.draft else None,
            clauses=[ClauseChanges.of(c, template.language) for c in found.clauses],
            report=ValidationReport.from_data(ReportData.from_json(review.report)),
            download_url=download_url(public_url, review.sha256),
        )


def upload_result(outcome: UploadOutcome, public_url: str, review: reviews.Review | None = None) -> UploadResult:
    """The GraphQL result of an upload, a clause edit or an acceptance of tracked changes."""
    version = (
        RootTemplateVersion.from_model(outcome.template, outcome.version, public_url)
        if outcome.version is not None and outcome.template is not None
        else None
    )
    if review is None and outcome.review is not None and outcome.template is not None:
        review = reviews.Review(review=outcome.review, template=outcome.template, draft=None)
    language = outcome.template.language if outcome.template is not None else outcome.report.language
    return UploadResult(
        valid=outcome.report.valid,
        report=ValidationReport.from_data(outcome.report),
        version=version,
        created=outcome.created,
        tracked_changes=TrackedChangeReview.of(review, public_url) if review is not None else None,
        changes=[ClauseChanges.of(tracked.ClauseChanges.from_json(c), language) for c in outcome.changes],
    )
