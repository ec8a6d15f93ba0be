"""`govkit check --as-of` end to end on the IMT demo, as a new user would run it, on both databases:
the run as of the end of 2022 reports nothing missing that the plan documents in 2021, and is stored
apart; `govkit check` afterwards shows the same current findings as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govkit import migrations
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from tests.cli.test_cli import govkit
from tests.conftest import fresh_database_url

#: What the plan's état des lieux documents in 2021, recorded in govkit years later (the issue's list).
DOCUMENTED_IN_2021 = [
    ("imt-bs", "listening.cell", "listening_cell"),
    ("telecom-sudparis", "listening.cell", "listening_cell"),
    ("imt-mines-albi", "listening.reporting-channel", "reporting_channel"),
    ("mines-saint-etienne", "commitments.equality-charter", "equality_charter"),
    ("telecom-paris", "protocols.vss-protocol", "vss_protocol"),
]


def _check(url: str, cwd: Path, *options: str) -> dict[str, Any]:
    done = govkit("check", "--format", "json", *options, url=url, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _found(printed: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(f["school"], f["rule"], f["key"], f["severity"]) for f in printed["findings"]}


def test_check_as_of_the_end_of_2022_then_check_again(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, "govkit_test_rules_as_of_cli", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    try:
        load_demo(db=Database(engine), persons_per_school=3)
    finally:
        engine.dispose()

    before = _check(url, tmp_path)
    assert (before["basis"], before["known_at"]) == ("current", None)

    past = _check(url, tmp_path, "--as-of", "2022-12-31")
    assert (past["basis"], past["as_of"]) == ("as_of", "2022-12-31")
    in_2022 = _found(past)
    for school, rule, key in DOCUMENTED_IN_2021:
        assert not {f for f in in_2022 if f[:3] == (school, rule, key)}, (school, rule, key)
    missing_referents = {f[0] for f in in_2022 if f[1:3] == ("commitments.equality-referent", "equality_referent")}
    assert missing_referents <= {f[0] for f in _found(before) if f[2] == "equality_referent"}
    assert {f["status"] for f in past["findings"]} == {"new"}, "the first run of that date"

    after = _check(url, tmp_path)
    assert after["basis"] == "current"
    assert _found(after) == _found(before), "the run as of 2022 changed nothing in the current findings"
    assert {f["status"] for f in after["findings"]} == {"open"}, "compared with the previous current run"

    tables = govkit("check", "--as-of", "2022-12-31", "--lang", "en", url=url, cwd=tmp_path)
    printed = " ".join(tables.stdout.split())  # the console wraps long lines
    assert "as of 2022-12-31 (stored apart: the current findings are unchanged)" in printed, printed[-400:]
