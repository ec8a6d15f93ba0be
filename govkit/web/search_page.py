"""The clause search page (/ui/search) and the page of one version's clauses a hit links to, with an
anchor per clause (/ui/search/documents/{id}#clause-<key>, /ui/search/roots/{id}#clause-<key>)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from govkit.access.policy import Action, is_allowed
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError
from govkit.search import service
from govkit.web.pages import Page, PageRequest

router = APIRouter()

VERSIONS = ("in_force", "all")


def _schools(page: PageRequest) -> list[tuple[str, str]]:
    """The schools the caller may pick: every one for those who read everywhere, else their own."""
    if is_allowed(page.actor, Action.READ_PUBLISHED):
        return sorted(page.schools.items(), key=lambda item: item[1])
    code = page.actor.organisation_code
    return [(code, page.schools.get(code, code))] if code else []


def _kind_title(lang: str) -> Callable[[str], str]:
    return lambda key: catalogue().kind(key).title.get(lang) if key in catalogue().kinds else key


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    page: Page,
    q: str | None = None,
    language: str | None = None,
    kind: str | None = None,
    school: str | None = None,
    source: str | None = None,
    versions: str | None = None,
) -> Response:
    chosen = {
        "q": q or "",
        "language": language or "",
        "kind": kind or "",
        "school": school or "",
        "source": source or "all",
        "versions": versions if versions in VERSIONS else "in_force",
    }
    hits: list[service.ClauseHit] | None = None
    if q is not None:  # the form was sent: an empty query is said to be empty
        try:
            hits = await page.call(
                service.search_clauses,
                text=q,
                language=language or None,
                kind=kind or None,
                school=school or None,
                source=chosen["source"],
                in_force_only=chosen["versions"] == "in_force",
                first=service.MAX_FIRST,
            )
        except GovkitError as exc:
            return page.error(exc)
    elif not page.actor.is_authenticated:
        return page.signin(status=401, error="authenticate")
    return page.render(
        "search.html",
        hits=hits,
        chosen=chosen,
        kinds=list(catalogue().kinds.values()),
        school_choices=_schools(page),
        sources=service.SOURCES,
        max_first=service.MAX_FIRST,
        kind_title=_kind_title(page.language),
    )


async def _version_page(page: PageRequest, source: str, version_id: int) -> Response:
    try:
        found = await page.call(service.version_clauses, source=source, version_id=version_id)
    except GovkitError as exc:
        return page.error(exc)
    seen: set[str] = set()
    sections = []
    for clause in found.clauses:
        anchor = service.anchor(clause.clause_key)
        if anchor in seen:  # a key repeated (a header, a footer): the first one is the link's
            anchor = f"{anchor}-{clause.position}"
        seen.add(anchor)
        sections.append((anchor, clause, [p for p in clause.body.split("\n") if p.strip()]))
    return page.render("search_version.html", found=found, sections=sections, kind_title=_kind_title(found.language))


@router.get("/search/documents/{version_id}", response_class=HTMLResponse)
async def document_version_page(page: Page, version_id: int) -> Response:
    return await _version_page(page, "school", version_id)


@router.get("/search/roots/{version_id}", response_class=HTMLResponse)
async def root_version_page(page: Page, version_id: int) -> Response:
    return await _version_page(page, "root", version_id)
