"""`govkit check` at scale, on both databases: as many statements for 3 schools as for 30, the same JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.schools import AS_OF, BROKEN, generate
from govkit import migrations
from govkit.access.roles import SYSTEM
from govkit.acknowledgements import chain
from govkit.db import Database, create_db_engine
from govkit.rules import runs, service
from govkit.rules.background import InBackground
from govkit.rules.engine import profile_fields
from govkit.rules.queries import load_facts
from govkit.rules.report import check_json, check_payload, dumps
from tests.cli.test_cli import govkit
from tests.conftest import fresh_database_url

KNOWN_AT = datetime(2023, 1, 1, tzinfo=UTC)


@pytest.fixture
def groups(backend: str, tmp_path: Path) -> Iterator[dict[int, Database]]:
    """Two migrated databases of generated schools: 3 and 30 of them."""
    made: dict[int, Database] = {}
    for n in (3, 30):
        url = fresh_database_url(backend, f"govkit_test_rules_{n}", tmp_path)
        migrations.upgrade(url=url)
        generate(url, n)
        made[n] = Database(create_db_engine(url))
    yield made
    for db in made.values():
        db.bind.dispose()  # type: ignore[union-attr]


def statements(db: Database, call: object) -> tuple[int, object]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    sa.event.listen(db.bind, "before_cursor_execute", count)
    try:
        result = call()  # type: ignore[operator]
    finally:
        sa.event.remove(db.bind, "before_cursor_execute", count)
    return len(seen), result


def test_a_run_takes_as_many_statements_for_30_schools_as_for_3(groups: dict[int, Database]) -> None:
    counts: dict[str, dict[int, int]] = {"first": {}, "again": {}, "resolving": {}, "facts": {}}
    found: dict[int, int] = {}
    for n, db in groups.items():
        counts["first"][n], _ = statements(db, lambda db=db: service.run_rules(db=db, actor=SYSTEM, as_of=AS_OF))
        counts["again"][n], result = statements(db, lambda db=db: service.run_rules(db=db, actor=SYSTEM, as_of=AS_OF))
        found[n] = len(result.findings)  # type: ignore[attr-defined]
        assert {f.record.status for f in result.findings} == {"open"}  # type: ignore[attr-defined]
        # as known at the start of 2023, compared with the runs of the same day: some were not known yet
        counts["resolving"][n], earlier = statements(
            db, lambda db=db: service.run_rules(db=db, actor=SYSTEM, as_of=AS_OF, known_at=KNOWN_AT)
        )
        assert any(f.record.status == "resolved" for f in earlier.findings)  # type: ignore[attr-defined]

        def facts(db: Database = db) -> object:
            with db.reading() as session:
                return load_facts(session, AS_OF)

        counts["facts"][n], _ = statements(db, facts)
    assert found[30] > 5 * found[3] > 0
    for kind, by_size in counts.items():
        assert by_size[3] == by_size[30], (kind, by_size)
    # + arrangements, parameters, surveys (issue 16), clause texts and the clause library as known then (issue 19)
    assert counts["facts"][3] <= 14
    assert counts["again"][3] <= 23  # + the clause texts of the documents in force, the clause library (issue 19)


def test_the_json_of_govkit_check_is_json_dumps_of_its_payload(groups: dict[int, Database]) -> None:
    result = service.run_rules(db=groups[30], actor=SYSTEM, as_of=AS_OF)
    text = check_json(result)
    assert text == json.dumps(check_payload(result), ensure_ascii=False, indent=2)
    assert any(f["school"] == BROKEN and f["severity"] == "error" for f in json.loads(text)["findings"])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(
            st.text(max_size=5) | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_dumps_writes_what_json_dumps_writes(value: object) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    ("expressions", "fields"),
    [
        (
            ["has(profile.equality_referent.time_share_percent) && profile.equality_referent.x >= 50.0"],
            {"equality_referent"},
        ),
        (
            ["!has(profile.housing.has_residences) || profile.housing.has_residences", "has(profile.a)"],
            {"housing", "a"},
        ),
        (['profile["housing"].has_residences'], None),  # the profile as a whole: nothing left out
        (["profile.exists(k, k == 'a')"], None),
        (["size(profile) > 0"], None),
        (["org.type == 'school'"], set()),
    ],
)
def test_cel_contexts_hold_the_profile_fields_the_expressions_select(
    expressions: list[str], fields: set[str] | None
) -> None:
    assert profile_fields(expressions) == (None if fields is None else frozenset(fields))


def test_govkit_check_prints_every_school_in_json_and_in_tables(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, "govkit_test_rules_cli", tmp_path)
    migrations.upgrade(url=url)
    generate(url, 4)
    as_json = govkit("check", "--format", "json", "--as-of", AS_OF.isoformat(), url=url, cwd=tmp_path)
    assert as_json.returncode == 1, as_json.stderr  # the broken school has unwaived errors
    printed = json.loads(as_json.stdout)
    assert printed["as_of"] == AS_OF.isoformat()
    assert printed["blocking_errors"] > 0
    assert {f["status"] for f in printed["findings"]} == {"new"}
    tables = govkit("check", "--as-of", AS_OF.isoformat(), "--lang", "en", url=url, cwd=tmp_path)
    assert tables.returncode == 1, tables.stderr
    schools = {f["school"] for f in printed["findings"]}
    assert all(code in tables.stdout for code in schools)
    assert f"({printed['blocking_errors']} unwaived)" in tables.stdout
    assert f"run {printed['run'] + 1} as of {AS_OF}" in tables.stdout


def test_in_background_runs_in_order_and_raises_the_first_failure() -> None:
    done: list[int] = []

    def step(n: int) -> int:
        if n == 2:
            raise ValueError("second")
        done.append(n)
        return n

    background = InBackground()
    first = background.run(step, 1)
    background.run(step, 2)
    background.run(step, 3)
    with pytest.raises(ValueError, match="second"):
        background.__exit__(None, None, None)
    assert first.result() == 1
    assert done == [1, 3]  # each ran, in order; the block raised the first failure


def test_a_failed_insert_stores_nothing(groups: dict[int, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    db = groups[3]
    before = service.run_rules(db=db, actor=SYSTEM, as_of=AS_OF)
    inserted: list[int] = []
    real = runs._insert_findings

    def failing(connection: sa.Connection, rows: list[runs.FindingRow]) -> None:
        if len(inserted) == 2:
            raise RuntimeError("disk full")
        inserted.append(len(rows))
        real(connection, rows)

    monkeypatch.setattr(runs, "_insert_findings", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        service.run_rules(db=db, actor=SYSTEM, as_of=AS_OF)
    monkeypatch.setattr(runs, "_insert_findings", real)
    after = service.findings(db=db, actor=SYSTEM, include_resolved=True, as_of=AS_OF)
    assert {f.record.run_id for f in after} == {before.run.id}
    assert len(after) == len(before.findings)


def test_the_generated_acknowledgements_chain_as_the_service_chains_them(groups: dict[int, Database]) -> None:
    report = chain.verify(groups[3])
    assert report.ok, report
    assert report.records > 0
