"""Load the IMT demo data into a migrated database, idempotently."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Person
from govkit.acknowledgements.persons import sync_populations
from govkit.days import utc_today
from govkit.db import Database, stored_id, utcnow
from govkit.demo import persons as synthetic
from govkit.demo.dataset import DATA_FILE, DemoDataset, DemoOrganisation, dated, read_dataset
from govkit.demo.models import DatasetLoad
from govkit.demo.training import load_training, read_training
from govkit.organisations.arrangements import add_shared_members
from govkit.organisations.models import ArrangementMember, Campus, Commitment, Organisation
from govkit.organisations.service import Dating, write_profile
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


def load_demo(*, db: Database, persons_per_school: int = PERSONS_PER_SCHOOL, data_file: Path = DATA_FILE) -> LoadReport:
    """Load imt.yaml, imt_training.yaml and the synthetic persons; nothing happens when this exact data
    is loaded."""
    dataset, digest = read_dataset(data_file)
    training, training_digest = read_training(codes={o.code for o in dataset.organisations})
    fingerprint = f"{digest}:{training_digest}:{persons_per_school}"
    with db.transaction() as session:
        done = session.get(DatasetLoad, DATASET_NAME)
        if done is not None and done.sha256 == _short(fingerprint):
            return LoadReport(False, len(dataset.organisations), 0, digest)
        organisations = _organisations(session, dataset)
        count = _persons(session, dataset, organisations, persons_per_school)
        load_training(session, training, organisations)
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
        _campuses(session, org, item)
    for item in ordered:  # profiles may refer to other organisations: all exist by now
        org = existing[item.code]
        valid_from, precision = dated(item.profile_valid_from)
        dating = Dating(valid_from, precision, item.profile_date_source) if valid_from and precision else None
        write_profile(session, org, item.profile, author=LOADER, sources=dict(item.profile_sources), dating=dating)
        _commitments(session, org, item, existing)
    session.flush()
    for item in ordered:  # schools join the group arrangements: every record exists by now
        _memberships(session, existing[item.code], item, existing)
    session.flush()
    return existing


def _campuses(session: Session, org: Organisation, item: DemoOrganisation) -> None:
    """Each campus with the date the seed gives it; a changed campus is recorded again (now)."""
    campuses = {c.code: c for c in session.exec(select(Campus).where(Campus.organisation_id == org.id)).all()}
    for c in item.campuses:
        valid_from, precision = dated(c.effective_on)
        wanted = Campus(
            organisation_id=stored_id(org),
            code=c.code,
            name=c.name,
            source_quote=c.source,
            valid_from=valid_from,
            valid_from_precision=precision.value if precision else None,
            date_source=c.date_source,
            recorded_by=LOADER,
        )
        campus = campuses.get(c.code)
        if campus is None:
            session.add(wanted)
        elif _campus_facts(campus) != _campus_facts(wanted):
            campus.name, campus.source_quote, campus.date_source = wanted.name, wanted.source_quote, wanted.date_source
            campus.valid_from, campus.valid_from_precision = wanted.valid_from, wanted.valid_from_precision
            campus.recorded_at, campus.recorded_by = utcnow(), LOADER
            session.add(campus)
    session.flush()


def _campus_facts(c: Campus) -> tuple[object, ...]:
    """What the file says of a campus (not when or by whom it was recorded)."""
    return (c.name, c.source_quote, c.valid_from, c.valid_from_precision, c.date_source)


def _commitments(
    session: Session, org: Organisation, item: DemoOrganisation, organisations: dict[str, Organisation]
) -> None:
    """Each commitment as the file dates it: unchanged, nothing happens; changed, a new record
    supersedes the current one (which stays readable); new, it is recorded."""
    rows = session.exec(
        select(Commitment).where(Commitment.organisation_id == org.id).order_by(col(Commitment.id))
    ).all()
    superseded = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    current = {(r.type, r.title.casefold()): r for r in rows if r.id not in superseded}  # the latest wins
    for commitment in item.commitments:
        effective, precision = dated(commitment.effective_on)
        record = Commitment(
            organisation_id=stored_id(org),
            type=commitment.type.value,
            status=commitment.status.value,
            title=commitment.title,
            effective_on=effective,
            date_precision=precision.value if precision else None,
            date_source=commitment.date_source,
            note=commitment.note,
            source_quote=commitment.source,
            recorded_by=LOADER,
            how=commitment.how.value,
            provider=commitment.provider,
            capacity=commitment.capacity,
        )
        known = current.get((record.type, record.title.casefold()))
        if known is not None:
            if _facts(known) == _facts(record):
                continue
            record.supersedes_id = known.id
        session.add(record)
        if commitment.members:  # a shared arrangement: its members from its date
            session.flush()
            add_shared_members(session, record, [organisations[code] for code in commitment.members])


def _facts(c: Commitment) -> tuple[object, ...]:
    """What the file says of a commitment (not when or by whom it was recorded)."""
    return (
        c.status,
        c.effective_on,
        c.date_precision,
        c.date_source,
        c.note,
        c.source_quote,
        c.expires_on,
        c.how,
        c.provider,
        c.capacity,
    )


def _memberships(
    session: Session, org: Organisation, item: DemoOrganisation, organisations: dict[str, Organisation]
) -> None:
    """Each group arrangement the school joined, from its date; one already recorded stays as it is."""
    for joined in item.member_of:
        holder = organisations[joined.holder]
        records = session.exec(
            select(Commitment).where(Commitment.organisation_id == holder.id, Commitment.how == "group")
        ).all()
        ids = [r.id for r in records if r.title.casefold() == joined.arrangement.casefold()]
        already = session.exec(
            select(ArrangementMember.id).where(
                col(ArrangementMember.commitment_id).in_(ids), ArrangementMember.organisation_id == org.id
            )
        ).first()
        if already is not None or not ids:
            continue
        start, precision = dated(joined.effective_on)
        session.add(
            ArrangementMember(
                commitment_id=max(i for i in ids if i is not None),
                organisation_id=stored_id(org),
                role="member",
                valid_from=start,
                valid_from_precision=precision.value if precision else None,
                date_source=joined.date_source,
                source_quote=joined.source,
                recorded_by=LOADER,
            )
        )


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
        # populations are periods: a new person's from the entry date; a change closes or opens one
        sync_populations(
            session,
            {stored_id(known[sp.external_id]): ([p.value for p in sp.populations], sp.entry_date) for sp in people},
            today=utc_today(),
        )
        total += len(people)
    session.flush()
    return total
