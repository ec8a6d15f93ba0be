"""Where personal values still are: every text, varchar and JSON column of every table of the
database (read from the database itself, so tables of the job engine are scanned too)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from govkit.db import Database

#: Column types scanned (their names as the dialects report them, lower case).
TEXTUAL = ("char", "text", "json", "string", "clob")


def text_columns(db: Database) -> list[tuple[str, str]]:
    """Every (table, column) of a textual type."""
    with db.reading() as session:
        inspector = sa.inspect(session.connection())
        found = []
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            for column in inspector.get_columns(table):
                if any(t in str(column["type"]).lower() for t in TEXTUAL):
                    found.append((table, column["name"]))
        return found


def leaks(db: Database, needles: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for each needle found in a textual column (case-insensitive)."""
    wanted = sorted({n.lower() for n in needles if n})
    if not wanted:
        return []
    found = []
    columns = text_columns(db)
    with db.reading() as session:
        for table, name in columns:
            value = sa.func.lower(sa.cast(sa.column(name), sa.Text))
            source = sa.table(table, sa.column(name))
            hits = session.execute(
                sa.select(
                    *(sa.func.max(sa.case((value.contains(n, autoescape=True), 1), else_=0)) for n in wanted)
                ).select_from(source)
            ).one()
            found += [(table, name, n) for n, hit in zip(wanted, hits, strict=True) if hit]
    return found
