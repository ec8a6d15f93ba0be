"""Load the IMT demo data into a migrated database, idempotently."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from govkit.acknowledgements.models import Person, PersonPopulation
from govkit.db import Database, stored_id, utcnow
from govkit.demo import persons as synthetic
from govkit.demo.dataset import DATA_FILE, DemoDataset, parse_partial_date, read_dataset
from govkit.demo.models import DatasetLoad
from govkit.organisations.models import Campus, Commitment, Organisation
from govkit.organisations.service import write_profile
from govkit.organisations.vocabulary import OrganisationType

DATASET_NAME = "imt-demo"
LOADER = "govkit demo loader"
PERSONS_PER_SCHOOL = 300


@dataclass(frozen=True)
class LoadReport:
    loaded: bool
    organisations: int
    persons: int
    sha256: str


def load_demo(*, db: Database, persons_per_school: int = PERSONS_PER_SCHOOL) -> LoadReport:
    """Load imt.yaml and the synthetic persons; nothing happens when this exact data is loaded."""
    dataset, digest = read_dataset(DATA_FILE)
    fingerprint = f"{digest}:{persons_per_school}"
    with db.transaction() as session:
        done = session.get(DatasetLoad, DATASET_NAME)
        if done is not None and done.sha256 == _short(fingerprint):
            return LoadReport(False, len(dataset.organisations), 0, digest)
        organisations = _organisations(session, dataset)
        count = _persons(session, dataset, organisations, persons_per_school)
        if done is None:
            session.add(DatasetLoad(name=DATASET_NAME, sha256=_short(fingerprint)))
        else:
            done.sha256, done.loaded_at = _short(fingerprint), utcnow()
            session.add(done)
    return LoadReport(True, len(dataset.organisations), count, digest)


def _short(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode()).hexdigest()


def _organisations(session: Session, dataset: DemoDataset) -> dict[str, Organisation]:
    existing = {o.code: o for o in session.exec(select(Organisation)).all()}
    ordered = sorted(dataset.organisations, key=lambda o: o.type is not OrganisationType.GROUP)
    for item in ordered:
        org = existing.get(item.code) or Organisation(
            code=item.code, type=item.type.value, name=item.name, short_name=item.short_name
        )
        org.type, org.name, org.short_name, org.source_quote = (
            item.type.value,
            item.name,
            item.short_name,
            item.source,
        )
        org.parent_id = existing[item.parent].id if item.parent else None
        session.add(org)
        session.flush()
        existing[item.code] = org
        campuses = {c.code: c for c in session.exec(select(Campus).where(Campus.organisation_id == org.id)).all()}
        for c in item.campuses:
            campus = campuses.get(c.code) or Campus(organisation_id=stored_id(org), code=c.code, name=c.name)
            campus.name, campus.source_quote = c.name, c.source
            session.add(campus)
        session.flush()
    for item in ordered:  # profiles may refer to other organisations: all exist by now
        org = existing[item.code]
        write_profile(session, org, item.profile, author=LOADER, sources=dict(item.profile_sources))
        recorded = {
            (c.type, c.title, c.status)
            for c in session.exec(select(Commitment).where(Commitment.organisation_id == org.id)).all()
        }
        for commitment in item.commitments:
            if (commitment.type.value, commitment.title, commitment.status.value) in recorded:
                continue
            effective, precision = (
                parse_partial_date(commitment.effective_on) if commitment.effective_on else (None, None)
            )
            session.add(
                Commitment(
                    organisation_id=stored_id(org),
                    type=commitment.type.value,
                    status=commitment.status.value,
                    title=commitment.title,
                    effective_on=effective,
                    date_precision=precision.value if precision else None,
                    note=commitment.note,
                    source_quote=commitment.source,
                    recorded_by=LOADER,
                )
            )
    session.flush()
    return existing


def _persons(session: Session, dataset: DemoDataset, organisations: dict[str, Organisation], count: int) -> int:
    total = 0
    for item in dataset.organisations:
        if item.type is not OrganisationType.SCHOOL:
            continue
        org = organisations[item.code]
        residences = [r.code for r in item.profile.housing.residences]
        people = synthetic.generate(item.code, residences, count)
        known = {p.external_id: p for p in session.exec(select(Person).where(Person.organisation_id == org.id)).all()}
        for sp in people:
            person = known.get(sp.external_id) or Person(
                organisation_id=stored_id(org), external_id=sp.external_id, given_name="", family_name="", email=""
            )
            person.given_name, person.family_name, person.email = sp.given_name, sp.family_name, sp.email
            person.entry_date, person.residence_code = sp.entry_date, sp.residence_code
            person.preferred_language, person.updated_at = sp.preferred_language, utcnow()
            session.add(person)
            known[sp.external_id] = person
        session.flush()
        ids = [stored_id(known[sp.external_id]) for sp in people]
        session.exec(delete(PersonPopulation).where(col(PersonPopulation.person_id).in_(ids)))
        session.add_all(
            PersonPopulation(person_id=stored_id(known[sp.external_id]), population=p.value)
            for sp in people
            for p in sp.populations
        )
        total += len(people)
    session.flush()
    return total
