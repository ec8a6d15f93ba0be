"""The tests' SQLite databases return the rows of a SELECT without ORDER BY in reverse
(tests/conftest.py), so that an order nobody asked for fails on SQLite every time instead of on
PostgreSQL once in a while (a CI run once failed on an audit query's order that way)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from govkit.db import create_db_engine


def test_an_unordered_select_comes_back_reversed_and_order_by_still_rules(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'order.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE t (n INTEGER PRIMARY KEY, label TEXT)"))
            connection.execute(sa.text("INSERT INTO t (n, label) VALUES (1, 'a'), (2, 'b'), (3, 'c')"))
        with engine.connect() as connection:
            unordered = connection.execute(sa.text("SELECT n FROM t")).scalars().all()
            ordered = connection.execute(sa.text("SELECT n FROM t ORDER BY n")).scalars().all()
        assert unordered == [3, 2, 1]
        assert ordered == [1, 2, 3]
    finally:
        engine.dispose()
