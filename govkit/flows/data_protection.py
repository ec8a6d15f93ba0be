"""The right of access and to portability (GDPR art. 15, 20): everything govkit holds about a
person, gathered from the domains that hold it, as ordered ``SECTIONS``.

One document, two ways to it, each audited (person by id): ``my_data`` is the member's own, signed
in as themselves (the member page, ``me { myData }``); ``export_person`` is the same document for an
administrator (``govkit persons export``), also written to the person's read log.

A section is a key and a function ``(db, subject) -> JSON-ready data``; adding one is one line at
the end of ``SECTIONS`` (reads of one's data, legal holds, erasure state...). The sections name
the person's own data only: who among the staff did something is said by role, never by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from govkit.access import audit
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal, Role
from govkit.acknowledgements import privacy
from govkit.acknowledgements.models import Campaign, Person
from govkit.auth import service as auth
from govkit.auth import sign_in_links
from govkit.db import Database, utcnow
from govkit.errors import Forbidden, NotFound
from govkit.notifications.models import NoticeMessage
from govkit.organisations.lookup import organisation_for
from govkit.organisations.models import Organisation
from govkit.privacy import reads
from govkit.privacy.corrections import requests_of_person

__all__ = ["SECTIONS", "Section", "Subject", "export_person", "gather", "my_data"]

FORMAT = "govkit-own-data/1"


def export_person(
    *, db: Database, actor: Principal, school: str, external_id: str, public_url: str, channel: str = "cli"
) -> dict[str, Any]:
    """The administrator's export of a person of a school (``govkit persons export``): the very
    document the person downloads from their page (``gather``), written to the audit log
    (``<channel>.persons.export``, the person by id) and to the person's read log, in one transaction."""
    with db.reading() as session:
        # authorised first: an unknown school is NOT_FOUND to legal staff, a refusal to anyone else
        organisation = organisation_for(session, actor, Action.READ_PERSON_DATA, school)
        person_id = session.exec(
            select(Person.id).where(Person.organisation_id == organisation.id, Person.external_id == external_id)
        ).first()
    if person_id is None:
        raise NotFound(
            f"No person with external id {external_id!r} at {school}.", key="no_person", params={"person": external_id}
        )
    data = gather(db=db, person_id=person_id, public_url=public_url)
    with db.transaction() as session:
        audit.add(
            session,
            actor=actor,
            action=f"{channel}.persons.export",
            outcome="ok",
            correlation_id=channel,
            target={"person": person_id, "school": school},
        )
        reads.record_reads(
            session, reader=actor, person_ids=[person_id], channel=channel, fields=["all"], correlation_id=channel
        )
    return data


@dataclass(frozen=True)
class Subject:
    """The person whose data a section gathers, and what the first read found (read once)."""

    person_id: int
    school: str
    school_name: str
    external_id: str
    public_url: str
    #: govkit.acknowledgements.privacy.export_person: the person, populations, acknowledgements
    held: dict[str, Any] = field(default_factory=dict)
    #: the person's own identities (their subjects are theirs; any other is staff, named by role)
    subjects: frozenset[str] = frozenset()


Gather = Callable[[Database, Subject], Any]


@dataclass(frozen=True)
class Section:
    key: str
    gather: Gather


_LABEL = re.compile(r"^(?P<subject>.*) \((?P<role>[a-z_]+)\)$")


def _by(label: str | None, subject: Subject) -> str | None:
    """Who did something, as said to the person: themselves, or a staff member by role only."""
    if not label:
        return label
    found = _LABEL.match(label)
    if found is None:
        return "staff" if label not in subject.subjects else label
    return label if found["subject"] in subject.subjects else found["role"]


def _identity(db: Database, subject: Subject) -> dict[str, Any]:
    person = subject.held["person"]
    keep = (
        "external_id",
        "given_name",
        "family_name",
        "email",
        "preferred_language",
        "status",
        "entry_date",
        "departure_date",
        "residence_code",
        "created_at",
        "updated_at",
    )
    identities = auth.identities_of_person(db=db, person_id=subject.person_id)["identities"]
    return {
        "person": {key: person.get(key) for key in keep},
        "identities": [
            {"subject": i["subject"], "display_name": i["display_name"], "created_at": i["created_at"]}
            for i in identities
        ],
    }


def _school(db: Database, subject: Subject) -> dict[str, Any]:
    return {
        "school": subject.school,
        "school_name": subject.school_name,
        "populations": subject.held["populations"],
        "population_periods": subject.held["population_periods"],
    }


def _acknowledgements(db: Database, subject: Subject) -> dict[str, Any]:
    base = subject.public_url.rstrip("/")
    records = []
    for record in subject.held["acknowledgements"]:
        code = record["verification_code"]
        records.append(
            {
                **{k: v for k, v in record.items() if k not in ("person", "recorded_by")},
                "recorded_by": _by(record.get("recorded_by"), subject),
                "addresses": {
                    "receipt": f"{base}/ui/me/receipts/{code}",
                    "sealed_receipt": f"{base}/ui/receipts/{code}.pdf",
                    "certificate": f"{base}/receipts/{code}.docx",
                    "verification": f"{base}/verify/{code}",
                },
            }
        )
    deliveries = [{**d, "displayed_by": _by(d.get("displayed_by"), subject)} for d in subject.held["deliveries"]]
    return {"acknowledgements": records, "deliveries": deliveries}


