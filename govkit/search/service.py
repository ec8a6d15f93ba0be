"""Search the clauses of the root template versions and of the schools' published versions.

Who finds what is who may read it (govkit.access.policy): the schools' versions where the caller
may read published documents (legal staff and auditors everywhere, a school's administration, its
intranet and its members their own school), the root templates for whoever may read them (legal
staff, auditors, schools' administrations). PostgreSQL ranks with ``ts_rank`` over the French or
English configuration of each clause's language and highlights with ``ts_headline``; SQLite ranks
with FTS5's ``bm25`` and highlights with ``snippet``: the order may differ, the clauses found by a
word or an exact phrase do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access import audit
from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, given_id, unknown
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.documents.clause_index import FTS_TABLE, IndexedClause, Reindexed, index_missing, reindex
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion, RootTemplate, RootTemplateVersion
from govkit.documents.root_templates import check_language
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for
from govkit.search.query import SearchQuery, parse

#: Where to look: every version the caller may read, the schools' versions only, or the roots only.
SOURCES = ("all", "schools", "roots")
MAX_FIRST = 100
#: Around the matched words in a snippet (private-use characters: never in a clause's text).
START, END = "\ue000", "\ue001"
_HEADLINE = f'StartSel="{START}", StopSel="{END}", MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "'


@dataclass(frozen=True)
class Fragment:
    """A piece of a snippet; ``highlighted`` when it is a word the query matched."""

    text: str
    highlighted: bool = False


@dataclass(frozen=True)
class ClauseHit:
    """A clause that matches: where it is (school or root template, kind, language, version) and
    what it says around the words found."""

    kind: str
    language: str
    version_number: int
    clause_key: str
    title: str
    snippet: tuple[Fragment, ...]
    score: float
    in_force: bool
    document_version_id: int | None = None
    root_template_version_id: int | None = None
    school: str | None = None
    school_name: str | None = None
    effective_from: date | None = None
    published: bool = True

    @property
    def source(self) -> str:
        return "school" if self.document_version_id is not None else "root"

    @property
    def path(self) -> str:
        """The page of the hit's version, at the clause (govkit.web.search_page)."""
        return version_path(
            self.source, self.document_version_id or self.root_template_version_id or 0, self.clause_key
        )


def version_path(source: str, version_id: int, clause_key: str | None = None) -> str:
    folder = "documents" if source == "school" else "roots"
    return f"/ui/search/{folder}/{version_id}" + (f"#{anchor(clause_key)}" if clause_key else "")


def anchor(clause_key: str) -> str:
    """The id of a clause in its version's page."""
    return f"clause-{clause_key}"


def fragments(snippet: str) -> tuple[Fragment, ...]:
    """A snippet with its START/END marks as fragments, whitespace folded."""
    found: list[Fragment] = []
    text = " ".join(snippet.split())
    for i, piece in enumerate(text.split(START)):
        marked, _, rest = piece.partition(END) if i else ("", "", piece)
        if marked:
            found.append(Fragment(marked.replace(START, ""), True))
        if rest:
            found.append(Fragment(rest.replace(END, "")))
    return tuple(found)


@dataclass(frozen=True)
class _Scope:
    """The versions a search may return, as SQL conditions on ``indexed_clause c``."""

    condition: str
    params: dict[str, object]
    expanding: tuple[str, ...]
    documents_in_force: frozenset[int]
    roots_in_force: frozenset[int]


def _documents_in_force(session: Session, organisation_ids: list[int] | None, day: date) -> frozenset[int]:
    query = sa.select(
        col(DocumentVersion.id),
        col(DocumentVersion.organisation_id),
        col(DocumentVersion.kind),
        col(DocumentVersion.language),
        col(DocumentVersion.effective_from),
        col(DocumentVersion.number),
    ).where(col(DocumentVersion.effective_from) <= day)
    if organisation_ids is not None:
        query = query.where(col(DocumentVersion.organisation_id).in_(organisation_ids))
    best: dict[tuple[int, str, str], tuple[date, int, int]] = {}
    for id_, org, kind, language, effective, number in session.execute(query).all():
        key = (org, kind, language)
        if key not in best or (effective, number) > best[key][:2]:
            best[key] = (effective, number, int(id_ or 0))
    return frozenset(v[2] for v in best.values())


