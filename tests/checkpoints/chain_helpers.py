"""Helpers of the checkpoints' tests: records appended to the chain through the real recorder, and
history rewritten as an attacker holding the database would (triggers off, every later hash
recomputed so that the chain verifies by itself)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import timedelta

import anyio
import sqlalchemy as sa
from sqlmodel import col, select

from govkit.access.roles import SYSTEM, Principal, Role
from govkit.acknowledgements import chain
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Acknowledgement, ChainHead, Person
from govkit.acknowledgements.receipts import Receipt
from govkit.acknowledgements.recorder import build_recorder
from govkit.db import Database, stored_id
from govkit.documents import service as documents
from govkit.organisations.models import Organisation

#: The schools whose persons acknowledge their internal regulation (on paper: recorded by their administration).
SCHOOLS = ("imt-atlantique", "telecom-paris", "imt-bs", "mines-saint-etienne")


def _pairs(db: Database, schools: tuple[str, ...]) -> Iterator[tuple[str, str, int]]:
    """(school, person's external id, document version id) not acknowledged yet, in a fixed order."""
    with db.reading() as session:
        done = set(session.exec(select(Acknowledgement.person_id, Acknowledgement.document_version_id)).all())
        found: list[tuple[str, str, int]] = []
        for school in schools:
            org = session.exec(select(Organisation).where(Organisation.code == school)).one()
            people = session.exec(
                select(Person)
                .where(Person.organisation_id == org.id, Person.status == "active")
                .order_by(col(Person.id))
            ).all()
            rows = documents.published_documents(db=db, actor=SYSTEM, school=school, language="fr")
            version = next(d for _org, d in rows if d.kind == "internal")
            found += [(school, p.external_id, stored_id(version)) for p in people if (p.id, version.id) not in done]
    return iter(found)


def append_records(db: Database, count: int, schools: tuple[str, ...] = SCHOOLS) -> list[Receipt]:
    """``count`` new records at the end of the chain: paper visas of persons who had none, recorded
    concurrently through one recorder (so in batches, as in production)."""
    wanted = list(itertools.islice(_pairs(db, schools), count))
    assert len(wanted) == count, f"only {len(wanted)} persons left to acknowledge"

    admins = {school: _admin(db, school) for school in schools}

    async def go() -> list[Receipt]:
        recorder = build_recorder(db)
        try:
            calls = [
                acks.record_paper_acknowledgement(
                    db=db,
                    recorder=recorder,
                    actor=admins[school],
                    school=school,
                    person_external_id=external_id,
                    document_version_id=version,
                    reason="visa signé sur papier (essai)",
                )
                for school, external_id, version in wanted
            ]
            return list(await asyncio.gather(*calls))
        finally:
            await recorder.close()

    receipts = anyio.run(go)
    return sorted(receipts, key=lambda r: stored_id(r.record))


def _admin(db: Database, school: str) -> Principal:
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
    return Principal(
        role=Role.SCHOOL_ADMIN, subject=f"test:admin:{school}", organisation_id=org.id, organisation_code=school
    )


def chain_ids(db: Database) -> list[int]:
    with db.reading() as session:
        return [int(i) for i in session.exec(select(Acknowledgement.id).order_by(col(Acknowledgement.id))).all()]


def rewrite(db: Database, record_id: int) -> None:
    """Backdate record ``record_id`` by a day and recompute its hash and every later one, and the
    chain's head: what an attacker with the database does so that `govkit audit verify` passes."""
    with db.transaction() as session:
        if db.dialect == "sqlite":
            session.execute(sa.text("DROP TRIGGER acknowledgement_append_only"))
        else:
            session.execute(sa.text("ALTER TABLE acknowledgement DISABLE TRIGGER acknowledgement_append_only"))
        records = session.exec(
            select(Acknowledgement).where(col(Acknowledgement.id) >= record_id).order_by(col(Acknowledgement.id))
        ).all()
        previous = records[0].previous_hash
        records[0].acknowledged_at -= timedelta(days=1)
        for record in records:
            record.previous_hash = previous
            record.record_hash = chain.record_hash(previous, record)
            previous = record.record_hash
        session.flush()
        head = session.get(ChainHead, 1)
        assert head is not None
        head.last_hash = previous
        session.flush()
