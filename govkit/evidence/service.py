"""``evidence_file``: a person's evidence file on a date, read in one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.audit import AuditEvent
from govkit.access.policy import Action
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import ACKNOWLEDGED_LANGUAGE
from govkit.acknowledgements.models import Acknowledgement, ChainHead, Person
from govkit.acknowledgements.persons import populations_of, present_at
from govkit.acknowledgements.receipts import ERASED, erasure_statement
from govkit.days import utc_day, utc_today
from govkit.db import Database, stored_id, utcnow
from govkit.documents.kinds import KindSpec, catalogue
from govkit.documents.models import DocumentVersion
from govkit.documents.published import Period, periods
from govkit.errors import InvalidInput, NotFound
from govkit.evidence.facts import (
    AcknowledgementFacts,
    ChainHeadFacts,
    ChainLink,
    EvidenceFile,
    KindEvidence,
    PersonFacts,
    VersionFacts,
    statements,
)
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for
from govkit.privacy import reads
from govkit.privacy.exposure import Exposure, exposed_fields
from govkit.timeline import AsOf

__all__ = ["AUDIT_ACTION", "evidence_file"]

#: The audit log's name for an export (the target names the person by their id).
AUDIT_ACTION = "evidence.export"


def evidence_file(
    *,
    db: Database,
    actor: Principal,
    school: str,
    person: str,
    day: date,
    correlation_id: str = "-",
    client_ip: str | None = None,
    channel: str = "graphql",
) -> EvidenceFile:
    """The evidence file of the person of ``school`` with external id ``person`` on ``day``.

    Legal staff anywhere, a school's administration for its own persons (govkit.access.scoped: an
    unknown school is NOT_FOUND to legal staff, the refusal of another school to a school's
    administration; an unknown person of a school the caller may read is NOT_FOUND). The export is
    written to the audit log in the transaction that reads it, and to the person's read log
    (govkit.privacy.reads, through ``channel``)."""
    authorize_some(actor, Action.EXPORT_EVIDENCE)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.EXPORT_EVIDENCE, school)
        found = session.exec(
            select(Person).where(Person.organisation_id == organisation.id, Person.external_id == person)
        ).first()
        if found is None:  # the caller may read this school's persons: theirs to know (as for paper visas)
            raise NotFound(
                f"Aucune personne d'identifiant {person!r} à {school}. / "
                f"No person with external id {person!r} at {school}.",
                key="no_person",
                params={"person": person, "school": school},
            )
        if day > utc_today():
            raise InvalidInput(
                f"Le dossier de preuve porte sur une date passée ou aujourd'hui, pas le {day:%d/%m/%Y}. / "
                f"An evidence file is about a past date or today, not {day.isoformat()}.",
                key="evidence_future",
                params={"day": day},
            )
        file = _read(session, organisation, found, day, actor.label)
        session.add(
            AuditEvent(
                correlation_id=correlation_id,
                subject=actor.subject,
                role=actor.role.value if actor.role else None,
                organisation=actor.organisation_code,
                action=AUDIT_ACTION,
                target={"school": organisation.code, "person_id": stored_id(found), "date": day.isoformat()},
                outcome="ok",
                client_ip=client_ip,
            )
        )
        reads.record_reads(
            session,
            reader=actor,
            person_ids=[stored_id(found)],
            channel=channel,
            fields=exposed_fields("EvidencePerson", Exposure.FULL),
            correlation_id=correlation_id,
            client_ip=client_ip,
        )
    return file


def _read(session: Session, organisation: Organisation, person: Person, day: date, exported_by: str) -> EvidenceFile:
    when = AsOf(day)
    populations = populations_of(session, stored_id(person), when)
    present = session.exec(select(Person.id).where(Person.id == person.id, present_at(when))).first() is not None
    specs = [s for s in catalogue().kinds.values() if s.acknowledgement and _concerned(s, populations)]
    languages = [ACKNOWLEDGED_LANGUAGE] + (["en"] if person.preferred_language == "en" else [])
    versions = session.exec(
        select(DocumentVersion).where(
            DocumentVersion.organisation_id == organisation.id,
            col(DocumentVersion.kind).in_([s.key for s in specs]),
            col(DocumentVersion.language).in_(languages),
        )
    ).all()
    records = {
        stored_id(r): r
        for r in session.exec(select(Acknowledgement).where(Acknowledgement.person_id == person.id)).all()
    }
    reader = _Reader(session, records, {stored_id(v): v for v in versions})
    name = f"{person.given_name} {person.family_name}"
    kinds = []
    for spec in specs:
        french = _periods([v for v in versions if v.kind == spec.key and v.language == ACKNOWLEDGED_LANGUAGE])
        english = _periods([v for v in versions if v.kind == spec.key and v.language == "en"])
        kinds.append(reader.kind(spec, french, english, populations, day, name, organisation.name))
    head = session.get(ChainHead, 1)
    last = head.last_id if head else None
    # the head's place: the records up to it (ids are chain order), whatever was appended since it was read
    records_to_head = (
        session.exec(select(sa.func.count()).select_from(Acknowledgement).where(col(Acknowledgement.id) <= last)).one()
        if last is not None
        else 0
    )
    return EvidenceFile(
        school_code=organisation.code,
        school_name=organisation.name,
        person=PersonFacts(
            id=stored_id(person),
            external_id=person.external_id,
            given_name=person.given_name,
            family_name=person.family_name,
            populations=tuple(sorted(populations)),
            status=person.status,
            entry_date=person.entry_date,
            departure_date=person.departure_date,
            preferred_language=person.preferred_language,
            present=present,
            erasure=erasure_statement(person.erased_at, person.erased_under) if person.erased_at else None,
        ),
        day=day,
        exported_at=utcnow(),
        exported_by=exported_by,
        chain_head=ChainHeadFacts(
            id=last, hash=head.last_hash if head else chain.GENESIS_HASH, records=records_to_head
        ),
        kinds=tuple(kinds),
    )


def _periods(versions: list[DocumentVersion]) -> list[Period]:
    return periods(versions) if versions else []


def _concerned(spec: KindSpec, populations: set[str]) -> tuple[str, ...]:
    return tuple(sorted({p.value for p in spec.populations} & populations))


class _Reader:
    """The facts of one person's records, each with its place in the chain (read once)."""

    def __init__(
        self, session: Session, records: dict[int, Acknowledgement], versions: dict[int, DocumentVersion]
    ) -> None:
        self.session = session
        self.records = records
        self.versions = versions
        self._facts: dict[int, AcknowledgementFacts] = {}

    def kind(
        self,
        spec: KindSpec,
        french: Sequence[Period],
        english: Sequence[Period],
        populations: set[str],
        day: date,
        name: str,
        school: str,
    ) -> KindEvidence:
        period = next((p for p in french if p.in_force_on(day)), None)
        translation = next((p for p in english if p.in_force_on(day)), None)
        record = original = earlier = None
        if period is not None:
            document_id = stored_id(period.document)
            found = next((r for r in self.records.values() if r.document_version_id == document_id), None)
            if found is not None:
                record = self.facts(found)
                first = self._original(found)
                original = self.facts(first) if first is not found else None
            if found is None or utc_day(self._original(found).acknowledged_at) > day:
                earlier = self._earlier(french, period.document.number)
        version = _version(period) if period else None
        standing, fr, en = statements(
            name=name,
            school=school,
            title_fr=spec.title.fr,
            title_en=spec.title.en,
            day=day,
            version=version,
            record=record,
            original=original,
            earlier=earlier,
        )
        return KindEvidence(
            kind=spec.key,
            title_fr=spec.title.fr,
            title_en=spec.title.en,
            populations=_concerned(spec, populations),
            standing=standing,
            version=version,
            translation=_version(translation) if translation else None,
            acknowledgement=record,
            original=original,
            earlier=earlier,
            statement_fr=fr,
            statement_en=en,
        )

    def _original(self, record: Acknowledgement) -> Acknowledgement:
        """The electronic or paper record a carried-forward record stems from (itself otherwise)."""
        seen = {stored_id(record)}
        while record.method == "carried_forward" and record.carried_from_id is not None:
            source = self.records.get(record.carried_from_id) or self.session.get(
                Acknowledgement, record.carried_from_id
            )
            if source is None or stored_id(source) in seen:  # pragma: no cover - a foreign key and the chain forbid it
                break
            seen.add(stored_id(source))
            record = source
        return record

    def _earlier(self, periods_of_kind: Sequence[Period], number: int) -> AcknowledgementFacts | None:
        """The person's record of the latest earlier version they acknowledged, if any."""
        earlier = {stored_id(p.document): p.document.number for p in periods_of_kind if p.document.number < number}
        found = [r for r in self.records.values() if r.document_version_id in earlier]
        if not found:
            return None
        return self.facts(max(found, key=lambda r: (earlier[r.document_version_id], stored_id(r))))

    def facts(self, record: Acknowledgement) -> AcknowledgementFacts:
        key = stored_id(record)
        if key not in self._facts:
            document = self.versions.get(record.document_version_id) or self.session.get(
                DocumentVersion, record.document_version_id
            )
            assert document is not None
            self._facts[key] = AcknowledgementFacts(
                id=key,
                version=document.number,
                language=document.language,
                document_sha256=record.document_sha256,
                method=record.method,
                acknowledged_at=record.acknowledged_at,
                authentication=record.auth_method,
                recorded_by=ERASED if record.recorded_by is None else record.recorded_by,
                reason=record.reason,
                wording=ERASED if record.wording is None else record.wording,
                personal_data_erased=record.personal_data_erased,
                shown_at=record.shown_at,
                shown_via=record.shown_via,
                verification_code=record.verification_code,
                carried_from_id=record.carried_from_id,
                chain=_link(self.session, record),
            )
        return self._facts[key]