def _roots_in_force(session: Session) -> frozenset[int]:
    """The newest published version of each root template: the one variants are rendered from."""
    newest: dict[int, tuple[int, int]] = {}
    for id_, template, number in session.execute(
        sa.select(
            col(RootTemplateVersion.id), col(RootTemplateVersion.root_template_id), col(RootTemplateVersion.number)
        ).where(col(RootTemplateVersion.published_at).is_not(None))
    ).all():
        if template not in newest or number > newest[template][0]:
            newest[template] = (number, id_)
    return frozenset(v[1] for v in newest.values())


def _scope(
    session: Session, actor: Principal, school: Organisation | None, source: str, in_force_only: bool, day: date
) -> _Scope:
    params: dict[str, object] = {}
    expanding: list[str] = []
    parts: list[str] = []
    organisation_ids: list[int] | None = None
    if school is not None:
        organisation_ids = [stored_id(school)]
    elif not is_allowed(actor, Action.READ_PUBLISHED):  # scoped to one school
        own = actor.organisation_id
        organisation_ids = (
            [own] if own is not None and is_allowed(actor, Action.READ_PUBLISHED, organisation_id=own) else []
        )
    documents = _documents_in_force(session, organisation_ids, day)
    roots = _roots_in_force(session)
    if source in ("all", "schools"):
        condition = "c.document_version_id IS NOT NULL"
        if organisation_ids is not None:
            condition += " AND c.organisation_id IN :organisations"
            params["organisations"] = organisation_ids
            expanding.append("organisations")
        if in_force_only:
            condition += " AND c.document_version_id IN :documents"
            params["documents"] = sorted(documents)
            expanding.append("documents")
        parts.append(condition)
    if source in ("all", "roots") and school is None and is_allowed(actor, Action.READ_ROOT_TEMPLATES):
        condition = "c.root_template_version_id IS NOT NULL"
        if in_force_only:
            condition += " AND c.root_template_version_id IN :roots"
            params["roots"] = sorted(roots)
            expanding.append("roots")
        parts.append(condition)
    where = " OR ".join(f"({p})" for p in parts) if parts else "1 = 0"
    return _Scope(f"({where})", params, tuple(expanding), documents, roots)


_COLUMNS = (
    "c.id, c.root_template_version_id, c.document_version_id, c.organisation_id, c.kind, c.language, "
    "c.version_number, c.clause_key, c.title"
)


