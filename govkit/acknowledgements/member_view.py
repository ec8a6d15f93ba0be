"""A member's own view: the versions in force they must acknowledge, and their acknowledgements
(``me``: one statement, govkit.acknowledgements.batch_read.member_statement)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal, Role
from govkit.acknowledgements import batch_read
from govkit.acknowledgements.campaigns import ACKNOWLEDGED_LANGUAGE
from govkit.acknowledgements.models import Person
from govkit.acknowledgements.receipts import Receipt
from govkit.acknowledgements.wording import wording as compose_wording
from govkit.days import utc_today
from govkit.db import Database
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import Forbidden, NotFound
from govkit.organisations.models import Organisation

__all__ = ["MyView", "PendingDocument", "me"]


@dataclass(frozen=True)
class PendingDocument:
    document: DocumentVersion
    translation: DocumentVersion | None
    wording: str
    deadline: date | None
    overdue: bool


@dataclass(frozen=True)
class MyView:
    person: Person
    organisation: Organisation
    populations: tuple[str, ...]
    pending: list[PendingDocument]
    receipts: list[Receipt]


@cache
def _concerned(kind: str) -> frozenset[str]:
    """The populations a kind of document applies to (the catalogue does not change while the process runs)."""
    return frozenset(p.value for p in catalogue().kind(kind).populations)


def me(*, db: Database, actor: Principal, days: int = 30) -> MyView:
    """The member's documents to acknowledge, and their acknowledgements.

    One statement reads the person, their populations, the versions in force at their school and
    their acknowledgements (govkit.acknowledgements.batch_read.member_statement); the content of the
    versions shown is read once per process (a published version never changes)."""
    if actor.role is not Role.MEMBER or actor.person_id is None:
        authorize(actor, Action.READ_ME, organisation_id=-1)
        raise Forbidden("`me` is for members (students and staff) signed in as themselves.", key="members_only")
    today = utc_today()
    with db.single_read() as connection:
        dialect = connection.dialect.name
        found = batch_read.decode_member(
            connection.exec_driver_sql(
                batch_read.member_statement(dialect), batch_read.member_parameters(dialect, actor.person_id, today)
            ).scalar_one()
        )
        if found is None:
            raise NotFound(f"No person {actor.person_id}.", key="no_person_record")
        authorize(actor, Action.READ_ME, organisation_id=found.person.organisation_id)
        current = {(v.version.kind, v.version.language): v for v in found.in_force}
        due = _due(found, current) if found.person.status == "active" else []
        translations = [t for v in due if (t := current.get((v.version.kind, "en"))) is not None]
        documents = batch_read.document_versions(
            connection, [v.version for v in [*due, *translations]] + [v.version for _, v in found.acknowledged]
        )
    person, organisation = found.person, found.organisation
    pending: list[PendingDocument] = []
    for in_force in due:
        version = documents[in_force.version.id]
        deadline = in_force.deadline
        if deadline is not None and person.entry_date is not None:
            deadline = max(deadline, person.entry_date + timedelta(days=days))
        text = compose_wording(
            language=person.preferred_language,
            given_name=person.given_name,
            family_name=person.family_name,
            title=catalogue().kind(version.kind).title.get(person.preferred_language),
            school=organisation.name,
            version=version.number,
            effective_from=version.effective_from,
            sha256=version.sha256,
        )
        translation = current.get((version.kind, "en"))
        pending.append(
            PendingDocument(
                version,
                documents[translation.version.id] if translation else None,
                text,
                deadline,
                bool(deadline and deadline < today),
            )
        )
    receipts = [
        Receipt(a, person, organisation, documents[a.document_version_id])
        for a, _ in sorted(found.acknowledged, key=lambda av: av[0].id or 0, reverse=True)
    ]
    return MyView(person, organisation, tuple(sorted(found.populations)), pending, receipts)


def _due(
    found: batch_read.MemberRead, current: dict[tuple[str, str], batch_read.MemberVersion]
) -> list[batch_read.MemberVersion]:
    """The versions in force that the member must acknowledge and has not, in the catalogue's order of kinds."""
    acknowledged = {a.document_version_id for a, _ in found.acknowledged}
    due = [
        v
        for (kind, language), v in current.items()
        if language == ACKNOWLEDGED_LANGUAGE
        and catalogue().kind(kind).acknowledgement
        and _concerned(kind) & found.populations
        and v.version.id not in acknowledged
    ]
    order = _kind_order()
    return sorted(due, key=lambda v: order[v.version.kind])


@cache
def _kind_order() -> dict[str, int]:
    return {kind: rank for rank, kind in enumerate(catalogue().kinds)}
