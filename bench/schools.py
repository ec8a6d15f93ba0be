"""N generated schools for the rules benchmark: deterministic, varied, bulk inserted.

``generate(url, n)`` fills a migrated, empty database with a group, its head
office and ``n`` schools, each with what the rules read: a validated profile
(with or without a referent, a reporting channel, residences, English), its
commitments (some planned, lapsed or superseded), published document versions
of every kind in French and most of them in English (some stale, some missing
a clause), the acknowledgement campaigns of the French versions with a few
persons and their (hash-chained) acknowledgements, training and survey records per academic
year and audience, the arrangements it shares with another school or joined at the head office
(and a few it opted out of), and a few waivers; a handful of rule parameter values changed by
legal staff. School ``n`` of a run is the same whatever the number of schools (but a school
whose pair partner is beyond ``n``: it then holds its referent and cell alone).

Rows are built in memory first, then bulk loaded in one transaction with explicit ids (the
database is new; the sequences are moved past them at the end): PostgreSQL through COPY,
then ANALYZE; SQLite by executemany, 1,000 rows at a time. Every constraint and trigger of
the schema holds, and the acknowledgements are hash-chained as the service chains them.

Two schools are known: ``EXEMPLARY`` meets every error rule, ``BROKEN`` has
only planned its charter, its referent and its action plan (recorded, none in
place: missing, not merely undocumented), left the group's reporting platform
without one of its own, and its internal regulation lacks the reporting clause.

The pieces: bench/school_rows.py (profile, commitments, persons; what the parts share),
bench/school_documents.py (documents, campaigns, acknowledgements), bench/school_records.py
(training, surveys, parameter values), bench/school_arrangements.py (shared and group arrangements).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import govkit.models  # noqa: F401 - every table in SQLModel.metadata
from bench.school_arrangements import PAIRED, group_arrangements, join_group, paired_with, share_with_partner
from bench.school_documents import Chain, Library, open_campaigns, publish_documents
from bench.school_records import group_surveys, parameter_values, school_surveys, school_training
from bench.school_rows import (
    AS_OF,
    BROKEN,
    BY,
    EXEMPLARY,
    SCHOOL_COMMITMENTS,
    Rows,
    at,
    commitment_row,
    organisation_row,
    profile_revision,
    school_commitments,
    school_persons,
    school_profile,
)
from govkit.db import create_db_engine
from govkit.documents.kinds import catalogue
from govkit.organisations.profile import SchoolProfile

__all__ = ["AS_OF", "BROKEN", "EXEMPLARY", "Generated", "Rows", "build", "generate", "insert"]


@dataclass(frozen=True)
class Generated:
    url: str
    schools: list[str]
    counts: dict[str, int]


def build(n: int, seed: int = 2021) -> Rows:
    """Every row of ``n`` schools (plus the group and its head office)."""
    rows = Rows()
    library = Library(rows)
    acks = Chain(rows)
    group = rows.add("organisation", **organisation_row("bench-imt", "group", "Groupe IMT (bench)", None))
    office = rows.add(
        "organisation", **organisation_row("bench-dg", "head_office", "Direction générale (bench)", group)
    )
    for org_id, code in ((group, "bench-imt"), (office, "bench-dg")):
        profile = SchoolProfile.model_validate({"official_name": code, "short_name": code})
        profile_revision(rows, org_id, 1, profile.model_dump(mode="json"), profile.sha256(), at(date(2021, 1, 4)))
    for type_, title in [*SCHOOL_COMMITMENTS[:3], ("network_membership", "Adhésion à la CPED")]:
        rows.add(
            "commitment",
            **commitment_row(office, type_, "in_place", title, date(2020, 3, 1), None, at(date(2021, 1, 4))),
        )
    for day in (AS_OF - timedelta(days=300), AS_OF - timedelta(days=120)):
        rows.add("commitment", **commitment_row(group, "referent_meeting", "in_place", "Réunion", day, None, at(day)))
    rows.add(
        "commitment",
        **commitment_row(
            group, "vss_survey", "in_progress", "Enquête VSS", date(2022, 3, 1), None, at(date(2022, 3, 1))
        ),
    )
    group_surveys(rows, group)
    arrangements = group_arrangements(rows, office)
    parameter_values(rows)
    previous: int | None = None
    for i in range(n):
        code = f"school-{i:04d}"
        rnd = random.Random(f"{seed}:{code}")
        org_id = rows.add("organisation", **organisation_row(code, "school", f"École d'ingénieurs n° {i}", group))
        partner = paired_with(i, n)
        if partner is not None and partner < i and previous is not None:  # the pair is complete
            share_with_partner(rows, previous, org_id, partner)
        previous = org_id
        rows.add(
            "campus",
            organisation_id=org_id,
            code="main",
            name=f"Campus principal {i}",
            source_quote=None,
            recorded_at=at(date(2021, 1, 4)),
            recorded_by=BY,
        )
        data, sha, residences = school_profile(i, rnd, code)
        profile_id = profile_revision(rows, org_id, 1, data, sha, at(date(2021, 3, 1)))
        if rnd.random() < 0.3:  # a second revision, the one in force
            changed = SchoolProfile.model_validate({**data, "short_name": f"EI{i}-bis"})
            profile_id = profile_revision(
                rows, org_id, 2, changed.model_dump(mode="json"), changed.sha256(), at(date(2023, 3, 1))
            )
        school_commitments(rows, org_id, code, rnd, PAIRED if partner is not None else ())
        versions = publish_documents(rows, library, org_id, code, profile_id, residences, rnd)
        opened = open_campaigns(rows, org_id, versions)
        people = school_persons(rows, org_id, code, residences, rnd)
        rate = 1.0 if code == EXEMPLARY else 0.0 if code == BROKEN else rnd.choice([1.0, 1.0, 0.9, 0.75, 0.5])
        for campaign, version in opened:
            concerned = {p.value for p in catalogue().kind(version.kind).populations}
            for person, populations, departed in people:
                if populations & concerned and not departed and rnd.random() < rate:
                    acks.acknowledge(person, org_id, campaign, version, version.published + timedelta(days=3))
        school_training(rows, org_id, code, seed)
        school_surveys(rows, org_id, code, seed)
        join_group(rows, arrangements, org_id, code, seed)
        if code != EXEMPLARY and rnd.random() < 0.1:
            rule, key = rnd.choice(
                [
                    ("listening.anonymous-reporting", "profile"),
                    ("commitments.referent-time", "profile"),
                    ("commitments.cped-membership", None),
                    ("training.staff", None),
                ]
            )
            rows.add(
                "waiver",
                rule_id=rule,
                organisation_id=org_id,
                key=key,
                reason="Décision du comité de direction, mise en conformité en cours",
                expires_on=AS_OF + timedelta(days=90),
                granted_by=BY,
                granted_at=at(AS_OF - timedelta(days=10)),
            )
    rows.chain_head = (acks.last_id, acks.last)
    return rows


#: Parents before children, for the foreign keys.
ORDER = [
    "organisation",
    "campus",
    "profile_revision",
    "commitment",
    "arrangement_member",
    "blob",
    "root_template",
    "root_template_version",
    "variant",
    "document_version",
    "campaign",
    "campaign_population",
    "person",
    "person_population",
    "document_delivery",
    "acknowledgement",
    "training_record",
    "survey",
    "waiver",
    "rule_parameter_value",
]
BATCH = 1000


def _copy(conn: sa.Connection, table: sa.Table, values: list[dict[str, Any]]) -> None:
    """PostgreSQL: stream the rows with COPY, in the connection's transaction."""
    from psycopg.types.json import Jsonb

    columns = list(values[0])
    json = {c for c in columns if isinstance(table.c[c].type, sa.JSON)}
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in values:
            copy.write_row([Jsonb(row[c]) if c in json and row[c] is not None else row[c] for c in columns])


