"""A school of its own for evidence files, with a history in the past: versions put in force on
chosen dates and acknowledgements recorded on chosen days, through govkit's own paths (publication
with its campaigns, the recorder's decisions and the chain), in the test's transaction.

The demo's documents are all in force from the day the demo was loaded: a history with past
periods needs a school whose first version is put in force in the past."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from govkit.acknowledgements.models import Acknowledgement, DocumentDelivery, Person
from govkit.acknowledgements.persons import sync_populations
from govkit.acknowledgements.receipts import Receipt, Request
from govkit.acknowledgements.writers import record_batch
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.documents.models import DocumentVersion
from govkit.organisations.models import Organisation, ProfileRevision
from govkit.organisations.revisions import latest_profile
from tests.ack_helpers import republish

SCHOOL = "ecole-de-preuve"
MODEL = "imt-atlantique"  # whose profile the new school borrows
ENTRY = date(2024, 6, 1)

#: external id → (given name, family name, language, populations)
PERSONS: dict[str, tuple[str, str, str, Sequence[str]]] = {
    "P1": ("Alice", "Martin", "fr", ("student",)),
    "P2": ("Brian", "Walker", "en", ("student", "resident")),
    "P3": ("Chloé", "Petit", "fr", ("student",)),
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def new_school(db: Database) -> None:
    """SCHOOL, with MODEL's profile and the persons of PERSONS, present since ENTRY."""
    with db.transaction() as session:
        model = session.exec(select(Organisation).where(Organisation.code == MODEL)).one()
        school = Organisation(
            code=SCHOOL, type="school", name="École de preuve", short_name="Preuve", parent_id=model.parent_id
        )
        session.add(school)
        session.flush()
        profile = latest_profile(session, stored_id(model))
        assert profile is not None
        session.add(
            ProfileRevision(
                organisation_id=stored_id(school),
                revision=1,
                data=profile.data,
                sha256=profile.sha256,
                created_by="test",
                valid_from=ENTRY,
            )
        )
        wanted = {}
        for external_id, (given, family, language, populations) in PERSONS.items():
            person = Person(
                organisation_id=stored_id(school),
                external_id=external_id,
                given_name=given,
                family_name=family,
                email=f"{external_id.lower()}@preuve.example",
                entry_date=ENTRY,
                preferred_language=language,
            )
            session.add(person)
            session.flush()
            wanted[stored_id(person)] = (populations, ENTRY)
        sync_populations(session, wanted, today=utc_today())


def person_id(db: Database, external_id: str, school: str = SCHOOL) -> int:
    with db.reading() as session:
        found = session.exec(
            select(Person)
            .join(Organisation, Organisation.id == Person.organisation_id)  # type: ignore[arg-type]
            .where(Organisation.code == school, Person.external_id == external_id)
        ).one()
        return stored_id(found)


def acknowledge_on(db: Database, external_id: str, document: DocumentVersion, when: datetime) -> Acknowledgement:
    """The person's electronic acknowledgement of ``document`` as the recorder decides it on the day
    of ``when`` (the version in force that day), recorded at ``when`` and chained, after they opened
    it on their page an hour before."""
    person = person_id(db, external_id)
    request = Request(
        person_id=person,
        document_version_id=stored_id(document),
        method="electronic",
        auth_method="govkit_token",
        recorded_by=f"test:{SCHOOL}:{external_id}",
        language=None,
        acknowledged_at=when,
        shown_sha256=document.sha256,
    )
    with db.transaction() as session:
        session.add(
            DocumentDelivery(
                person_id=person,
                document_version_id=stored_id(document),
                sha256=document.sha256,
                channel="page",
                delivered_at=when - timedelta(hours=1),
            )
        )
        session.flush()
        (outcome,) = record_batch(session.connection(), [request], today=when.date())
    assert isinstance(outcome, Receipt), outcome
    return outcome.record


@dataclass(frozen=True)
class History:
    """What ``make_history`` did: the versions of the internal regulation and the records."""

    v1: DocumentVersion  # substantive, from 2024-09-01
    v2: DocumentVersion  # substantive, from 2025-01-15
    v3: DocumentVersion  # editorial, from 2025-03-01: acknowledgements of v2 carried forward
    english: DocumentVersion  # the English v1, from 2024-09-01
    p1_v1: Acknowledgement  # P1, 2024-09-10
    p1_v2: Acknowledgement  # P1, 2025-01-20
    p2_v1: Acknowledgement  # P2, 2024-09-03 (never acknowledged v2)


V1_FROM, V2_FROM, V3_FROM = date(2024, 9, 1), date(2025, 1, 15), date(2025, 3, 1)


def make_history(db: Database) -> History:
    """SCHOOL's internal regulation over three versions, acknowledged by P1 (v1, v2), P2 (v1 only);
    P3 never acknowledges anything."""
    new_school(db)
    v1 = republish(db, SCHOOL, "internal", "substantive", effective_from=V1_FROM)
    english = republish(db, SCHOOL, "internal", "substantive", language="en", effective_from=V1_FROM)
    p2_v1 = acknowledge_on(db, "P2", v1, at(date(2024, 9, 3)))
    p1_v1 = acknowledge_on(db, "P1", v1, at(date(2024, 9, 10)))
    v2 = republish(db, SCHOOL, "internal", "substantive", effective_from=V2_FROM)
    p1_v2 = acknowledge_on(db, "P1", v2, at(date(2025, 1, 20)))
    v3 = republish(db, SCHOOL, "internal", "editorial", effective_from=V3_FROM)
    return History(v1, v2, v3, english, p1_v1, p1_v2, p2_v1)
