"""Plain SQL on a database at a given revision, for the tests of one migration (no models: the
tables are those of that revision)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from govkit.db import UTCDateTime, create_db_engine


def run_sql(url: str, statement: str, **values: Any) -> list[Any]:
    """Execute ``statement`` in a transaction of its own; its rows (datetimes bound as UTC timestamps)."""
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            query = sa.text(statement).bindparams(
                *(sa.bindparam(k, type_=UTCDateTime()) for k, v in values.items() if isinstance(v, datetime))
            )
            result = connection.execute(query, values)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def append_only_refuses(url: str, statement: str, **values: object) -> bool:
    """Whether an append-only trigger refuses ``statement`` (any other error is no refusal of it)."""
    try:
        run_sql(url, statement, **values)
    except sa.exc.DBAPIError as exc:
        return "append-only" in str(exc)
    return False


def json_value(url: str, name: str = "target") -> str:
    """The SQL for bound parameter ``name`` holding JSON text: cast to JSONB on PostgreSQL."""
    return f"CAST(:{name} AS JSONB)" if url.startswith("postgresql") else f":{name}"


def insert_audit_event(
    url: str,
    *,
    event_id: int,
    at: datetime,
    subject: str,
    action: str,
    target: dict[str, Any],
    outcome: str,
    client_ip: str | None = None,
) -> None:
    """One audit event, written as a revision's table holds it."""
    run_sql(
        url,
        "INSERT INTO audit_event (id, at, correlation_id, subject, action, target, outcome, client_ip)"
        f" VALUES (:id, :at, 'c', :subject, :action, {json_value(url)}, :outcome, :ip)",
        id=event_id,
        at=at,
        subject=subject,
        action=action,
        target=json.dumps(target),
        outcome=outcome,
        ip=client_ip,
    )
