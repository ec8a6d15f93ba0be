"""N generated schools for the rules benchmark: deterministic, varied, bulk inserted.

``generate(url, n)`` fills a migrated, empty database with a group, its head
office and ``n`` schools, each with what the rules read: a validated profile
(with or without a referent, a reporting channel, residences, English), its
commitments (some planned, lapsed or superseded), published document versions
of every kind in French and most of them in English (some stale, some missing
a clause), the acknowledgement campaigns of the French versions with a few
persons and their (hash-chained) acknowledgements, training coverage and a few
waivers. School ``n`` of a run is the same whatever the number of schools.

Rows are built in memory first, then bulk loaded in one transaction with explicit ids (the
database is new; the sequences are moved past them at the end): PostgreSQL through COPY,
then ANALYZE; SQLite by executemany, 1,000 rows at a time. Every constraint and trigger of
the schema holds, and the acknowledgements are hash-chained as the service chains them.

Two schools are known: ``EXEMPLARY`` meets every error rule, ``BROKEN`` lacks
the charter and the referent, and its internal regulation lacks the reporting
clause.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import govkit.models  # noqa: F401 - every table in SQLModel.metadata
from govkit.acknowledgements import chain
from govkit.db import create_db_engine
from govkit.documents.kinds import catalogue
from govkit.organisations.profile import SchoolProfile

#: The day `govkit check --as-of` evaluates the generated schools on.
AS_OF = date(2025, 6, 30)
EXEMPLARY = "school-0000"
BROKEN = "school-0001"
PERSONS_PER_SCHOOL = 12
BY = "govkit bench generator"

#: Commitment types a school is expected to hold, with the rules' accepted status.
SCHOOL_COMMITMENTS = [
    ("equality_charter", "Charte Égalité FH dans l'ESR"),
    ("equality_referent", "Référent égalité"),
    ("vss_action_plan", "Plan d'action VSS"),
    ("intranet_vss_section", "Rubrique VSS de l'intranet"),
    ("public_equality_section", "Rubrique égalité du site"),
    ("communication_plan", "Plan de communication"),
    ("network_membership", "Adhésion à la CPED"),
    ("listening_cell", "Cellule d'écoute"),
    ("reporting_channel", "Plateforme de signalement"),
    ("vss_protocol", "Protocole de gestion des VSS"),
    ("regulation_vss_amendment", "Toilettage du règlement"),
]
ENGLISH_KINDS = ("internal", "study", "housing", "equality_annex")
POPULATION_MIX = [
    ("student",),
    ("student",),
    ("student", "resident"),
    ("apprentice",),
    ("doctoral_student", "staff"),
    ("staff",),
    ("staff",),
    ("adjunct",),
    ("student",),
    ("student", "resident"),
    ("contractor",),
    ("staff",),
]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Rows:
    """The rows of every table, and the next id of each."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    chain_head: tuple[int | None, str] = (None, chain.GENESIS_HASH)  # the last acknowledgement and its hash

    def add(self, table: str, **values: Any) -> int:
        self.ids[table] += 1
        values.setdefault("id", self.ids[table])
        self.tables[table].append(values)
        return values["id"]

    def link(self, table: str, **values: Any) -> None:  # tables keyed on their columns
        self.tables[table].append(values)


@dataclass(frozen=True)
class Generated:
    url: str
    schools: list[str]
    counts: dict[str, int]


def _profile(i: int, rnd: random.Random, code: str) -> tuple[dict[str, Any], str, bool | None]:
    exemplary, broken = code == EXEMPLARY, code == BROKEN
    residences = None if broken else (True if exemplary else rnd.choice([True, True, False, None]))
    data: dict[str, Any] = {
        "official_name": f"École d'ingénieurs n° {i}",
        "short_name": f"EI{i}",
        "address": {"street": f"{i} rue des Écoles", "postal_code": f"{10000 + i % 80000:05d}", "city": "Ville"},
        "director": {"name": f"Direction {i}", "role": "Directrice"},
        "languages": ["fr", "en"] if exemplary or rnd.random() < 0.7 else ["fr"],
        "websites": {"public_site": f"https://{code}.example.org"},
    }
    if not broken and (exemplary or rnd.random() < 0.85):
        data["equality_referent"] = {
            "name": f"Référente {i}",
            "email": f"egalite@{code}.example.org",
            "appointed_on": date(2021, 1 + i % 12, 1).isoformat(),
            "time_share_percent": 50.0 if exemplary else rnd.choice([20.0, 30.0, 50.0, 100.0, None]),
        }
    if exemplary or rnd.random() < 0.8:
        data["reporting_channel"] = {
            "kind": rnd.choice(["platform", "email", "form"]),
            "url": f"https://signalement.{code}.example.org",
            "anonymous": True if exemplary else rnd.choice([True, True, False, None]),
        }
    if exemplary or rnd.random() < 0.75:
        data["listening_cell"] = {"kind": rnd.choice(["internal", "external", "shared", "mixed"])}
    if residences is not None:
        data["housing"] = {"has_residences": residences}
        if residences:
            data["housing"]["residences"] = [
                {"code": "maisel", "name": f"MAISEL {i}", "campus": "main", "managed_by": "school", "places": 300}
            ]
    profile = SchoolProfile.model_validate(data)
    return profile.model_dump(mode="json"), profile.sha256(), residences


