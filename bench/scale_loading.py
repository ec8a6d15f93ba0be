"""Bulk loading of the campaign benchmark's persons and acknowledgements, with the raw drivers.

PostgreSQL: COPY in one transaction (constraints and indexes of the acknowledgements added
back after it, as pg_restore does); SQLite: executemany in one transaction. Never the ORM
one row at a time.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator

import psycopg
import sqlalchemy as sa

PERSON_COLUMNS = (
    "id",
    "organisation_id",
    "external_id",
    "given_name",
    "family_name",
    "email",
    "status",
    "entry_date",
    "departure_date",
    "residence_code",
    "preferred_language",
    "created_at",
    "updated_at",
)
ACK_COLUMNS = (
    "id",
    "person_id",
    "organisation_id",
    "document_version_id",
    "campaign_id",
    "method",
    "document_sha256",
    "wording",
    "wording_sha256",
    "acknowledged_at",
    "auth_method",
    "recorded_by",
    "reason",
    "carried_from_id",
    "client_ip",
    "user_agent",
    "client_sha256",
    "recorded_sha256",
    "personal_salt",
    "verification_code",
    "previous_hash",
    "record_hash",
)


def load_sqlite(
    engine: sa.Engine, persons: list[tuple], populations: list[tuple[int, str]], acks: Iterable[tuple]
) -> None:
    """One transaction of executemany, foreign keys checked."""
    path = engine.url.database
    assert path, "a file database"
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")  # up to 1 GB: index pages stay in memory while loading
        conn.execute("PRAGMA journal_mode=MEMORY")  # written once, not to the WAL then to the database
        conn.execute("BEGIN")
        for table, columns, rows in (
            ("person", PERSON_COLUMNS, persons),
            ("person_population", ("person_id", "population"), populations),
            ("acknowledgement", ACK_COLUMNS, acks),
        ):
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")  # as govkit's engine has it
    finally:
        conn.close()


def load_postgresql(
    engine: sa.Engine, persons: list[tuple], populations: list[tuple[int, str]], acks: Iterable[tuple]
) -> None:
    """COPY in one transaction. As pg_restore does, the acknowledgements' unique and foreign-key
    constraints and indexes are added back after their COPY: built at once, and validated."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'acknowledgement'::regclass AND contype IN ('u', 'f') ORDER BY conname"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = 'acknowledgement'::regclass AND NOT indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE acknowledgement DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, columns, rows in (
            ("person", PERSON_COLUMNS, persons),
            ("person_population", ("person_id", "population"), populations),
            ("acknowledgement", ACK_COLUMNS, acks),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in _batched(rows):
                    copy.write("".join("\t".join(map(str, row)) + "\n" for row in chunk))
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE acknowledgement ADD CONSTRAINT "{name}" {definition}')


def _batched(rows: Iterable[tuple], size: int = 4096) -> Iterator[tuple[tuple, ...]]:
    iterator = iter(rows)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def reset_sequences(engine: sa.Engine) -> None:
    """After explicit ids: the next ORM insert takes the next id."""
    with engine.begin() as conn:
        for table in (
            "root_template",
            "root_template_version",
            "variant",
            "document_version",
            "campaign",
            "person",
            "acknowledgement",
        ):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(max(id), 1) FROM {table}))"
                )
            )


def analyze_statistics(engine: sa.Engine, backend: str) -> None:
    """PostgreSQL: what autovacuum would have done by now (statistics, visibility map). SQLite: nothing,
    as govkit never runs ANALYZE there: its queries must plan well without statistics."""
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