def _link(session: Session, record: Acknowledgement) -> ChainLink:
    """The record's place in the chain, checked against the record before it (ids are chain order)."""
    position = session.exec(
        select(sa.func.count()).select_from(Acknowledgement).where(col(Acknowledgement.id) <= record.id)
    ).one()
    before = session.exec(
        select(Acknowledgement.record_hash)
        .where(col(Acknowledgement.id) < record.id)
        .order_by(col(Acknowledgement.id).desc())
        .limit(1)
    ).first()
    expected = before or chain.GENESIS_HASH
    verified = (
        record.previous_hash == expected
        and chain.record_hash(record.previous_hash, record) == record.record_hash
        and chain.personal_data_mismatch(record) is None
    )
    return ChainLink(
        position=position,
        record_hash=record.record_hash,
        previous_hash=record.previous_hash,
        hashed_body=chain.body(record),
        verified=verified,
    )


def _version(period: Period) -> VersionFacts:
    d = period.document
    return VersionFacts(
        id=stored_id(d),
        kind=d.kind,
        language=d.language,
        number=d.number,
        effective_from=d.effective_from,
        effective_to=period.effective_to,
        change_kind=d.change_kind,
        changelog=d.changelog,
        sha256=d.sha256,
        published_at=d.published_at,
        published_by=d.published_by,
    )