def _matches(
    session: Session, query: SearchQuery, filters: str, values: dict[str, object], scope: _Scope, first: int
) -> list[sa.Row]:
    params = {**values, **scope.params, "first": first}
    if session.get_bind().dialect.name == "postgresql":
        statement = sa.text(
            "WITH q AS (SELECT websearch_to_tsquery('french', :words) AS fr, "  # noqa: S608 - our own conditions, values bound
            "websearch_to_tsquery('english', :words) AS en), "
            f"hits AS (SELECT {_COLUMNS}, c.body, CASE WHEN c.language = 'fr' THEN q.fr ELSE q.en END AS tsq, "
            "ts_rank(c.search_vector, CASE WHEN c.language = 'fr' THEN q.fr ELSE q.en END) AS score "
            "FROM indexed_clause AS c, q "
            "WHERE ((c.language = 'fr' AND c.search_vector @@ q.fr) "
            "OR (c.language <> 'fr' AND c.search_vector @@ q.en)) "
            f"AND {filters} AND {scope.condition} ORDER BY score DESC, c.id LIMIT :first) "
            "SELECT id, root_template_version_id, document_version_id, organisation_id, kind, language, "
            "version_number, clause_key, title, ts_headline(CASE WHEN language = 'fr' THEN 'french'::regconfig "
            "ELSE 'english'::regconfig END, body, tsq, :headline) AS snippet, score "
            "FROM hits ORDER BY score DESC, id"
        )
        params |= {"words": query.websearch(), "headline": _HEADLINE}
    else:
        statement = sa.text(
            f"SELECT {_COLUMNS}, snippet({FTS_TABLE}, 1, :start, :end, '…', 24) AS snippet, "  # noqa: S608 - values bound
            f"-bm25({FTS_TABLE}, 4.0, 1.0) AS score "
            f"FROM {FTS_TABLE} JOIN indexed_clause AS c ON c.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH :match AND {filters} AND {scope.condition} "
            "ORDER BY score DESC, c.id LIMIT :first"
        )
        params |= {"match": query.fts5(), "start": START, "end": END}
    statement = statement.bindparams(*(sa.bindparam(name, expanding=True) for name in scope.expanding))
    try:
        return list(session.execute(statement, params).all())
    except sa.exc.OperationalError as exc:  # SQLite's FTS5 refusing a query parse() let through
        if session.get_bind().dialect.name == "postgresql":
            raise
        raise InvalidInput(
            'The search engine could not read this query: use words, "phrases" and -exclusions.',
            key="search_unreadable",
        ) from exc


def search_clauses(
    *,
    db: Database,
    actor: Principal,
    text: str,
    language: str | None = None,
    kind: str | None = None,
    school: str | None = None,
    source: str = "all",
    in_force_only: bool = True,
    first: int = 20,
    day: date | None = None,
) -> list[ClauseHit]:
    """The clauses matching ``text`` (best first, at most ``first``) among the versions the caller
    may read: in force on ``day`` (today) only, or every version (drafts of root templates included);
    of one ``language``, ``kind``, ``school`` (its versions only), or ``source``."""
    authorize_some(actor, Action.READ_PUBLISHED)
    with db.reading() as session:
        organisation = organisation_for(session, actor, Action.READ_PUBLISHED, school) if school else None
        if source not in SOURCES:
            raise InvalidInput(f"Unknown source {source!r}: use all, schools or roots.", key="search_bad_source")
        if not 1 <= first <= MAX_FIRST:
            raise InvalidInput(f"Ask for 1 to {MAX_FIRST} results.", key="search_bad_first", params={"most": MAX_FIRST})
        filters: list[str] = ["1 = 1"]
        params: dict[str, object] = {}
        if language is not None:
            filters.append("c.language = :language")
            params["language"] = check_language(language)
        if kind is not None:
            filters.append("c.kind = :kind")
            params["kind"] = catalogue().kind(kind).key
        query = parse(text)
        scope = _scope(session, actor, organisation, source, in_force_only, day or utc_today())
        rows = _matches(session, query, " AND ".join(filters), params, scope, first)
        return _hits(session, rows, scope)