def _notices(db: Database, subject: Subject) -> dict[str, Any]:
    """The e-mails sent to the person (their bodies left out: they held one-click sign-in links),
    and the campaigns they concern."""
    with db.reading() as session:
        rows = session.exec(
            select(NoticeMessage).where(NoticeMessage.person_id == subject.person_id).order_by(col(NoticeMessage.id))
        ).all()
        campaign_ids = sorted({m.campaign_id for m in rows if m.campaign_id is not None})
        campaigns = session.exec(select(Campaign).where(col(Campaign.id).in_(campaign_ids))).all()
    keep = {"kind", "template", "language", "recipient", "subject", "status", "created_at", "sent_at", "campaign_id"}
    return {
        "campaigns": [
            c.model_dump(
                mode="json", include={"id", "kind", "document_version_id", "opened_at", "deadline", "closed_at"}
            )
            for c in campaigns
        ],
        "notices": [m.model_dump(mode="json", include=keep) for m in rows],
    }


def _links(db: Database, subject: Subject) -> list[dict[str, Any]]:
    return sign_in_links.links_of_person(db=db, person_id=subject.person_id)


def _grants(db: Database, subject: Subject) -> list[dict[str, Any]]:
    grants = auth.identities_of_person(db=db, person_id=subject.person_id)["role_grants"]
    with db.reading() as session:
        rows = session.execute(sa.select(col(Organisation.id), col(Organisation.code))).all()
    codes: dict[int, str] = {row[0]: row[1] for row in rows}
    return [
        {
            "role": g["role"],
            "school": codes.get(g["organisation_id"]) if g["organisation_id"] else None,
            "created_at": g["created_at"],
            "created_by": _by(g["created_by"], subject),
            "expires_at": g["expires_at"],
            "revoked_at": g["revoked_at"],
        }
        for g in grants
    ]


def _corrections(db: Database, subject: Subject) -> list[dict[str, Any]]:
    with db.reading() as session:
        rows = requests_of_person(session, subject.person_id)
    return [
        {
            **r.model_dump(mode="json", exclude={"person_id", "organisation_id", "decided_by"}),
            "decided_by": _by(r.decided_by, subject),
        }
        for r in rows
    ]


def _reads(db: Database, subject: Subject) -> list[dict[str, Any]]:
    """Who read the person's data, and when (govkit.privacy.reads: readers by role and school)."""
    with db.reading() as session:
        rows = reads.reads_of(session, person_id=subject.person_id, limit=10_000)
    return [
        {
            "read_at": r.read_at.isoformat(),
            "role": r.role,
            "school": r.school,
            "channel": r.channel,
            "fields": list(r.fields),
        }
        for r in rows
    ]


#: The sections of one's data, in order. Add a section with one line at the end:
#: ``Section("reads", reads_of_my_data)`` — its key names it in the JSON and on the pages
#: (govkit.web.i18n.own_data: ``own_data_section_<key>``).
SECTIONS: tuple[Section, ...] = (
    Section("identity_and_contact", _identity),
    Section("school_and_populations", _school),
    Section("acknowledgements", _acknowledgements),
    Section("notices", _notices),
    Section("sign_in_links", _links),
    Section("role_grants", _grants),
    Section("corrections", _corrections),
    Section("reads", _reads),
)


def gather(*, db: Database, person_id: int, public_url: str) -> dict[str, Any]:
    """Every section of a person's data (no authorisation: the caller decides whose)."""
    with db.reading() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(f"No person {person_id}.", key="no_person_record")
        organisation = session.get(Organisation, person.organisation_id)
        assert organisation is not None
        school, name, external_id = organisation.code, organisation.name, person.external_id
    held = privacy.export_person(db=db, school=school, external_id=external_id)
    mine = auth.identities_of_person(db=db, person_id=person_id)["identities"]
    subject = Subject(person_id, school, name, external_id, public_url, held, frozenset(i["subject"] for i in mine))
    return {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "person_id": person_id,
        "sections": {s.key: s.gather(db, subject) for s in SECTIONS},
    }


def my_data(
    *,
    db: Database,
    actor: Principal,
    public_url: str,
    channel: str = "json",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> dict[str, Any]:
    """Everything govkit holds about the signed-in member; the export is audited (person by id)."""
    if actor.role is not Role.MEMBER or actor.person_id is None:
        authorize(actor, Action.READ_OWN_DATA, organisation_id=-1)
        raise Forbidden("Your own data is for members signed in as themselves.", key="members_only")
    authorize(actor, Action.READ_OWN_DATA, organisation_id=actor.organisation_id)
    data = gather(db=db, person_id=actor.person_id, public_url=public_url)
    audit.record(
        db,
        actor=actor,
        action="privacy.export_own_data",
        outcome="ok",
        correlation_id=correlation_id,
        target={"person": actor.person_id, "channel": channel},
        client_ip=client_ip,
    )
    return data
