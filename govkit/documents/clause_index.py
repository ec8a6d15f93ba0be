"""The text of every clause of every root template version and every published document version,
kept for searching (govkit.search): one row per clause, written in the transaction that creates the
version (an upload, a publication), and rebuilt from the stored files by ``reindex``.

The rows are derived data: the .docx in ``blob`` stays the reference. The full-text index over them
is the database's own (migration 0021): on PostgreSQL the generated column ``search_vector``
(French or English configuration, by the row's language) with a GIN index; on SQLite the FTS5 table
``indexed_clause_fts`` (tokenizer ``unicode61 remove_diacritics 2``) kept by triggers. Neither is a
model column: autogenerate leaves them alone (alembic/env.py).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from lxml import etree
from sqlmodel import Field, Session, SQLModel, col, select

from govkit.db import stored_id
from govkit.documents.inspect import ClauseText, read_clauses
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion

#: Searched text per clause, at most (a clause longer than this is cut for the index only).
MAX_TEXT = 100_000
#: The SQLite FTS5 table and the PostgreSQL column of the full-text index (migration 0021).
FTS_TABLE = "indexed_clause_fts"
VECTOR_COLUMN = "search_vector"


class IndexedClause(SQLModel, table=True):
    """One clause of a root template version (``root_template_version_id``) or of a school's
    published document version (``document_version_id``, ``organisation_id``): its key, title
    and text, at its position in the document."""

    __tablename__ = "indexed_clause"
    __table_args__ = (
        sa.CheckConstraint("(root_template_version_id IS NULL) <> (document_version_id IS NULL)", name="one_version"),
        sa.UniqueConstraint("root_template_version_id", "position"),
        sa.UniqueConstraint("document_version_id", "position"),
        sa.Index("ix_indexed_clause_filters", "kind", "language"),
    )

    id: int | None = Field(default=None, primary_key=True)
    root_template_version_id: int | None = Field(default=None, foreign_key="root_template_version.id")
    document_version_id: int | None = Field(default=None, foreign_key="document_version.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    kind: str = Field(max_length=60)
    language: str = Field(max_length=2)
    version_number: int
    position: int
    clause_key: str = Field(max_length=120)
    title: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)


def _clauses(data: bytes) -> list[ClauseText]:
    """The clauses of a stored .docx; none when it is not one (bytes a test or an import stored
    as they came: what cannot be read has nothing to search)."""
    try:
        return read_clauses(data)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        return []


def _rows(data: bytes, language: str) -> list[dict[str, object]]:
    titles = catalogue()
    return [
        {
            "position": position,
            "clause_key": clause.key[:120],
            "title": titles.clause_title(clause.key, language)[:300],
            "body": clause.text.strip()[:MAX_TEXT],
        }
        for position, clause in enumerate(_clauses(data))
    ]


def _insert(session: Session, rows: list[dict[str, object]], **common: object) -> int:
    if rows:
        session.execute(sa.insert(IndexedClause), [{**common, **row} for row in rows])
    return len(rows)


def index_root_version(session: Session, template: RootTemplate, version: RootTemplateVersion, data: bytes) -> int:
    """Index the clauses of a new root template version (its .docx ``data``), in the caller's
    transaction; the number of clauses indexed."""
    return _insert(
        session,
        _rows(data, template.language),
        root_template_version_id=stored_id(version),
        kind=template.kind,
        language=template.language,
        version_number=version.number,
    )


def index_document_version(session: Session, document: DocumentVersion, data: bytes | None = None) -> int:
    """Index the clauses of a newly published document version, in the caller's transaction (its
    bytes read from the store when not given); the number of clauses indexed."""
    if data is None:
        blob = session.get(Blob, document.sha256)
        assert blob is not None
        data = blob.data
    return _insert(
        session,
        _rows(data, document.language),
        document_version_id=stored_id(document),
        organisation_id=document.organisation_id,
        kind=document.kind,
        language=document.language,
        version_number=document.number,
    )


@dataclass(frozen=True)
class Reindexed:
    root_versions: int
    document_versions: int
    clauses: int


def reindex(session: Session) -> Reindexed:
    """Rebuild the whole index from the stored files, in the caller's transaction (for data that
    predates it, or after a change of the catalogue's titles)."""
    session.execute(sa.delete(IndexedClause))
    if session.get_bind().dialect.name == "sqlite":  # the triggers kept it, but start clean
        session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))  # noqa: S608
    cache: dict[tuple[str, str], list[dict[str, object]]] = {}

    def rows(sha256: str, language: str) -> list[dict[str, object]]:
        if (sha256, language) not in cache:
            data = session.exec(select(Blob.data).where(Blob.sha256 == sha256)).one()
            cache[sha256, language] = _rows(data, language)
        return cache[sha256, language]

    clauses = 0
    roots = session.exec(
        select(RootTemplate, RootTemplateVersion)
        .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
        .order_by(col(RootTemplateVersion.id))
    ).all()
    for template, version in roots:
        clauses += _insert(
            session,
            rows(version.sha256, template.language),
            root_template_version_id=stored_id(version),
            kind=template.kind,
            language=template.language,
            version_number=version.number,
        )
    documents = session.exec(select(DocumentVersion).order_by(col(DocumentVersion.id))).all()
    for document in documents:
        clauses += _insert(
            session,
            rows(document.sha256, document.language),
            document_version_id=stored_id(document),
            organisation_id=document.organisation_id,
            kind=document.kind,
            language=document.language,
            version_number=document.number,
        )
    session.flush()
    return Reindexed(root_versions=len(roots), document_versions=len(documents), clauses=clauses)


def index_missing(session: Session) -> Reindexed:
    """Index the versions that have no indexed clause yet (stored before migration 0021), in the
    caller's transaction: what `govkit demo` does on a database it finds already loaded."""
    indexed_roots = select(IndexedClause.root_template_version_id).where(
        col(IndexedClause.root_template_version_id).is_not(None)
    )
    indexed_documents = select(IndexedClause.document_version_id).where(
        col(IndexedClause.document_version_id).is_not(None)
    )
    roots = session.exec(
        select(RootTemplate, RootTemplateVersion)
        .join(RootTemplateVersion, col(RootTemplateVersion.root_template_id) == RootTemplate.id)
        .where(col(RootTemplateVersion.id).not_in(indexed_roots))
    ).all()
    documents = session.exec(select(DocumentVersion).where(col(DocumentVersion.id).not_in(indexed_documents))).all()
    clauses = 0
    for template, version in roots:
        blob = session.get(Blob, version.sha256)
        clauses += index_root_version(session, template, version, blob.data) if blob else 0
    for document in documents:
        clauses += index_document_version(session, document)
    return Reindexed(root_versions=len(roots), document_versions=len(documents), clauses=clauses)
