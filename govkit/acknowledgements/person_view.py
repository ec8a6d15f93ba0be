"""Persons as a viewer is shown them (minimal exposure, govkit.privacy.exposure): the personal fields
masked by ``govkit.access.policy.person_data_exposure``, and the reads written down
(govkit.privacy.reads). The pending persons of a campaign (GraphQL, page, CSV) and receipts go
through here; a member's own record (``me``) is shown in full and not logged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from govkit.access.policy import person_data_exposure
from govkit.access.roles import Principal
from govkit.acknowledgements.campaign_progress import PendingPerson
from govkit.acknowledgements.models import Person
from govkit.db import stored_id
from govkit.errors import Forbidden
from govkit.privacy import reads
from govkit.privacy.exposure import Exposure, exposed_fields, mask, pseudonym

__all__ = ["ReadNote", "ShownPending", "ShownPerson", "log_reads", "refuse_search", "shown_pending", "shown_person"]


@dataclass(frozen=True)
class ShownPerson:
    """A person's fields as the viewer may see them: None where withheld."""

    id: int
    organisation_id: int
    external_id: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    entry_date: date | None
    preferred_language: str | None
    status: str
    pseudonym: str | None
    exposure: Exposure


@dataclass(frozen=True)
class ShownPending:
    person: ShownPerson
    populations: tuple[str, ...]
    overdue: bool


@dataclass(frozen=True)
class ReadNote:
    """How a read reaches govkit, for the read log: the channel, the request's correlation id and
    client address, and the key of the pseudonyms (settings.pseudonym_secret())."""

    channel: str
    pseudonym_key: str
    correlation_id: str = "-"
    client_ip: str | None = None


def shown_person(person: Person, exposure: Exposure, key: str) -> ShownPerson:
    values = mask(
        "Person",
        {
            "external_id": person.external_id,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": person.email,
            "entry_date": person.entry_date,
            "preferred_language": person.preferred_language,
        },
        exposure,
    )
    person_id = stored_id(person)
    return ShownPerson(
        id=person_id,
        organisation_id=person.organisation_id,
        status=person.status,
        pseudonym=None if exposure is Exposure.WITHHELD or not key else pseudonym(person_id, key),
        exposure=exposure,
        **values,
    )


def refuse_search(actor: Principal, *, organisation_id: int, search: str | None) -> None:
    """A search by name, e-mail or external id is for those who see them: otherwise its answers would
    tell whether a name is among the persons (403)."""
    if search and person_data_exposure(actor, organisation_id=organisation_id, person_id=-1) is not Exposure.FULL:
        raise Forbidden(
            "Searching persons by name, e-mail or external id needs the right to see them "
            "(an intranet token: the persons:read scope).",
            key="forbidden",
            params={"role": actor.role.value if actor.role else "", "school": actor.organisation_code or ""},
        )


def shown_pending(
    session: Session, actor: Principal, organisation_id: int, page: Sequence[PendingPerson], note: ReadNote
) -> list[ShownPending]:
    """The pending persons of one school as ``actor`` may see them; the reads written down (one
    statement for the page), in ``session``'s transaction."""
    exposure = person_data_exposure(actor, organisation_id=organisation_id, person_id=-1)
    where = {"graphql": "Person", "page": "page:pending", "csv": "csv:pending"}.get(note.channel, "Person")
    shown = [ShownPending(shown_person(p.person, exposure, note.pseudonym_key), p.populations, p.overdue) for p in page]
    log_reads(session, actor, [s.person.id for s in shown], exposed_fields(where, exposure), note)
    return shown


def log_reads(
    session: Session, actor: Principal, person_ids: Sequence[int], fields: Sequence[str], note: ReadNote
) -> None:
    reads.record_reads(
        session,
        reader=actor,
        person_ids=person_ids,
        channel=note.channel,
        fields=fields,
        correlation_id=note.correlation_id,
        client_ip=note.client_ip,
    )