def _hits(session: Session, rows: list[sa.Row], scope: _Scope) -> list[ClauseHit]:
    org_ids = {r.organisation_id for r in rows if r.organisation_id is not None}
    doc_ids = {r.document_version_id for r in rows if r.document_version_id is not None}
    root_ids = {r.root_template_version_id for r in rows if r.root_template_version_id is not None}
    organisations = {o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids))).all()}
    effective: dict[int, date] = {
        row[0]: row[1]
        for row in session.execute(
            sa.select(col(DocumentVersion.id), col(DocumentVersion.effective_from)).where(
                col(DocumentVersion.id).in_(doc_ids)
            )
        ).all()
    }
    published: dict[int, object] = {
        row[0]: row[1]
        for row in session.execute(
            sa.select(col(RootTemplateVersion.id), col(RootTemplateVersion.published_at)).where(
                col(RootTemplateVersion.id).in_(root_ids)
            )
        ).all()
    }
    hits = []
    for r in rows:
        org = organisations.get(r.organisation_id)
        document = r.document_version_id
        hits.append(
            ClauseHit(
                kind=r.kind,
                language=r.language,
                version_number=r.version_number,
                clause_key=r.clause_key,
                title=r.title,
                snippet=fragments(r.snippet or ""),
                score=float(r.score or 0.0),
                in_force=(document in scope.documents_in_force)
                if document is not None
                else (r.root_template_version_id in scope.roots_in_force),
                document_version_id=document,
                root_template_version_id=r.root_template_version_id,
                school=org.code if org else None,
                school_name=org.name if org else None,
                effective_from=effective.get(document) if document is not None else None,
                published=document is not None or published.get(r.root_template_version_id) is not None,
            )
        )
    return hits


@dataclass(frozen=True)
class VersionClauses:
    """A version's clauses in document order, as indexed: the page a search hit links to."""

    source: str
    version_id: int
    kind: str
    language: str
    version_number: int
    school: Organisation | None
    effective_from: date | None
    clauses: list[IndexedClause]


def version_clauses(*, db: Database, actor: Principal, source: str, version_id: int | str) -> VersionClauses:
    """The clauses of a school's published version (``source`` school) or of a root template
    version (``root``), for a caller who may read it."""
    if source == "root":
        authorize(actor, Action.READ_ROOT_TEMPLATES)
        key = given_id(actor, Action.READ_ROOT_TEMPLATES, version_id, "root template version")
    else:
        authorize_some(actor, Action.READ_PUBLISHED)
        key = given_id(actor, Action.READ_PUBLISHED, version_id, "document version")
    with db.reading() as session:
        school: Organisation | None = None
        effective: date | None = None
        if source == "root":
            version = session.get(RootTemplateVersion, key)
            if version is None:
                raise NotFound(f"No root template version {key}.", key="no_root_version", params={"id": key})
            template = session.get(RootTemplate, version.root_template_id)
            assert template is not None
            kind, language, number = template.kind, template.language, version.number
            condition = IndexedClause.root_template_version_id == key
        else:
            document = session.get(DocumentVersion, key)
            if document is None or not is_allowed(
                actor, Action.READ_PUBLISHED, organisation_id=document.organisation_id
            ):
                unknown(
                    actor,
                    Action.READ_PUBLISHED,
                    NotFound(f"No document version {key}.", key="no_document_version", params={"id": key}),
                )
                raise AssertionError("unreachable")  # pragma: no cover - unknown() raises
            school = session.get(Organisation, document.organisation_id)
            kind, language, number, effective = (
                document.kind,
                document.language,
                document.number,
                document.effective_from,
            )
            condition = IndexedClause.document_version_id == key
        clauses = list(session.exec(select(IndexedClause).where(condition).order_by(col(IndexedClause.position))).all())
    return VersionClauses(source, key, kind, language, number, school, effective, clauses)


def reindex_clauses(*, db: Database, actor: Principal, correlation_id: str = "search-reindex") -> Reindexed:
    """Rebuild the clause index from the stored files, in one transaction (`govkit search reindex`):
    legal staff (or the system), who may change what the index is made of."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    with db.transaction() as session:
        done = reindex(session)
    audit.record(
        db,
        actor=actor,
        action="search.reindex",
        outcome="ok",
        correlation_id=correlation_id,
        detail=f"{done.clauses} clauses of {done.root_versions} root template versions "
        f"and {done.document_versions} document versions",
    )
    return done


def index_missing_clauses(*, db: Database, actor: Principal) -> Reindexed:
    """Index the versions stored before the search index existed (`govkit demo` on a loaded database)."""
    authorize(actor, Action.UPLOAD_ROOT_TEMPLATE)
    with db.transaction() as session:
        return index_missing(session)
