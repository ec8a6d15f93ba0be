"""Revision 0011 (rule parameter values) on both databases: the table takes a value with its source,
a run keeps its rules' parameters once (rule_run.parameters), and the downgrade drops both."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.db import create_db_engine
from govkit.rules.models import RuleRun
from govkit.rules.parameter_records import RuleParameterValue, recorded
from govkit.timeline import AsOf
from tests.conftest import BACKENDS, fresh_database_url


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, "govkit_test_migration_0011", tmp_path)


def test_the_table_of_parameter_values_comes_and_goes(url: str) -> None:
    migrations.upgrade(url=url, revision="0011")
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(RuleParameterValue.__table__),  # type: ignore[attr-defined]
                {
                    "rule_id": "network.referent-meetings",
                    "name": "per_year",
                    "value": 4,
                    "valid_from": date(2023, 1, 1),
                    "source": {"kind": "default", "text": "quarterly meetings"},
                    "reason": "Décision du comité",
                    "recorded_at": datetime(2024, 1, 1, tzinfo=UTC),
                    "recorded_by": "system (legal)",
                },
            )
            (value,) = recorded(connection, AsOf(date(2023, 1, 1)))
            assert (value.value, value.valid_from, value.source["kind"]) == (4, date(2023, 1, 1), "default")
            assert recorded(connection, AsOf(date(2022, 12, 31))) == ()
            assert recorded(connection, AsOf(date(2023, 6, 1), datetime(2023, 12, 31, tzinfo=UTC))) == ()
            shown = {
                "network.referent-meetings": [{"name": "per_year", "value": 4, "source": None, "valid_from": None}]
            }
            runs = RuleRun.__table__  # type: ignore[attr-defined]
            for parameters in (shown, None):
                connection.execute(
                    sa.insert(runs),
                    {"as_of": date(2023, 1, 1), "ran_by": "system", "rules_sha256": "0" * 64, "parameters": parameters},
                )
            assert connection.execute(sa.select(runs.c.parameters).order_by(runs.c.id)).scalars().all() == [shown, None]
        migrations.downgrade(url=url, revision="0010")
        assert "rule_parameter_value" not in sa.inspect(engine).get_table_names()
        assert "parameters" not in {c["name"] for c in sa.inspect(engine).get_columns("rule_run")}
        migrations.upgrade(url=url, revision="0011")
        assert "rule_parameter_value" in sa.inspect(engine).get_table_names()
        assert "parameters" in {c["name"] for c in sa.inspect(engine).get_columns("rule_run")}
    finally:
        engine.dispose()
