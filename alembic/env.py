"""Alembic environment: targets every govkit table; batch mode on SQLite."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from alembic import context
from govkit.db import create_db_engine
from govkit.models import metadata
from govkit.settings import get_settings

#: The full-text index of clauses (revision 0021) is the database's own, no model's: on SQLite the
#: FTS5 table and its shadow tables, on PostgreSQL the generated tsvector column and its GIN index.
_SEARCH_INDEX = ("indexed_clause_fts", "search_vector", "ix_indexed_clause_search_vector")


def _govkit_names(name: str | None, type_: str, parent_names: object) -> bool:
    """procrastinate's tables (revision 0006) are procrastinate's, the clause search index (0021) the
    database's: autogenerate leaves them alone."""
    if name is not None and name.startswith(_SEARCH_INDEX):
        return False
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_govkit_names,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.attributes.get("url") or get_settings().database_url
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("govkit migrations run online only: use `govkit db upgrade`")
run_migrations_online()
