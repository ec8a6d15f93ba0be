"""Data at scale for the benchmarks: the IMT schools, their document history, campaigns, persons, acknowledgements.

    from bench.common import fresh_database
    from bench.scale import generate

    info = generate(fresh_database("postgresql", "campaigns"), persons=100_000, acknowledgements=1_000_000)

Into a migrated, empty database (SQLite or PostgreSQL), deterministically (one seed; dates are
relative to ``today``):

- the organisations of the IMT demo data file (the 8 schools, the group, the head office) and
  their profiles, through the demo loader;
- for each school and each acknowledged kind, a history of published French versions (one
  root template version, variant and blob each) and their campaigns: the latest version's
  campaign is open (some past their deadline, some not), the older ones are closed;
- ``persons`` persons spread over the schools, with the populations of the demo mix (students,
  apprentices, doctoral students, staff…; residents where the school has residences), some
  departed, some who joined in the last days;
- about ``acknowledgements`` acknowledgements of the versions that concern each person, in
  campaign order (older campaigns more complete than open ones; departed persons acknowledged
  closed campaigns only, newcomers open ones only).

Persons, their populations and acknowledgements are bulk-loaded with the raw driver
(PostgreSQL: COPY; SQLite: executemany in one transaction), never through the ORM one by
one. Acknowledgement hashes are fake but well-formed and chained by position; the chain
head points at the last record (the chain is not verified by the benchmarks using this data).

The pieces: bench/scale_documents.py (organisations, documents, campaigns),
bench/scale_persons.py (persons, acknowledgements), bench/scale_loading.py (the bulk load).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from bench.common import ROOT  # noqa: F401 - puts the project on sys.path
from bench.scale_documents import create_schools, documents_and_campaigns, model_table
from bench.scale_loading import analyze_statistics, load_postgresql, load_sqlite, reset_sequences
from bench.scale_persons import Format, acknowledgement_rows, make_persons, person_row
from govkit.acknowledgements.chain import GENESIS_HASH
from govkit.acknowledgements.models import ChainHead
from govkit.days import utc_today
from govkit.db import create_db_engine
from govkit.organisations.models import Organisation


@dataclass(frozen=True)
class Scale:
    """What was generated, and how long it took."""

    url: str
    backend: str
    schools: dict[str, int]  # code → organisation id
    persons: int
    acknowledgements: int
    campaigns: int
    open_campaigns: int
    seconds: float
    phases: dict[str, float]  # seconds by step


def generate(
    url: str,
    *,
    persons: int = 100_000,
    acknowledgements: int = 1_000_000,
    seed: int = 2026,
    today: date | None = None,
    analyze: bool = True,
) -> Scale:
    """Fill the migrated, empty database at ``url``; see the module's docstring."""
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = round(time.perf_counter() - started - sum(phases.values()), 2)

    today = today or utc_today()
    backend = sa.make_url(url).get_backend_name()
    engine = create_db_engine(url)
    try:
        schools = create_schools(engine)
        versions = documents_and_campaigns(engine, schools, today)
        lap("organisations, documents, campaigns")
        rng = random.Random(seed)
        people, populations = make_persons(rng, schools, persons, today)
        fmt = Format(backend)
        null = None if backend == "sqlite" else "\\N"
        person_rows = [person_row(p, fmt, null) for p in people]
        last: dict[str, Any] = {"id": 0, "hash": GENESIS_HASH}

        def acks() -> Iterator[tuple]:
            for row in acknowledgement_rows(rng, people, versions, acknowledgements, today, fmt, null):
                yield row
                last["id"], last["hash"] = row[0], row[-1]

        if backend == "sqlite":
            load_sqlite(engine, person_rows, populations, acks())
        else:
            load_postgresql(engine, person_rows, populations, acks())
        lap("persons and acknowledgements")
        with engine.begin() as conn:
            conn.execute(
                sa.update(model_table(ChainHead))
                .where(model_table(ChainHead).c.id == 1)
                .values(last_id=last["id"] or None, last_hash=last["hash"])
            )
        if backend == "postgresql":
            reset_sequences(engine)
        if analyze:
            analyze_statistics(engine, backend)
        lap("analyze")
    finally:
        engine.dispose()
    return Scale(
        url=url,
        backend=backend,
        schools={code: org_id for code, (org_id, _) in schools.items()},
        persons=len(people),
        acknowledgements=int(last["id"]),
        campaigns=len(versions),
        open_campaigns=sum(1 for v in versions if v.closed_at is None),
        seconds=time.perf_counter() - started,
        phases=phases,
    )


def organisations(url: str) -> dict[str, int]:
    """School code → organisation id of a generated database."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            table = model_table(Organisation)
            return dict(conn.execute(sa.select(table.c.code, table.c.id).where(table.c.type == "school")).all())
    finally:
        engine.dispose()
