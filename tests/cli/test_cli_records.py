"""`govkit import-training` and `govkit import-surveys` as a user runs them: all lines or none, every
problem on its own line with its line and column, exit status 1 when refused."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.db import UTCDateTime, create_db_engine
from tests.conftest import BACKENDS, SECRET, fresh_database_url


def govkit(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVKIT_DATABASE_URL": url, "GOVKIT_SECRET_KEY": SECRET, "GOVKIT_ENV": "dev"}
    return subprocess.run(
        [sys.executable, "-m", "govkit", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    made = fresh_database_url(request.param, "govkit_test_cli_records", tmp_path)
    migrations.upgrade(url=made)
    engine = create_db_engine(made)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organisation (code, type, name, short_name, created_at) "
                    "VALUES ('ecole', 'school', 'École', 'E', :t)"
                ).bindparams(sa.bindparam("t", type_=UTCDateTime())),
                {"t": datetime(2024, 1, 1, tzinfo=UTC)},
            )
    finally:
        engine.dispose()
    return made


def _count(url: str, table: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def test_import_training_and_surveys(url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "academic_year;audience;training;title;trained;total\n2022;staff;x;Sensibilisation;60;50\n2022;aliens;x;T;;\n",
        encoding="utf-8",
    )
    refused = govkit("import-training", str(bad), "--school", "ecole", url=url, cwd=tmp_path)
    assert refused.returncode == 1
    assert "line 2: trained (60) is more than total (50)" in refused.stderr
    assert "line 3, column audience:" in refused.stderr
    assert "nothing was imported: 2 problem(s) in bad.csv" in refused.stderr
    assert _count(url, "training_record") == 0

    good = tmp_path / "good.csv"
    good.write_text("academic_year,audience,training,title,trained,total\n2022,staff,x,Sensibilisation,40,50\n")
    done = govkit("import-training", str(good), "--school", "ecole", url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "good.csv: 1 training record(s) imported" in done.stderr
    assert _count(url, "training_record") == 1

    surveys = tmp_path / "surveys.csv"
    surveys.write_text("year,title,audience,status\n2021,Enquête,students,planned\n", encoding="utf-8")
    done = govkit("import-surveys", str(surveys), "--school", "ecole", url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _count(url, "survey") == 1
