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
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlmodel import SQLModel

from bench.common import ROOT  # noqa: F401 - puts the project on sys.path
from govkit.acknowledgements.chain import GENESIS_HASH
from govkit.acknowledgements.models import Campaign, CampaignPopulation, ChainHead
from govkit.db import Database, create_db_engine
from govkit.demo.dataset import read_dataset
from govkit.demo.loader import _organisations
from govkit.demo.persons import FAMILY_NAMES, GIVEN_NAMES, MIX, PREFIX
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.organisations.models import Organisation, ProfileRevision
from govkit.organisations.vocabulary import OrganisationType

#: Published French versions per acknowledged kind and school (the last one's campaign is open).
VERSIONS = {"internal": 6, "study": 5, "housing": 4, "equality_annex": 5}
#: Age in days of each kind's latest version: open campaigns past their deadline (30 days) and not.
LATEST_AGE = {"internal": 45, "study": 10, "housing": 60, "equality_annex": 5}
VERSION_SPACING = 300  # days between two versions of a kind
DEADLINE_DAYS = 30
#: Relative sizes of the schools (others weigh 1).
SCHOOL_WEIGHT = {"imt-atlantique": 1.8, "imt-lille-douai": 1.3, "telecom-paris": 1.2, "imt-mines-albi": 0.7}
DEPARTED_SHARE = 0.06
NEWCOMER_SHARE = 0.03  # joined in the last 25 days: late entries, never overdue
RESIDENT_SHARE = 0.35
OPEN_WEIGHT = 0.7  # an open campaign is less complete than a closed one
AUTHOR = "govkit bench"
PERSON_COLUMNS = (
    "id",
    "organisation_id",
    "external_id",
    "given_name",
    "family_name",
    "email",
    "status",
    "entry_date",
    "departure_date",
    "residence_code",
    "preferred_language",
    "created_at",
    "updated_at",
)
ACK_COLUMNS = (
    "id",
    "person_id",
    "organisation_id",
    "document_version_id",
    "campaign_id",
    "method",
    "document_sha256",
    "wording",
    "wording_sha256",
    "acknowledged_at",
    "auth_method",
    "recorded_by",
    "reason",
    "carried_from_id",
    "client_ip",
    "user_agent",
    "client_sha256",
    "verification_code",
    "previous_hash",
    "record_hash",
)


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


