"""Which commitment records are in effect on a day, as known at a moment (the one selection every
reader of organisations uses).

A record is in effect at D when it is valid then (``effective_on`` <= D or unknown, D <
``expires_on`` when set), was recorded by K and was not superseded (corrected) by a record recorded
by K. Of the records of one (type, title) in effect, the one that counts is the latest in valid
time: the greatest (``effective_on``, id), a record whose date is unknown counting from the day it
was recorded (govkit.timeline). So a record valid earlier but recorded later changes the answer
only until the next record valid after it. Referent meetings are one per record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date

from sqlmodel import Session, col, select

from govkit.db import stored_id
from govkit.organisations.models import Commitment
from govkit.timeline import AsOf, in_effect_at, is_uncertain, known_by, not_superseded

__all__ = ["in_effect", "in_effect_key", "latest_in_valid_time", "order_key", "uncertain"]

#: Commitment types of which each record is a fact of its own (not a state that later records follow).
EACH_RECORD = frozenset({"referent_meeting"})


def in_effect_key(commitment: Commitment) -> tuple[str, str]:
    """The (type, title) a record belongs to: later records of it follow earlier ones."""
    if commitment.type in EACH_RECORD:
        return commitment.type, f"#{stored_id(commitment)}"
    return commitment.type, commitment.title.casefold()


def order_key(commitment: Commitment) -> tuple[date, int]:
    """Its place in valid time: its date, or the day it was recorded (UTC) when unknown; then its id."""
    start = commitment.effective_on or commitment.recorded_at.astimezone(UTC).date()
    return start, stored_id(commitment)


def latest_in_valid_time(records: Iterable[Commitment]) -> list[Commitment]:
    """Of records in effect, the one that counts for each (organisation, type, title), sorted by
    organisation, type and title."""
    chosen: dict[tuple[int, str, str], Commitment] = {}
    for record in records:
        key = (record.organisation_id, *in_effect_key(record))
        best = chosen.get(key)
        if best is None or order_key(record) > order_key(best):
            chosen[key] = record
    return sorted(chosen.values(), key=lambda c: (c.organisation_id, c.type, c.title.casefold(), order_key(c)))


def in_effect(session: Session, organisation_ids: Sequence[int], when: AsOf) -> dict[int, list[Commitment]]:
    """The commitments in effect per organisation at ``when.day`` as known at ``when.known_at``."""
    rows = session.exec(
        select(Commitment).where(
            col(Commitment.organisation_id).in_(organisation_ids),
            in_effect_at(col(Commitment.effective_on), col(Commitment.expires_on), when.day),
            known_by(col(Commitment.recorded_at), when),
            not_superseded(Commitment, when),
        )
    ).all()
    result: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in latest_in_valid_time(rows):
        result[commitment.organisation_id].append(commitment)
    return result


def uncertain(commitment: Commitment, day: date) -> bool:
    """Whether the commitment may not have been in effect yet at ``day`` (dated to a period that
    ``day`` is inside, or undated and recorded after ``day``)."""
    return is_uncertain(commitment.effective_on, commitment.date_precision, commitment.recorded_at, day)
