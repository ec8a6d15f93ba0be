"""Commitment records written: a new record, or a correction superseding one (never an edit).

``record_commitment`` owns its transaction; ``add_commitment`` writes in the caller's (a flow that
stores more in the same transaction, such as the record's evidence files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from govkit.access.policy import Action
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.errors import InvalidInput, Problem, ProblemList
from govkit.organisations.arrangements import add_shared_members, validate_arrangement
from govkit.organisations.lookup import organisation_for
from govkit.organisations.models import Commitment, Organisation
from govkit.organisations.vocabulary import ArrangementHow, CommitmentStatus, CommitmentType
from govkit.timeline import Precision, period_start

__all__ = ["CommitmentInput", "add_commitment", "record_commitment"]


@dataclass(frozen=True)
class CommitmentInput:
    organisation_code: str
    type: CommitmentType
    status: CommitmentStatus
    title: str
    effective_on: date | None = None
    date_precision: Precision | None = None
    expires_on: date | None = None
    evidence_url: str | None = None
    note: str | None = None
    source_quote: str | None = None
    date_source: str | None = None
    #: the id of the record this one corrects (a record of the same organisation)
    supersedes: int | None = None
    #: how it is held (govkit.organisations.arrangements): own, shared (with ``members``, school
    #: codes), group (the head office's, joined by schools), external (with its ``provider``)
    how: ArrangementHow = ArrangementHow.OWN
    members: tuple[str, ...] = ()
    provider: str | None = None
    capacity: dict[str, Any] | None = None


def _validate_commitment(data: CommitmentInput) -> None:
    problems = ProblemList()
    title = data.title.strip()
    if not title:
        problems.add("title", "must not be empty")
    elif len(title) > 300:
        problems.add("title", "must be at most 300 characters")
    if data.effective_on and data.expires_on and data.expires_on < data.effective_on:
        problems.add("expiresOn", "must not be before effectiveOn")
    if data.date_precision and not data.effective_on:
        problems.add("datePrecision", "is only meaningful with effectiveOn")
    if data.date_source is not None and not data.date_source.strip():
        problems.add("dateSource", "must not be empty when given")
    elif data.date_source is not None and len(data.date_source) > 4000:
        problems.add("dateSource", "must be at most 4000 characters")
    if data.evidence_url is not None:
        url = data.evidence_url.strip()
        if not url.lower().startswith(("http://", "https://")) or " " in url or len(url) > 500:
            problems.add("evidenceUrl", "must be an http:// or https:// address without spaces")
    if data.note is not None and len(data.note) > 4000:
        problems.add("note", "must be at most 4000 characters")
    if data.status is CommitmentStatus.IN_PLACE and data.effective_on and data.effective_on > utc_today():
        problems.add("effectiveOn", "a commitment in place cannot start in the future")
    if problems.problems:
        raise InvalidInput(
            "The commitment is not valid; nothing was saved.", problems=problems.problems, key="commitment_invalid"
        )


def _corrected(session: Session, organisation: Organisation, record_id: int) -> Commitment:
    """The record a correction supersedes: one of the same organisation, not corrected yet."""
    record = session.get(Commitment, record_id)
    if record is None or record.organisation_id != organisation.id:
        raise InvalidInput(
            f"L'engagement {record_id} n'est pas un engagement de {organisation.code} : une correction remplace "
            f"un engagement de la même organisation. / Commitment {record_id} is not a commitment of "
            f"{organisation.code}: a correction supersedes a record of the same organisation.",
            problems=[Problem("supersedes", f"no commitment {record_id} of {organisation.code}")],
        )
    later = session.exec(select(Commitment.id).where(Commitment.supersedes_id == record_id)).first()
    if later is not None:
        raise InvalidInput(
            f"L'engagement {record_id} a déjà été corrigé par l'engagement {later} : corrigez celui-ci. "
            f"/ Commitment {record_id} was already corrected by commitment {later}: correct that one.",
            problems=[Problem("supersedes", f"already superseded by {later}")],
        )
    return record


def add_commitment(session: Session, actor: Principal, data: CommitmentInput) -> Commitment:
    """Append a commitment record in ``session`` once ``actor`` may record one at its organisation
    (the caller owns the transaction: govkit.flows.commitment_evidence adds its files in the same)."""
    authorize_some(actor, Action.RECORD_COMMITMENT)
    organisation = organisation_for(session, actor, Action.RECORD_COMMITMENT, data.organisation_code)
    _validate_commitment(data)
    if data.supersedes is not None:
        _corrected(session, organisation, data.supersedes)
    members = validate_arrangement(session, organisation, data.how, data.members, data.provider, data.capacity)
    precision = data.date_precision or (Precision.DAY if data.effective_on else None)
    commitment = Commitment(
        organisation_id=stored_id(organisation),
        type=data.type.value,
        status=data.status.value,
        title=data.title.strip(),
        effective_on=period_start(data.effective_on, precision) if data.effective_on else None,
        date_precision=precision.value if precision else None,
        expires_on=data.expires_on,
        evidence_url=data.evidence_url.strip() if data.evidence_url else None,
        note=data.note,
        source_quote=data.source_quote,
        date_source=data.date_source.strip() if data.date_source else None,
        supersedes_id=data.supersedes,
        recorded_by=actor.label,
        how=data.how.value,
        provider=data.provider.strip() if data.provider else None,
        capacity=data.capacity,
    )
    session.add(commitment)
    session.flush()
    if data.how is ArrangementHow.SHARED:
        add_shared_members(session, commitment, members)
    return commitment


def record_commitment(*, db: Database, actor: Principal, data: CommitmentInput) -> Commitment:
    """Append a commitment record; in effect from its date, it follows earlier records of the same
    type and title. With ``supersedes``, it is a correction: the record it names no longer counts
    (from now on; "known at" an earlier moment still shows it)."""
    authorize_some(actor, Action.RECORD_COMMITMENT)
    with db.transaction() as session:
        return add_commitment(session, actor, data)