def _commitments(rows: Rows, org_id: int, code: str, rnd: random.Random) -> None:
    exemplary, broken = code == EXEMPLARY, code == BROKEN
    for type_, title in SCHOOL_COMMITMENTS:
        if broken and type_ in ("equality_charter", "equality_referent", "vss_action_plan"):
            if type_ == "vss_action_plan":
                rows.add(
                    "commitment",
                    **_commitment(
                        org_id, type_, "planned", title, date(2023, 9, 1), None, at(AS_OF - timedelta(days=400))
                    ),
                )
            continue
        draw = 0.0 if exemplary else rnd.random()
        if draw > 0.93:
            continue  # nothing recorded
        effective = date(2019 + rnd.randrange(5), 1 + rnd.randrange(12), 1)
        recorded = at(effective) if effective <= AS_OF else at(AS_OF - timedelta(days=30))
        if draw > 0.85:  # only planned, or in progress
            status = rnd.choice(["planned", "in_progress"])
            rows.add("commitment", **_commitment(org_id, type_, status, title, None, None, recorded))
            continue
        if draw > 0.75:  # a record superseded by a newer one
            rows.add(
                "commitment",
                **_commitment(org_id, type_, "in_progress", title, None, None, recorded - timedelta(days=200)),
            )
        status = "lapsed" if 0.70 < draw <= 0.75 else "in_place"
        expires = date(2024, 12, 31) if 0.65 < draw <= 0.70 else None  # expired by AS_OF
        rows.add("commitment", **_commitment(org_id, type_, status, title, effective, expires, recorded))


def _commitment(
    org_id: int, type_: str, status: str, title: str, effective: date | None, expires: date | None, recorded: datetime
) -> dict[str, Any]:
    return {
        "organisation_id": org_id,
        "type": type_,
        "status": status,
        "title": title,
        "effective_on": effective,
        "date_precision": "month" if effective else None,
        "expires_on": expires,
        "evidence_url": None,
        "note": None,
        "source_quote": None,
        "recorded_at": recorded,
        "recorded_by": BY,
    }


class Library:
    """The root templates (one published version per kind and language) and the blobs."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.blobs: set[str] = set()
        self.versions: dict[tuple[str, str], int] = {}
        for key, spec in catalogue().kinds.items():
            for language in ("fr", "en"):
                sha = self.blob(f"root template {key} {language}")
                template = rows.add("root_template", kind=key, language=language, created_at=at(date(2020, 9, 1)))
                self.versions[key, language] = rows.add(
                    "root_template_version",
                    root_template_id=template,
                    number=1,
                    sha256=sha,
                    filename=f"{key}.{language}.docx",
                    report={"ok": True},
                    clauses=list(spec.required_clauses),
                    note=None,
                    uploaded_at=at(date(2020, 9, 1)),
                    uploaded_by=BY,
                    published_at=at(date(2020, 9, 2)),
                    published_by=BY,
                    change_kind="substantive",
                    changelog="Première version",
                )

    def blob(self, text: str) -> str:
        data = text.encode()
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self.blobs:
            self.blobs.add(sha)
            self.rows.link(
                "blob",
                sha256=sha,
                size=len(data),
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                data=data,
                created_at=at(date(2020, 9, 1)),
            )
        return sha


@dataclass
class Published:
    id: int
    kind: str
    number: int
    sha256: str
    published: datetime


def _documents(
    rows: Rows, library: Library, org_id: int, code: str, profile_id: int, residences: bool | None, rnd: random.Random
) -> list[Published]:
    """Publish the school's documents; return the French versions that open campaigns, in order."""
    exemplary, broken = code == EXEMPLARY, code == BROKEN
    campaigns: list[Published] = []
    for key, spec in catalogue().kinds.items():
        if key == "housing" and residences is False:
            continue
        if not exemplary and not broken and rnd.random() < 0.04:
            continue  # a kind never published
        first = date(2021, 9, 1) + timedelta(days=rnd.randrange(400))
        dates = [first] if rnd.random() < 0.7 else [first, first + timedelta(days=200 + rnd.randrange(600))]
        clauses = list(spec.required_clauses)
        if broken and key == "internal":
            clauses.remove("vss.reporting")
        elif not exemplary and rnd.random() < 0.06:
            clauses.pop(rnd.randrange(len(clauses)))
        english = key in ENGLISH_KINDS and (exemplary or (not broken and rnd.random() < 0.75))
        stale = english and not exemplary and rnd.random() < 0.2  # the English text lags a version behind
        for language in ("fr", "en") if english else ("fr",):
            for number, effective in enumerate(dates[:-1] if language == "en" and stale else dates, start=1):
                published = at(effective - timedelta(days=14), 9 + number)
                sha = library.blob(f"{code} {key} {language} v{number} {','.join(clauses)}")
                variant = rows.add(
                    "variant",
                    inputs_sha256=digest(f"{code}|{key}|{language}|{number}"),
                    root_template_version_id=library.versions[key, language],
                    organisation_id=org_id,
                    profile_revision_id=profile_id,
                    sha256=sha,
                    clauses=clauses,
                    rendered_at=published - timedelta(hours=1),
                    rendered_by=BY,
                )
                version = rows.add(
                    "document_version",
                    organisation_id=org_id,
                    kind=key,
                    language=language,
                    number=number,
                    variant_id=variant,
                    sha256=sha,
                    clauses=clauses,
                    effective_from=effective,
                    change_kind="substantive",
                    changelog=f"Version {number}",
                    published_at=published,
                    published_by=BY,
                )
                if language == "fr" and spec.acknowledgement:
                    campaigns.append(Published(version, key, number, sha, published))
    return campaigns


