"""GraphQL entry point of the clause search: map input, call the service, map output."""

from __future__ import annotations

import strawberry

from govkit.resolving import Info
from govkit.search import service
from govkit.search.types import ClauseHit, SearchSource


@strawberry.type
class ClauseSearchQuery:
    @strawberry.field(
        description="Clauses mentioning words or a phrase, best first, among the versions the caller may read: "
        'words are all required, "an exact phrase" in quotes, -word excludes, "or" accepts either. '
        "PostgreSQL stems French and English words; SQLite folds accents."
    )
    async def search_clauses(
        self,
        info: Info,
        query: str,
        language: str | None = None,
        kind: str | None = None,
        school: str | None = None,
        source: SearchSource = SearchSource.ALL,
        in_force_only: bool = True,
        first: int = 20,
    ) -> list[ClauseHit]:
        hits = await info.context.call(
            service.search_clauses,
            text=query,
            language=language,
            kind=kind,
            school=school,
            source=source.value,
            in_force_only=in_force_only,
            first=first,
        )
        return [ClauseHit.of(hit, info.context.settings.public_url) for hit in hits]
