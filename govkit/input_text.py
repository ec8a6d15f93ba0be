"""Text holding a NUL character (U+0000): refused by the database on both backends alike, and
answered as the caller's error.

PostgreSQL's text and JSON cannot hold U+0000 (psycopg refuses the statement), while SQLite
would store it: the same request would succeed on one backend and fail with a server error on
the other. Every govkit engine refuses it the same way instead (``guard_engine``: SQLite
statements are checked before they run, JSON is checked as it is serialised on both), and
``govkit.disconnects.run_service`` — how every entry point calls the services — turns the
refusal into ``InvalidInput``. The check happens where the text reaches the database, after
the service has authorised the caller: a caller without the right is refused first, whatever
the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import psycopg
import sqlalchemy as sa

from govkit.errors import InvalidInput

__all__ = ["NulInText", "guard_engine", "holds_nul", "nul_refusal", "strict_json"]

#: How deep values are searched (parameters nest a few levels: JSON of lists of dicts).
_MAX_DEPTH = 64
_MESSAGE = (
    "Le texte ne peut pas contenir le caractère NUL (U+0000) : retirez-le. "
    "/ Text may not hold the NUL character (U+0000): remove it."
)


class NulInText(ValueError):
    """A value for the database holds U+0000."""


def holds_nul(value: Any, depth: int = 0) -> bool:
    """Whether a string anywhere in ``value`` (strings, mappings, sequences) holds U+0000."""
    if isinstance(value, str):
        return "\x00" in value
    if depth >= _MAX_DEPTH or isinstance(value, (bytes, bytearray, memoryview)):
        return False
    if isinstance(value, Mapping):
        return any(holds_nul(k, depth + 1) or holds_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(holds_nul(item, depth + 1) for item in value)
    return False


def strict_json(value: Any) -> str:
    """``json.dumps`` for JSON columns, refusing U+0000 (PostgreSQL's JSON cannot hold it)."""
    if holds_nul(value):
        raise NulInText(_MESSAGE)
    return json.dumps(value)


def guard_engine(engine: sa.Engine) -> None:
    """On SQLite, refuse statements whose parameters hold U+0000, as PostgreSQL does."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _refuse(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if parameters and holds_nul(parameters):
            raise NulInText(_MESSAGE)


def nul_refusal(error: BaseException) -> InvalidInput | None:
    """The caller's error for a database refusal of U+0000 (either backend), else None."""
    seen: BaseException | None = error
    for _ in range(4):  # the refusal itself, or wrapped by SQLAlchemy
        if seen is None:
            return None
        if isinstance(seen, NulInText):
            return InvalidInput(_MESSAGE)
        if isinstance(seen, psycopg.DataError) and (
            "NUL (0x00)" in str(seen) or getattr(seen, "sqlstate", None) == "22P05"
        ):
            return InvalidInput(_MESSAGE)
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None