def insert(url: str, rows: Rows) -> None:
    """Insert ``rows`` into the migrated, empty database at ``url``, in one transaction."""
    engine = create_db_engine(url)
    tables = SQLModel.metadata.tables
    try:
        postgres = engine.dialect.name == "postgresql"
        with engine.begin() as conn:
            for name in ORDER:
                table, values = tables[name], rows.tables.get(name, [])
                if values and postgres:
                    _copy(conn, table, values)
                    continue
                for start in range(0, len(values), BATCH):  # SQLite: executemany, 1,000 rows at a time
                    conn.execute(table.insert(), values[start : start + BATCH])
            head = tables["chain_head"]
            last_id, last_hash = rows.chain_head
            conn.execute(head.update().where(head.c.id == 1).values(last_id=last_id, last_hash=last_hash))
            if postgres:  # the ids were given: move the sequences past them
                for name in ORDER:
                    if "id" in tables[name].c and rows.tables.get(name):
                        conn.execute(
                            sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :last)"),
                            {"last": max(r["id"] for r in rows.tables[name])},
                        )
        if postgres:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))  # the planner's statistics, as autovacuum would gather them
    finally:
        engine.dispose()


def generate(url: str, n: int, rows: Rows | None = None) -> Generated:
    """Fill the migrated, empty database at ``url`` with ``n`` generated schools (``rows``: build(n) if given)."""
    rows = rows or build(n)
    insert(url, rows)
    return Generated(
        url,
        [f"school-{i:04d}" for i in range(n)],
        {name: len(rows.tables.get(name, [])) for name in ORDER},
    )


if __name__ == "__main__":  # python bench/schools.py N [sqlite|postgresql]: generate and print the counts
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import fresh_database

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    result = generate(fresh_database(backend, f"schools_{count}"), count)
    print(json.dumps(result.counts))
