"""A rentrée on a real database: the IMT demo data, many members with tokens, their documents to acknowledge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from bench.common import fresh_database
from govkit.acknowledgements.campaigns import ACKNOWLEDGED_LANGUAGE, CampaignPolicy
from govkit.acknowledgements.models import DocumentDelivery, Person, PersonPopulation
from govkit.auth import tokens
from govkit.auth.models import Identity, RoleGrant
from govkit.db import Database, create_db_engine, utcnow
from govkit.demo.documents import publish_all
from govkit.demo.loader import load_demo
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.documents.workers import WorkerPool
from govkit.organisations.models import Organisation
from govkit.settings import Settings

SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"


@dataclass(frozen=True)
class Member:
    person_id: int
    school: str
    token: str
    documents: tuple[int, ...]  # French document versions in force this member acknowledges
    shas: tuple[str, ...]  # their SHA-256, to download them


@dataclass
class Rentree:
    url: str
    settings: Settings
    members: list[Member] = field(default_factory=list)
    intranet_tokens: dict[str, str] = field(default_factory=dict)  # school → token of its intranet
    schools: list[str] = field(default_factory=list)

    def server_env(self) -> dict[str, str]:
        """How the server under test is configured: production mode on this database."""
        return {
            "GOVKIT_ENV": "prod",
            "GOVKIT_DATABASE_URL": self.url,
            "GOVKIT_SECRET_KEY": SECRET,
            "GOVKIT_RENDER_WORKERS": "0",
        }


def prepare(backend: str, name: str, *, persons_per_school: int) -> Rentree:
    """A migrated database with the demo data and ``persons_per_school`` synthetic persons per school,
    every document published, and a govkit token for each person and for an intranet reader."""
    url = fresh_database(backend, name)
    settings = Settings(env="prod", database_url=url, secret_key=SECRET)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=persons_per_school)
    pool = WorkerPool(processes=2, timeout=60, memory_mb=2048)
    try:
        publish_all(db=db, pool=pool, max_bytes=settings.upload_max_bytes, policy=CampaignPolicy(days=30))
    finally:
        pool.close()
    rentree = Rentree(url=url, settings=settings)
    with db.transaction() as session:
        documents: dict[int, list[tuple[int, str, set[str]]]] = {}
        for version in session.exec(
            select(DocumentVersion).where(DocumentVersion.language == ACKNOWLEDGED_LANGUAGE)
        ).all():
            spec = catalogue().kind(version.kind)
            if spec.acknowledgement:
                documents.setdefault(version.organisation_id, []).append(
                    (version.id, version.sha256, {p.value for p in spec.populations})  # type: ignore[arg-type]
                )
        populations: dict[int, set[str]] = {}
        for person_id, population in session.exec(select(PersonPopulation.person_id, PersonPopulation.population)):
            populations.setdefault(person_id, set()).add(population)
        persons = [
            (pid, org, external)
            for pid, org, external in session.exec(
                select(Person.id, Person.organisation_id, Person.external_id).where(Person.status == "active")
            ).all()
            if pid is not None
        ]
        codes = dict(session.exec(select(Organisation.id, Organisation.code)).all())
        rentree.schools = sorted(codes[o] for o in documents)
        subjects = {pid: f"govkit:{uuid.uuid4()}" for pid, _, _ in persons}
        session.execute(
            sa.insert(Identity),
            [
                {"subject": subjects[pid], "display_name": ext, "person_id": pid, "created_at": utcnow()}
                for pid, _, ext in persons
            ],
        )
        identity = dict(
            session.exec(select(Identity.subject, Identity.id).where(col(Identity.person_id).is_not(None))).all()
        )
        session.execute(
            sa.insert(RoleGrant),
            [
                {
                    "identity_id": identity[subjects[pid]],
                    "role": "member",
                    "organisation_id": org,
                    "person_id": pid,
                    "created_by": "bench",
                    "created_at": utcnow(),
                }
                for pid, org, _ in persons
            ],
        )
        grants = {
            person: grant
            for person, grant in session.exec(
                select(RoleGrant.person_id, RoleGrant.id).where(RoleGrant.created_by == "bench")
            ).all()
            if person is not None and grant is not None
        }
        for org_id in documents:
            intranet = Identity(subject=f"govkit:{uuid.uuid4()}", display_name=f"intranet {codes[org_id]}")
            session.add(intranet)
            session.flush()
            assert intranet.id is not None
            grant = RoleGrant(identity_id=intranet.id, role="intranet", organisation_id=org_id, created_by="bench")
            session.add(grant)
            session.flush()
            assert grant.id is not None
            rentree.intranet_tokens[codes[org_id]] = _token(settings, intranet.subject, grant.id, "intranet")
        for pid, org, _ in persons:
            mine = [(d, sha) for d, sha, wanted in documents.get(org, []) if wanted & populations.get(pid, set())]
            token = _token(settings, subjects[pid], grants[pid], "member")
            rentree.members.append(
                Member(pid, codes[org], token, tuple(d for d, _ in mine), tuple(sha for _, sha in mine))
            )
    if engine.dialect.name == "postgresql":
        # as a database is before a rentrée: statistics up to date, the bulk load written out
        # (else autovacuum and the checkpoint of the load run during the measurements)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
            conn.execute(sa.text("CHECKPOINT"))
    engine.dispose()
    return rentree


def deliver_all(rentree: Rentree, members: list[Member]) -> int:
    """Record that each of ``members`` opened each of their documents on their page (proof of display,
    as /ui/me/documents/{id} records it), before any acknowledgement is timed; how many rows."""
    engine = create_db_engine(rentree.url)
    now = utcnow()
    rows = [
        {"person_id": m.person_id, "document_version_id": d, "sha256": sha, "channel": "page", "delivered_at": now}
        for m in members
        for d, sha in zip(m.documents, m.shas, strict=True)
    ]
    try:
        with engine.begin() as connection:
            if rows:
                connection.execute(sa.insert(DocumentDelivery), rows)
    finally:
        engine.dispose()
    return len(rows)


def _token(settings: Settings, subject: str, grant_id: int, role: str) -> str:
    return tokens.issue(
        key=settings.signing_key(),
        issuer=settings.token_issuer,
        subject=subject,
        grant_id=grant_id,
        role=role,
        ttl=timedelta(hours=2),
    )
