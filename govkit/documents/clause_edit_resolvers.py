"""GraphQL entry points of clause editing: a clause's text in the clause markup, and an edit
that saves a new draft version of the root template (bold, italics, bullets and tags kept)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from govkit.documents import clause_edits
from govkit.documents.kinds import catalogue
from govkit.documents.resolvers import RENDER_POOL
from govkit.documents.review_types import upload_result
from govkit.documents.types import UploadResult
from govkit.resolving import Info

MARKUP = (
    "The clause markup: '## ' heading, '### ' subheading, '- ' bullet item, a blank line between paragraphs, "
    "**bold**, *italic*, a line ending with \\ a line break; docxtpl tags ({{ }}, {% %}, {%p %}) as they are"
)


@strawberry.type(description="A clause of the latest version of a root template, as legal staff edit it")
class ClauseSource:
    kind: str
    language: str
    key: str
    title: str
    text: str = strawberry.field(description=MARKUP)
    version_id: strawberry.ID = strawberry.field(description="The version the text was read from (the latest)")
    version_number: int


@strawberry.type
class ClauseEditQuery:
    @strawberry.field(description="A clause of the latest version of a root template, in the clause markup")
    async def clause_source(self, info: Info, kind: str, language: str, key: str) -> ClauseSource:
        found = await info.context.call(clause_edits.get_clause_source, kind=kind, language=language, key=key)
        return ClauseSource(
            kind=kind,
            language=language,
            key=key,
            title=catalogue().clause_title(key, language),
            text=found.text,
            version_id=strawberry.ID(str(found.version.id)),
            version_number=found.version.number,
        )


@strawberry.type
class ClauseEditMutation:
    @strawberry.mutation(
        description="Save a new draft version of a root template with one clause's text replaced (clause markup); "
        "validated as any upload"
    )
    async def edit_clause(
        self,
        info: Info,
        kind: str,
        language: str,
        key: str,
        text: Annotated[str, strawberry.argument(description=MARKUP)],
        base_version_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The version the text was read from: refused if a newer one was saved"),
        ] = None,
    ) -> UploadResult:
        outcome = await info.context.call(
            clause_edits.edit_clause,
            pool=info.context.wired(RENDER_POOL),
            kind=kind,
            language=language,
            key=key,
            text=text,
            max_bytes=info.context.settings.upload_max_bytes,
            base_version_id=base_version_id,
        )
        return upload_result(outcome, info.context.settings.public_url)