@dataclass(frozen=True)
class _Version:
    id: int
    campaign_id: int
    school: str
    organisation_id: int
    kind: str
    number: int
    published_at: datetime
    closed_at: datetime | None
    populations: frozenset[str]
    sha256: str
    wording: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Format:
    """How the raw driver of a backend takes dates and timestamps (as the ORM stores them)."""

    def __init__(self, backend: str) -> None:
        self.backend = backend

    def timestamp(self, value: datetime) -> str:
        if self.backend == "sqlite":  # SQLAlchemy's SQLite storage: naive UTC
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")

    @staticmethod
    def date(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None


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

    today = today or date.today()
    backend = sa.make_url(url).get_backend_name()
    engine = create_db_engine(url)
    try:
        schools = _schools(engine)
        versions = _documents_and_campaigns(engine, schools, today)
        lap("organisations, documents, campaigns")
        rng = random.Random(seed)
        people, populations = _persons(rng, schools, persons, today)
        fmt = _Format(backend)
        null = None if backend == "sqlite" else "\\N"
        person_rows = [_person_row(p, fmt, null) for p in people]
        last = {"id": 0, "hash": GENESIS_HASH}

        def acks() -> Iterator[tuple]:
            for row in _acknowledgements(rng, people, versions, acknowledgements, today, fmt, null):
                yield row
                last["id"], last["hash"] = row[0], row[-1]

        if backend == "sqlite":
            _load_sqlite(engine, person_rows, populations, acks())
        else:
            _load_postgresql(engine, person_rows, populations, acks())
        lap("persons and acknowledgements")
        with engine.begin() as conn:
            conn.execute(
                sa.update(_table(ChainHead))
                .where(_table(ChainHead).c.id == 1)
                .values(last_id=last["id"] or None, last_hash=last["hash"])
            )
        if backend == "postgresql":
            _reset_sequences(engine)
        if analyze:
            _analyze(engine, backend)
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


# --- organisations, documents and campaigns (a few hundred rows: SQLAlchemy Core) ----------------


def _schools(engine: sa.Engine) -> dict[str, tuple[int, list[str]]]:
    """Create the demo organisations (no persons); school code → (id, codes of its residences)."""
    dataset, _ = read_dataset()
    with Database(engine).transaction() as session:
        organisations = _organisations(session, dataset)
        return {
            item.code: (organisations[item.code].id, [r.code for r in item.profile.housing.residences])  # type: ignore[misc]
            for item in sorted(dataset.organisations, key=lambda o: o.code)
            if item.type is OrganisationType.SCHOOL
        }


def _table(model: type[SQLModel]) -> sa.Table:
    return SQLModel.metadata.tables[model.__tablename__]  # type: ignore[attr-defined]


def _documents_and_campaigns(
    engine: sa.Engine, schools: dict[str, tuple[int, list[str]]], today: date
) -> list[_Version]:
    kinds = catalogue().kinds
    blobs: list[dict[str, Any]] = []
    roots: list[dict[str, Any]] = []
    root_versions: list[dict[str, Any]] = []
    variants: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    campaigns: list[dict[str, Any]] = []
    campaign_populations: list[dict[str, Any]] = []
    versions: list[_Version] = []
    root_version_ids: dict[tuple[str, int], int] = {}

    def blob(text: str) -> str:
        data = text.encode()
        digest = hashlib.sha256(data).hexdigest()
        blobs.append({"sha256": digest, "size": len(data), "media_type": "application/octet-stream", "data": data})
        return digest

    def published(kind: str, number: int, school_index: int) -> datetime:
        age = LATEST_AGE[kind] + (VERSIONS[kind] - number) * VERSION_SPACING + school_index % 3
        moment = datetime.combine(today - timedelta(days=age), datetime.min.time(), tzinfo=UTC)
        return moment + timedelta(hours=9 + school_index)

    for kind, count in VERSIONS.items():
        assert kinds[kind].acknowledgement, kind
        root_id = len(roots) + 1
        roots.append({"id": root_id, "kind": kind, "language": "fr"})
        for number in range(1, count + 1):
            first = published(kind, number, 0) - timedelta(days=7)
            root_version_ids[kind, number] = len(root_versions) + 1
            root_versions.append(
                {
                    "id": len(root_versions) + 1,
                    "root_template_id": root_id,
                    "number": number,
                    "sha256": blob(f"bench root template {kind} fr {number}"),
                    "filename": f"{kind}-fr-{number}.docx",
                    "report": {},
                    "clauses": list(kinds[kind].required_clauses),
                    "uploaded_at": first,
                    "uploaded_by": AUTHOR,
                    "published_at": first,
                    "published_by": AUTHOR,
                    "change_kind": "substantive",
                    "changelog": f"version {number}",
                }
            )
    with engine.begin() as conn:
        revisions = dict(
            conn.execute(
                sa.select(
                    _table(ProfileRevision).c.organisation_id, sa.func.max(_table(ProfileRevision).c.id)
                ).group_by(_table(ProfileRevision).c.organisation_id)
            ).all()
        )
    for school_index, (code, (org_id, residences)) in enumerate(schools.items()):
        for kind, count in VERSIONS.items():
            populations = frozenset(p.value for p in kinds[kind].populations)
            if populations == {"resident"} and not residences:
                continue  # no residences, no housing regulation
            for number in range(1, count + 1):
                at = published(kind, number, school_index)
                closed = published(kind, number + 1, school_index) if number < count else None
                sha = blob(f"bench document {code} {kind} fr {number}")
                variant_id = len(variants) + 1
                variants.append(
                    {
                        "id": variant_id,
                        "inputs_sha256": _sha(f"inputs {code} {kind} fr {number}"),
                        "root_template_version_id": root_version_ids[kind, number],
                        "organisation_id": org_id,
                        "profile_revision_id": revisions[org_id],
                        "sha256": sha,
                        "clauses": list(kinds[kind].required_clauses),
                        "rendered_at": at - timedelta(hours=1),
                        "rendered_by": AUTHOR,
                    }
                )
                document_id = len(documents) + 1
                documents.append(
                    {
                        "id": document_id,
                        "organisation_id": org_id,
                        "kind": kind,
                        "language": "fr",
                        "number": number,
                        "variant_id": variant_id,
                        "sha256": sha,
                        "clauses": list(kinds[kind].required_clauses),
                        "effective_from": at.date(),
                        "change_kind": "substantive",
                        "changelog": f"version {number}",
                        "published_at": at,
                        "published_by": AUTHOR,
                    }
                )
                campaign_id = len(campaigns) + 1
                campaigns.append(
                    {
                        "id": campaign_id,
                        "organisation_id": org_id,
                        "document_version_id": document_id,
                        "kind": kind,
                        "change_kind": "substantive",
                        "opened_at": at,
                        "deadline": at.date() + timedelta(days=DEADLINE_DAYS),
                        "closed_at": closed,
                        "continues_campaign_id": None,
                    }
                )
                campaign_populations += [{"campaign_id": campaign_id, "population": p} for p in sorted(populations)]
                title = kinds[kind].title.get("fr")
                versions.append(
                    _Version(
                        document_id,
                        campaign_id,
                        code,
                        org_id,
                        kind,
                        number,
                        at,
                        closed,
                        populations,
                        sha,
                        f"J'atteste avoir pris connaissance du document « {title} » (version {number}) et m'engage "
                        "à le respecter.",
                    )
                )
    with engine.begin() as conn:
        for model, rows in (
            (Blob, blobs),
            (RootTemplate, roots),
            (RootTemplateVersion, root_versions),
            (Variant, variants),
            (DocumentVersion, documents),
            (Campaign, campaigns),
            (CampaignPopulation, campaign_populations),
        ):
            conn.execute(sa.insert(_table(model)), rows)
    return sorted(versions, key=lambda v: (v.published_at, v.id))


# --- persons and acknowledgements (bulk) ------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    id: int
    organisation_id: int
    school: str
    external_id: str
    populations: tuple[str, ...]
    departed: bool
    newcomer: bool
    entry_date: date
    departure_date: date | None
    residence: str | None
    given_name: str
    family_name: str
    language: str


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split by ``weights`` (largest remainders)."""
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _persons(
    rng: random.Random, schools: dict[str, tuple[int, list[str]]], total: int, today: date
) -> tuple[list[_Person], list[tuple[int, str]]]:
    shares = [share for _, share in MIX]
    cumulative = list(itertools.accumulate(shares))
    people: list[_Person] = []
    populations: list[tuple[int, str]] = []
    counts = _split(total, [SCHOOL_WEIGHT.get(code, 1.0) for code in schools])
    for (code, (org_id, residences)), count in zip(schools.items(), counts, strict=True):
        for serial in range(1, count + 1):
            population = MIX[min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(MIX) - 1)][0]
            held = [population.value]
            learner = population.value in ("student", "apprentice")
            residence = None
            if learner and residences and rng.random() < RESIDENT_SHARE:
                held.append("resident")
                residence = rng.choice(residences)
            if population.value == "doctoral_student" and rng.random() < 0.3:
                held.append("staff")
            departed = rng.random() < DEPARTED_SHARE
            newcomer = not departed and rng.random() < NEWCOMER_SHARE
            entry = today - timedelta(days=rng.randint(0, 25) if newcomer else rng.randint(60, 6 * 365))
            person = _Person(
                id=len(people) + 1,
                organisation_id=org_id,  # type: ignore[arg-type]
                school=code,
                external_id=f"{PREFIX[population]}{serial:06d}",
                populations=tuple(held),
                departed=departed,
                newcomer=newcomer,
                entry_date=entry,
                departure_date=today - timedelta(days=rng.randint(1, 365)) if departed else None,
                residence=residence,
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                language="en" if rng.random() < 0.12 else "fr",
            )
            people.append(person)
            populations += [(person.id, p) for p in held]
    return people, populations


def _person_row(p: _Person, fmt: _Format, null: str | None) -> tuple:
    created = fmt.timestamp(datetime.combine(p.entry_date, datetime.min.time(), tzinfo=UTC))
    return (
        p.id,
        p.organisation_id,
        p.external_id,
        p.given_name,
        p.family_name,
        f"{p.external_id.lower()}@{p.school}.example",
        "departed" if p.departed else "active",
        fmt.date(p.entry_date),
        fmt.date(p.departure_date) if p.departure_date else null,
        p.residence or null,
        p.language,
        created,
        created,
    )


def _eligible(person: _Person, version: _Version) -> float:
    """The weight of a person's chance of having acknowledged a version (0: never)."""
    if version.organisation_id != person.organisation_id or version.populations.isdisjoint(person.populations):
        return 0.0
    if version.closed_at is None:
        return 0.0 if person.departed else OPEN_WEIGHT
    return 0.0 if person.newcomer else 1.0


def _acknowledgements(
    rng: random.Random,
    people: list[_Person],
    versions: list[_Version],
    target: int,
    today: date,
    fmt: _Format,
    null: str | None,
) -> Iterator[tuple]:
    """About ``target`` acknowledgement rows, campaign after campaign, ids and fake hashes in order.

    ``null`` stands for SQL NULL (None for executemany, \\N for COPY).
    """
    # the persons of a school fall into a few profiles, each with its weight for each version
    profiles: dict[tuple, list[_Person]] = {}
    for p in people:
        profiles.setdefault((p.organisation_id, p.populations, p.departed, p.newcomer), []).append(p)
    weights = {key: [_eligible(members[0], v) for v in versions] for key, members in profiles.items()}
    total_weight = sum(sum(w) * len(profiles[key]) for key, w in weights.items())
    probability = min(1.0, target / total_weight) if total_weight else 0.0
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    random_ = rng.random
    bits = rng.getrandbits
    serial = 0
    previous = GENESIS_HASH
    client = _sha("no client data")
    reason = "Visa signé sur papier lors de la journée d'accueil"
    for index, version in enumerate(versions):
        span = max(60, int(((version.closed_at or now) - version.published_at).total_seconds()) - 60)
        moments = sorted(
            fmt.timestamp(version.published_at + timedelta(seconds=rng.randrange(span))) for _ in range(512)
        )
        org, vid, cid, vsha, text = (
            version.organisation_id,
            version.id,
            version.campaign_id,
            version.sha256,
            version.wording,
        )
        wsha = _sha(text)
        paper_by = f"admin:{version.school} (school_admin)"
        member_prefix = f"{version.school}:"
        for key, members in profiles.items():
            chance = weights[key][index] * probability
            if not chance:
                continue
            for p in members:
                if random_() >= chance:
                    continue
                serial += 1
                record = f"{serial:064x}"
                code = f"BNCH-{serial // 100_000_000:04d}-{serial // 10_000 % 10_000:04d}-{serial % 10_000:04d}"
                if serial % 37:
                    yield (
                        serial, p.id, org, vid, cid, "electronic", vsha, text, wsha, moments[bits(9)], "oidc",
                        f"{member_prefix}{p.external_id} (member)", null, null, null, null, client, code, previous,
                        record,
                    )  # fmt: skip
                else:
                    yield (
                        serial, p.id, org, vid, cid, "paper", vsha, text, wsha, moments[bits(9)], "paper", paper_by,
                        reason, null, null, null, client, code, previous, record,
                    )  # fmt: skip
                previous = record


def _load_sqlite(
    engine: sa.Engine, persons: list[tuple], populations: list[tuple[int, str]], acks: Iterable[tuple]
) -> None:
    """One transaction of executemany, foreign keys checked."""
    path = engine.url.database
    assert path, "a file database"
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")  # up to 1 GB: index pages stay in memory while loading
        conn.execute("PRAGMA journal_mode=MEMORY")  # written once, not to the WAL then to the database
        conn.execute("BEGIN")
        for table, columns, rows in (
            ("person", PERSON_COLUMNS, persons),
            ("person_population", ("person_id", "population"), populations),
            ("acknowledgement", ACK_COLUMNS, acks),
        ):
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")  # as govkit's engine has it
    finally:
        conn.close()


def _load_postgresql(
    engine: sa.Engine, persons: list[tuple], populations: list[tuple[int, str]], acks: Iterable[tuple]
) -> None:
    """COPY in one transaction. As pg_restore does, the acknowledgements' unique and foreign-key
    constraints and indexes are added back after their COPY: built at once, and validated."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'acknowledgement'::regclass AND contype IN ('u', 'f') ORDER BY conname"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = 'acknowledgement'::regclass AND NOT indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE acknowledgement DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, columns, rows in (
            ("person", PERSON_COLUMNS, persons),
            ("person_population", ("person_id", "population"), populations),
            ("acknowledgement", ACK_COLUMNS, acks),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in _batched(rows):
                    copy.write("".join("\t".join(map(str, row)) + "\n" for row in chunk))
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE acknowledgement ADD CONSTRAINT "{name}" {definition}')


def _batched(rows: Iterable[tuple], size: int = 4096) -> Iterator[tuple[tuple, ...]]:
    iterator = iter(rows)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def _reset_sequences(engine: sa.Engine) -> None:
    """After explicit ids: the next ORM insert takes the next id."""
    with engine.begin() as conn:
        for table in (
            "root_template",
            "root_template_version",
            "variant",
            "document_version",
            "campaign",
            "person",
            "acknowledgement",
        ):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(max(id), 1) FROM {table}))"
                )
            )


def _analyze(engine: sa.Engine, backend: str) -> None:
    """PostgreSQL: what autovacuum would have done by now (statistics, visibility map). SQLite: nothing,
    as govkit never runs ANALYZE there: its queries must plan well without statistics."""
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def organisations(url: str) -> dict[str, int]:
    """School code → organisation id of a generated database."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            table = _table(Organisation)
            return dict(conn.execute(sa.select(table.c.code, table.c.id).where(table.c.type == "school")).all())
    finally:
        engine.dispose()
