"""GraphQL types of the clause search."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from govkit.search import service


@strawberry.enum(description="Where a clause search looks")
class SearchSource(Enum):
    ALL = "all"
    SCHOOLS = "schools"
    ROOTS = "roots"


@strawberry.type(description="A piece of a snippet: a matched word is highlighted")
class SnippetFragment:
    text: str
    highlighted: bool


@strawberry.type(description="A clause that matches a search, in a school's version or a root template version")
class ClauseHit:
    source: str = strawberry.field(description="school (a school's published version) or root (a root template)")
    school: str | None = strawberry.field(description="The school's code (None for a root template)")
    school_name: str | None
    kind: str
    language: str
    version_number: int = strawberry.field(description="The number of the version in its document or root template")
    document_version_id: strawberry.ID | None = strawberry.field(description="The school's published version")
    root_template_version_id: strawberry.ID | None = strawberry.field(description="The root template version")
    in_force: bool = strawberry.field(
        description="In force today (a school's version), or the root template's newest published version"
    )
    published: bool = strawberry.field(description="False for a draft of a root template")
    effective_from: date | None = strawberry.field(description="A school's version: in force from this date")
    clause_key: str
    clause_title: str
    snippet: list[SnippetFragment] = strawberry.field(description="The text around the words found")
    score: float = strawberry.field(description="The rank (higher is better; not comparable between databases)")
    url: str = strawberry.field(description="The page of the version, at the clause")

    @classmethod
    def of(cls, hit: service.ClauseHit, public_url: str) -> ClauseHit:
        return cls(
            source=hit.source,
            school=hit.school,
            school_name=hit.school_name,
            kind=hit.kind,
            language=hit.language,
            version_number=hit.version_number,
            document_version_id=None
            if hit.document_version_id is None
            else strawberry.ID(str(hit.document_version_id)),
            root_template_version_id=None
            if hit.root_template_version_id is None
            else strawberry.ID(str(hit.root_template_version_id)),
            in_force=hit.in_force,
            published=hit.published,
            effective_from=hit.effective_from,
            clause_key=hit.clause_key,
            clause_title=hit.title,
            snippet=[SnippetFragment(text=f.text, highlighted=f.highlighted) for f in hit.snippet],
            score=hit.score,
            url=public_url.rstrip("/") + hit.path,
        )