def _campaigns(rows: Rows, org_id: int, versions: list[Published]) -> list[tuple[int, Published]]:
    """Open a campaign per French version, closed when the next version opens its own; the open ones."""
    opened: list[tuple[int, Published]] = []
    by_kind: dict[str, list[Published]] = defaultdict(list)
    for v in versions:
        by_kind[v.kind].append(v)
    for kind, published in by_kind.items():
        previous = None
        for index, v in enumerate(published):
            successor = published[index + 1] if index + 1 < len(published) else None
            campaign = rows.add(
                "campaign",
                organisation_id=org_id,
                document_version_id=v.id,
                kind=kind,
                change_kind="substantive",
                opened_at=v.published,
                deadline=v.published.date() + timedelta(days=30),
                closed_at=successor.published if successor else None,
                continues_campaign_id=None,
            )
            for population in catalogue().kind(kind).populations:
                rows.link("campaign_population", campaign_id=campaign, population=population.value)
            previous = (campaign, v)
        assert previous is not None
        opened.append(previous)
    return opened


def _persons(
    rows: Rows, org_id: int, code: str, residences: bool | None, rnd: random.Random
) -> list[tuple[int, set[str], bool]]:
    people = []
    for n, mix in enumerate(POPULATION_MIX[:PERSONS_PER_SCHOOL]):
        populations = tuple(p for p in mix if p != "resident" or residences)
        departed = code != EXEMPLARY and rnd.random() < 0.08
        person = rows.add(
            "person",
            organisation_id=org_id,
            external_id=f"{code}-{n:03d}",
            given_name=f"Prénom{n}",
            family_name=f"Nom{org_id}",
            email=f"p{n}@{code}.example.org",
            status="departed" if departed else "active",
            entry_date=date(2020 + rnd.randrange(4), 9, 1),
            departure_date=date(2024, 7, 1) if departed else None,
            residence_code="maisel" if "resident" in populations else None,
            preferred_language=rnd.choice(["fr", "fr", "en"]),
            created_at=at(date(2021, 6, 1)),
            updated_at=at(date(2021, 6, 1)),
        )
        for population in populations:
            rows.link("person_population", person_id=person, population=population)
        people.append((person, set(populations), departed))
    return people


