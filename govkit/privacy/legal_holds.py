"""Legal holds: legal staff suspend the erasure of named persons during a case, with a reason, and
release it when the case ends; every placing and release is audited (persons named by id).

A held person is never erased (govkit.flows.retention checks ``held_person_ids`` in the erasure's
own transaction, with the person's row locked, as placing a hold locks it); once released, the
erasure happens at the first retention run after the release if it is still due.

This package must not import the domains whose models declare their columns with
govkit.privacy.declarations (acknowledgements, auth…): persons and schools are read here through
light table clauses of their few columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access import audit
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import row_id
from govkit.db import Database, stored_id, utcnow
from govkit.errors import Conflict, InvalidInput, NotFound
from govkit.privacy import reads
from govkit.privacy.exposure import PERSONAL_FIELDS
from govkit.privacy.hold_models import LegalHold

__all__ = ["HeldPerson", "held_person_ids", "legal_holds", "place_legal_hold", "release_legal_hold"]

#: The reason of a hold: long enough to say which case, short enough for a log.
REASON_MIN, REASON_MAX = 10, 2000

_person = sa.table(
    "person",
    sa.column("id", sa.Integer),
    sa.column("organisation_id", sa.Integer),
    sa.column("external_id", sa.String),
    sa.column("erased_at", sa.DateTime),
)
_organisation = sa.table("organisation", sa.column("id", sa.Integer), sa.column("code", sa.String))


@dataclass(frozen=True)
class HeldPerson:
    """A legal hold with the person it holds (school and external id, for legal staff)."""

    hold: LegalHold
    school: str
    external_id: str


def held_person_ids(session: Session) -> set[int]:
    """The persons under an open legal hold."""
    return set(session.exec(select(LegalHold.person_id).where(col(LegalHold.released_at).is_(None))).all())


def _audit(session: Session, actor: Principal, action: str, hold: LegalHold, correlation_id: str) -> None:
    target = {"legal_hold": stored_id(hold), "person_id": hold.person_id}
    audit.add(session, actor=actor, action=action, correlation_id=correlation_id, target=target)


def _reason(reason: str) -> str:
    why = reason.strip()
    if not REASON_MIN <= len(why) <= REASON_MAX:
        raise InvalidInput(
            f"Donnez la raison de la suspension ({REASON_MIN} à {REASON_MAX} caractères). / "
            f"Give the reason of the hold ({REASON_MIN} to {REASON_MAX} characters).",
            key="legal_hold_reason",
            params={"min": REASON_MIN, "max": REASON_MAX},
        )
    return why


def place_legal_hold(
    *,
    db: Database,
    actor: Principal,
    school: str,
    person_external_id: str,
    reason: str,
    correlation_id: str = "-",
) -> HeldPerson:
    """Suspend the erasure of the person ``person_external_id`` of ``school`` (legal staff), with why."""
    authorize(actor, Action.PLACE_LEGAL_HOLD)
    why = _reason(reason)
    with db.transaction() as session:
        found = session.execute(
            sa.select(_person.c.id, _person.c.erased_at)
            .join(_organisation, _organisation.c.id == _person.c.organisation_id)
            .where(_organisation.c.code == school.strip(), _person.c.external_id == person_external_id.strip())
            .with_for_update(of=_person)
        ).first()
        if found is None:
            raise NotFound(
                f"Aucune personne {person_external_id!r} à {school}. / No person {person_external_id!r} at {school}.",
                key="legal_hold_person",
            )
        person_id, erased_at = found
        if erased_at is not None:
            raise Conflict(
                "Données déjà effacées. / This person's personal data were erased already.", key="legal_hold_erased"
            )
        if person_id in held_person_ids(session):
            raise Conflict(
                "Cette personne est déjà sous suspension. / This person is under a legal hold already.",
                key="legal_hold_open",
            )
        hold = LegalHold(person_id=person_id, reason=why, placed_by=actor.label)
        session.add(hold)
        session.flush()
        _audit(session, actor, "privacy.place_legal_hold", hold, correlation_id)
        return HeldPerson(hold, school.strip(), person_external_id.strip())


def release_legal_hold(
    *, db: Database, actor: Principal, hold_id: int | str, correlation_id: str = "-", now: datetime | None = None
) -> HeldPerson:
    """End the legal hold ``hold_id`` (legal staff): the next retention run erases the person if due."""
    authorize(actor, Action.PLACE_LEGAL_HOLD)
    number = row_id(hold_id)
    if number is None:
        raise InvalidInput(f"{hold_id!r} is not a legal hold's id (a number).", key="legal_hold_id")
    with db.transaction() as session:
        hold = session.exec(select(LegalHold).where(LegalHold.id == number).with_for_update()).first()
        if hold is None:
            raise NotFound(f"Aucune suspension {hold_id}. / No legal hold {hold_id}.", key="legal_hold")
        if hold.released_at is not None:
            raise Conflict("Suspension déjà levée. / This legal hold was released already.", key="legal_hold_released")
        hold.released_at = now or utcnow()
        hold.released_by = actor.label
        session.add(hold)
        session.flush()
        _audit(session, actor, "privacy.release_legal_hold", hold, correlation_id)
        school, external_id = _whose(session, hold.person_id)
        return HeldPerson(hold, school, external_id)


def legal_holds(
    *,
    db: Database,
    actor: Principal,
    include_released: bool = False,
    channel: str = "graphql",
    correlation_id: str = "-",
) -> list[HeldPerson]:
    """The legal holds, newest first (open ones only unless ``include_released``). The persons held
    are named by their identifiers: the read is in the read log."""
    authorize(actor, Action.PLACE_LEGAL_HOLD)
    query = (
        sa.select(LegalHold, _organisation.c.code, _person.c.external_id)
        .join(_person, _person.c.id == LegalHold.person_id)
        .join(_organisation, _organisation.c.id == _person.c.organisation_id)
        .order_by(col(LegalHold.id).desc())
    )
    if not include_released:
        query = query.where(col(LegalHold.released_at).is_(None))
    with db.transaction() as session:
        found = [HeldPerson(hold, code, external_id) for hold, code, external_id in session.execute(query).all()]
        reads.record_reads(
            session,
            reader=actor,
            person_ids=(h.hold.person_id for h in found),
            channel=channel,
            fields=PERSONAL_FIELDS["LegalHold"],
            correlation_id=correlation_id,
        )
        return found


def _whose(session: Session, person_id: int) -> tuple[str, str]:
    row = session.execute(
        sa.select(_organisation.c.code, _person.c.external_id)
        .join(_person, _person.c.organisation_id == _organisation.c.id)
        .where(_person.c.id == person_id)
    ).one()
    return str(row[0]), str(row[1])
