"""`govkit check` over generated schools: its time at 1,000 schools, its SQL statements at 10 and 1,000.

What is timed is what ``govkit check --format json --as-of 2025-06-30`` does in its process,
but starting Python: ``run_rules`` (the rules read, the facts loaded, evaluated, the run and
its findings stored, the shared and group arrangements meeting obligations found in the same
facts) and the JSON it prints, built in full. The run timed is a day-to-day one:
the database already holds a run, so findings are compared with it (new, open, resolved).

Beside it, in the same run, on the same database and as many times, in turns with it: the facts
read by hand-written SQL through the raw driver (psycopg, sqlite3) with nothing built from the
rows, the floor of any `govkit check`. The target is the ratio of the two times
(``RATIO_LIMIT``: on 2026-12-04, alone on 2 cores, 3.9 on PostgreSQL and 8.2 on SQLite); the
seconds themselves are information. Also the statements of one `govkit check` on 10 and on
1,000 schools, which must be as many. A time row also records this process's CPU time (every
thread) and the load average at the end: on a shared machine, the wall time includes waiting
for a core.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock
from typing import Any

import psycopg
import sqlalchemy as sa

from bench.common import counting_queries, drop_postgres, fresh_database, row
from bench.schools import AS_OF, BROKEN, EXEMPLARY, build, generate
from govkit.access.roles import SYSTEM
from govkit.db import Database, create_db_engine
from govkit.rules.report import check_json
from govkit.rules.service import RunResult, run_rules

#: The facts of every organisation as of a day (valid time, everything recorded), as load_facts reads
#: them: plain SQL, :named parameters.
FACT_QUERIES = [
    "SELECT id, code, type, name FROM organisation ORDER BY code",
    # the profile revision in effect: the greatest (valid_from, revision) valid by the day
    "SELECT p.organisation_id, p.data, p.valid_from, p.valid_from_precision FROM profile_revision p JOIN"
    " (SELECT id, row_number() OVER (PARTITION BY organisation_id ORDER BY valid_from DESC, revision DESC) AS n"
    " FROM profile_revision WHERE valid_from <= :day) r ON r.id = p.id AND r.n = 1",
    # the commitments valid by the day (or undated), not corrected by a later record
    "SELECT c.id, c.organisation_id, c.type, c.status, c.title, c.effective_on, c.expires_on, c.date_precision,"
    " c.recorded_at, c.how, c.provider, CAST(c.capacity AS TEXT) FROM commitment c"
    " WHERE (c.effective_on IS NULL OR c.effective_on <= :day)"
    " AND NOT EXISTS (SELECT 1 FROM commitment s WHERE s.supersedes_id = c.id)",
    "SELECT organisation_id, kind, language, number, effective_from, published_at, clauses FROM document_version"
    " WHERE effective_from <= :day",
    "SELECT c.id, c.organisation_id, c.kind, c.opened_at, c.deadline, d.number FROM campaign c"
    " LEFT JOIN document_version d ON d.id = c.document_version_id"
    " WHERE c.opened_at <= :moment AND (c.closed_at IS NULL OR c.closed_at > :moment) ORDER BY c.id",
    "SELECT c.id, pp.population, count(*), count(a.id) FROM campaign c"
    " JOIN campaign_population cp ON cp.campaign_id = c.id"
    " JOIN person_population pp ON pp.population = cp.population"
    " AND (pp.valid_from IS NULL OR pp.valid_from <= :day) AND (pp.valid_to IS NULL OR pp.valid_to > :day)"
    " JOIN person p ON p.id = pp.person_id AND p.organisation_id = c.organisation_id"
    " AND (p.entry_date IS NULL OR p.entry_date <= :day) AND (p.status = 'active' OR p.departure_date > :day)"
    " LEFT JOIN acknowledgement a ON a.person_id = p.id AND a.document_version_id = c.document_version_id"
    " AND a.acknowledged_at <= :moment"
    " WHERE c.opened_at <= :moment AND (c.closed_at IS NULL OR c.closed_at > :moment)"
    " GROUP BY c.id, pp.population",
    # the training records of the academic years begun by the day, the surveys of its year and before
    "SELECT t.organisation_id, t.academic_year, t.audience, t.training, t.trained, t.total, t.everyone, t.title,"
    " t.held_on, t.held_on_precision FROM training_record t WHERE t.academic_year <= :academic_year"
    " AND NOT EXISTS (SELECT 1 FROM training_record s WHERE s.supersedes_id = t.id) ORDER BY t.id",
    "SELECT s.organisation_id, s.year, s.audience, s.status, s.title, s.invited, s.respondents,"
    " s.population_total FROM survey s WHERE s.year <= :year"
    " AND NOT EXISTS (SELECT 1 FROM survey c WHERE c.supersedes_id = s.id) ORDER BY s.id",
    # the memberships (and opt-outs) of shared and group arrangements in effect on the day, with the
    # member's and the holder's codes and the arrangement's type and title
    "SELECT m.organisation_id, o.code, m.role, m.valid_from, m.valid_from_precision, m.recorded_at,"
    " c.organisation_id, h.code, c.type, c.title FROM arrangement_member m"
    " JOIN commitment c ON c.id = m.commitment_id JOIN organisation o ON o.id = m.organisation_id"
    " JOIN organisation h ON h.id = c.organisation_id"
    " WHERE (m.valid_from IS NULL OR m.valid_from <= :day) AND (m.valid_to IS NULL OR m.valid_to > :day)"
    " ORDER BY m.id",
    # the rule parameter values recorded by legal staff, valid by the day
    "SELECT rule_id, name, value, valid_from, source, recorded_at, recorded_by, reason, id"
    " FROM rule_parameter_value WHERE valid_from <= :day ORDER BY id",
]


#: The academic year (its start year) begun by AS_OF.
ACADEMIC_YEAR = AS_OF.year if AS_OF.month >= 9 else AS_OF.year - 1

#: The most `govkit check` may take, in times the hand-written fact queries, by backend.
RATIO_LIMIT = {"postgresql": 4.5, "sqlite": 9.0}


def interleaved(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """The median wall time of each function and the median CPU time of this process (every thread)
    while it ran; the functions run in turns, so that a load on the machine weighs on each alike."""
    walls: dict[str, list[float]] = {name: [] for name in functions}
    cpus: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in functions}


def check(db: Database) -> tuple[RunResult, str]:
    """What `govkit check --format json` does once the command line is parsed (govkit.cli.rules.check):
    the run (with the arrangements meeting obligations, each once), its JSON."""
    result = run_rules(db=db, actor=SYSTEM, as_of=AS_OF)
    return result, check_json(result)


def hand_written_facts(url: str) -> Any:
    """A function reading the facts with the raw driver, and its connection (to close)."""
    moment = datetime.combine(AS_OF, clock.max, tzinfo=UTC)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection: Any = sqlite3.connect(str(parsed.database))
        queries = FACT_QUERIES  # SQLite stores naive UTC text: compare with text
        params: dict[str, Any] = {
            "day": AS_OF.isoformat(),
            "moment": moment.replace(tzinfo=None).isoformat(" "),
            "year": AS_OF.year,
            "academic_year": ACADEMIC_YEAR,
        }
    else:
        connection = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
        queries = [re.sub(r":(\w+)", r"%(\1)s", q) for q in FACT_QUERIES]
        params = {"day": AS_OF, "moment": moment, "year": AS_OF.year, "academic_year": ACADEMIC_YEAR}

    def read() -> list[list[Any]]:
        cursor = connection.cursor()
        results = []
        for query in queries:
            cursor.execute(query, params)
            results.append(cursor.fetchall())
        connection.rollback()
        return results

    return read, connection


def keys(result: RunResult, school: str) -> set[tuple[str, str]]:
    return {(f.record.rule_id, f.record.key) for f in result.findings if f.organisation == school}


def assert_plausible(small: RunResult, large: RunResult, output: str) -> None:
    """The findings grow with the schools; the known schools are judged as they should be."""
    assert len(large.findings) > 50 * len(small.findings) > 0, (len(small.findings), len(large.findings))
    broken = keys(large, BROKEN)
    for expected in [  # recorded, none in place: missing (only planned; opted out without its own)
        ("commitments.equality-charter", "equality_charter"),
        ("commitments.equality-referent", "equality_referent"),
        ("commitments.vss-action-plan", "vss_action_plan"),
        ("listening.reporting-platform", "reporting_platform"),
        ("documents.internal-common-base", "internal/fr/vss.reporting"),
        ("documents.english-versions", "internal/en"),
    ]:
        assert expected in broken, (BROKEN, expected, sorted(broken))
        assert (expected[0], f"{expected[1]}/not_documented") not in broken, (BROKEN, expected)
    assert any(r == "acknowledgement.minimum-coverage" for r, _k in broken), sorted(broken)
    by_severity = {(f.record.key.endswith("/not_documented"), f.record.severity) for f in large.findings}
    assert {(True, "info"), (False, "error")} <= by_severity, "silence is not absence: both are found"
    assert (True, "error") not in by_severity, "not documented is info"
    assert (True, "warning") not in by_severity, "not documented is info"
    paired = {(r, k) for school in ("school-0007", "school-0008") for r, k in keys(large, school)}
    assert not {r for r, _k in paired} & {"commitments.equality-referent", "listening.cell"}, sorted(paired)
    platform = {f.organisation for f in large.findings if f.record.rule_id == "listening.reporting-platform"}
    assert EXEMPLARY not in platform
    assert 0 < len(platform) < 400, len(platform)  # most joined the group's
    assert keys(large, BROKEN) == keys(small, BROKEN), "a school is judged alike among 10 or 1,000"
    exemplary = [f for f in large.findings if f.organisation == EXEMPLARY and f.record.severity == "error"]
    assert not exemplary, [(f.record.rule_id, f.record.key) for f in exemplary]
    assert any(f.waived for f in large.findings), "the generated waivers silence findings"
    assert {f.record.status for f in large.findings} == {"open"}, "a second run finds what the first found"
    printed = json.loads(output)
    assert len(printed["findings"]) == len(large.findings)
    assert printed["blocking_errors"] == len(large.blocking)
    assert set(printed["parameters"]) == {f["rule"] for f in printed["findings"]}, "each rule's parameters once"
    shown = {(a["holder"], a["type"]): a for a in printed["arrangements"]}  # each arrangement once
    assert len(shown["bench-dg", "reporting_platform"]["members"]) > 500, "the group's platform, joined by most"
    assert shown["school-0007", "equality_referent"]["members"] == ["school-0007", "school-0008"]


def bench_backend(backend: str, repeat: int, rows: Any) -> list[dict]:
    urls = {n: fresh_database(backend, f"check_{n}") for n in (10, 1000)}
    generate(urls[10], 10)
    generate(urls[1000], 1000, rows)
    engines = {n: create_db_engine(url) for n, url in urls.items()}
    read, connection = hand_written_facts(urls[1000])
    try:
        dbs = {n: Database(engine) for n, engine in engines.items()}
        for db in dbs.values():
            check(db)  # the first run: every finding is new
        statements: dict[int, int] = {}
        results: dict[int, tuple[RunResult, str]] = {}
        for n, db in dbs.items():
            with counting_queries(engines[n]) as seen:
                results[n] = check(db)
            statements[n] = len(seen)
        assert_plausible(results[10][0], *results[1000])
        facts = read()
        assert len(facts[0]) == 1002, "the group, its head office and the schools"
        assert len(facts[3]) == rows.ids["document_version"], "every document version is in force"
        times = interleaved({"govkit": lambda: check(dbs[1000]), "hand": read}, repeat)
        (took, cpu), (floor, _) = times["govkit"], times["hand"]
        load = os.getloadavg()[0]
    finally:
        connection.close()
        for engine in engines.values():
            engine.dispose()
        if backend == "postgresql":
            for url in urls.values():
                drop_postgres(url)
    suffix = "" if backend == "postgresql" else " (SQLite)"
    findings = len(results[1000][0].findings)
    return [
        row(
            f"govkit check over 1,000 schools{suffix}",
            unit="s",
            govkit=took,
            baseline=floor,
            baseline_name="hand-written fact queries, raw driver",
            ratio=took / floor,
            target=f"<= {RATIO_LIMIT[backend]} (time vs the hand-written fact queries)",
            holds=took / floor <= RATIO_LIMIT[backend],
            digits=3,
            backend=backend,
            findings=findings,
            cpu_s=round(cpu, 3),
            load_average=round(load, 2),
            timed=f"run_rules + check_json (govkit check --format json) on a database holding runs, median of "
            f"{repeat}, in turns with the hand-written fact queries",
        ),
        row(
            f"SQL queries of govkit check, 1,000 vs 10 schools{suffix}",
            unit="queries",
            govkit=statements[1000],
            baseline=statements[10],
            baseline_name="10 schools",
            ratio=statements[1000] / statements[10],
            target="== 1.0 (does not grow)",
            holds=statements[1000] == statements[10],
            digits=0,
            backend=backend,
        ),
    ]


def run(quick: bool) -> list[dict]:
    rows = build(1000)
    if quick:
        return bench_backend("postgresql", 3, rows) + bench_backend("sqlite", 3, rows)
    return bench_backend("postgresql", 7, rows) + bench_backend("sqlite", 7, rows)