class Chain:
    """Acknowledgements with their hashes, appended in id order as the service does."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.last = chain.GENESIS_HASH
        self.last_id: int | None = None

    def acknowledge(self, person: int, org_id: int, campaign: int, version: Published, when: datetime) -> None:
        ack_id = self.rows.ids["acknowledgement"] + 1
        code = f"BNCH-{ack_id:06X}"
        wording = f"J'ai pris connaissance de la version {version.number} du document ({version.kind})."
        values: dict[str, Any] = {
            "id": ack_id,
            "person_id": person,
            "organisation_id": org_id,
            "document_version_id": version.id,
            "campaign_id": campaign,
            "method": "electronic",
            "document_sha256": version.sha256,
            "wording": wording,
            "wording_sha256": digest(wording),
            "acknowledged_at": when,
            "auth_method": "oidc",
            "recorded_by": BY,
            "reason": None,
            "carried_from_id": None,
            "client_ip": None,
            "user_agent": None,
            "client_sha256": chain.client_digest(None, None, code),
            "verification_code": code,
            "previous_hash": self.last,
        }
        values["record_hash"] = chain.record_hash(self.last, values)
        self.rows.add("acknowledgement", **values)
        self.last, self.last_id = values["record_hash"], ack_id


def build(n: int, seed: int = 2021) -> Rows:
    """Every row of ``n`` schools (plus the group and its head office)."""
    rows = Rows()
    library = Library(rows)
    acks = Chain(rows)
    group = rows.add("organisation", **_organisation("bench-imt", "group", "Groupe IMT (bench)", None))
    office = rows.add("organisation", **_organisation("bench-dg", "head_office", "Direction générale (bench)", group))
    for org_id, code in ((group, "bench-imt"), (office, "bench-dg")):
        profile = SchoolProfile.model_validate({"official_name": code, "short_name": code})
        _revision(rows, org_id, 1, profile.model_dump(mode="json"), profile.sha256(), at(date(2021, 1, 4)))
    for type_, title in [*SCHOOL_COMMITMENTS[:3], ("network_membership", "Adhésion à la CPED")]:
        rows.add(
            "commitment", **_commitment(office, type_, "in_place", title, date(2020, 3, 1), None, at(date(2021, 1, 4)))
        )
    for day in (AS_OF - timedelta(days=300), AS_OF - timedelta(days=120)):
        rows.add("commitment", **_commitment(group, "referent_meeting", "in_place", "Réunion", day, None, at(day)))
    rows.add(
        "commitment",
        **_commitment(group, "vss_survey", "in_progress", "Enquête VSS", date(2022, 3, 1), None, at(date(2022, 3, 1))),
    )
    for i in range(n):
        code = f"school-{i:04d}"
        rnd = random.Random(f"{seed}:{code}")
        org_id = rows.add("organisation", **_organisation(code, "school", f"École d'ingénieurs n° {i}", group))
        rows.add("campus", organisation_id=org_id, code="main", name=f"Campus principal {i}", source_quote=None)
        data, sha, residences = _profile(i, rnd, code)
        profile_id = _revision(rows, org_id, 1, data, sha, at(date(2021, 3, 1)))
        if rnd.random() < 0.3:  # a second revision, the one in force
            changed = SchoolProfile.model_validate({**data, "short_name": f"EI{i}-bis"})
            profile_id = _revision(
                rows, org_id, 2, changed.model_dump(mode="json"), changed.sha256(), at(date(2023, 3, 1))
            )
        _commitments(rows, org_id, code, rnd)
        versions = _documents(rows, library, org_id, code, profile_id, residences, rnd)
        opened = _campaigns(rows, org_id, versions)
        people = _persons(rows, org_id, code, residences, rnd)
        rate = 1.0 if code == EXEMPLARY else 0.0 if code == BROKEN else rnd.choice([1.0, 1.0, 0.9, 0.75, 0.5])
        for campaign, version in opened:
            concerned = {p.value for p in catalogue().kind(version.kind).populations}
            for person, populations, departed in people:
                if populations & concerned and not departed and rnd.random() < rate:
                    acks.acknowledge(person, org_id, campaign, version, version.published + timedelta(days=3))
        for population, share in (("student", 1.0), ("staff", 0.8), ("doctoral_student", 1.0)):
            if code != EXEMPLARY and rnd.random() < 0.15:
                continue  # not recorded
            total = 100 + rnd.randrange(900)
            trained = total if code == EXEMPLARY or rnd.random() < 0.6 else int(total * share * rnd.random())
            rows.add(
                "training_coverage",
                organisation_id=org_id,
                year=AS_OF.year - 1,
                population=population,
                training="vss_awareness",
                trained=trained,
                total=total,
                recorded_at=at(date(AS_OF.year - 1, 12, 15)),
                recorded_by=BY,
            )
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


def _organisation(code: str, type_: str, name: str, parent: int | None) -> dict[str, Any]:
    return {
        "code": code,
        "type": type_,
        "name": name,
        "short_name": name[:60],
        "parent_id": parent,
        "source_quote": None,
        "created_at": at(date(2021, 1, 4)),
    }


def _revision(rows: Rows, org_id: int, revision: int, data: dict[str, Any], sha: str, when: datetime) -> int:
    return rows.add(
        "profile_revision",
        organisation_id=org_id,
        revision=revision,
        data=data,
        sources={},
        sha256=sha,
        created_at=when,
        created_by=BY,
    )


#: Parents before children, for the foreign keys.
ORDER = [
    "organisation",
    "campus",
    "profile_revision",
    "commitment",
    "blob",
    "root_template",
    "root_template_version",
    "variant",
    "document_version",
    "campaign",
    "campaign_population",
    "person",
    "person_population",
    "acknowledgement",
    "training_coverage",
    "waiver",
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
            copy.write_row([Jsonb(row[c]) if c in json else row[c] for c in columns])


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
