"""Reads of persons' personal data by staff, written down (GDPR art. 5(2), 15): every page, GraphQL
answer, CSV download or command-line export that shows a person's personal fields writes one
``person_read`` row per person (one statement for the whole batch) and one ``persons.read`` event in
the audit log naming the persons by id, never by name. Reads by the person themself are not logged.

The services call ``record_reads`` with the caller; the audit events go through govkit.access.audit,
the one way to write one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access import audit
from govkit.access.roles import Principal
from govkit.db import utcnow
from govkit.errors import InvalidInput
from govkit.privacy.read_models import CHANNELS, PersonRead

__all__ = ["PersonReadView", "reads_of", "record_reads"]

#: At most this many person ids are named in one audit event's target (the rest in more events).
AUDIT_BATCH = 500


def record_reads(
    session: Session,
    *,
    reader: Principal,
    person_ids: Iterable[int],
    channel: str,
    fields: Sequence[str],
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> int:
    """Write down that ``reader`` was shown ``fields`` of the persons ``person_ids`` through ``channel``,
    in ``session``'s transaction: one ``person_read`` row per person (one statement), and a
    ``persons.read`` audit event naming them by id. Nothing when no field was shown, or the reader
    reads themself. How many persons were written down."""
    if channel not in CHANNELS:
        raise InvalidInput(f"Unknown read channel {channel!r}.")
    ids = sorted({int(p) for p in person_ids if p != reader.person_id})
    if not ids or not fields:
        return 0
    now = utcnow()
    role = reader.role.value if reader.role else None
    rows = [
        {
            "person_id": person_id,
            "read_at": now,
            "reader_subject": reader.subject[:200],
            "reader_role": role,
            "reader_school": reader.organisation_code,
            "channel": channel,
            "fields": list(fields),
            "correlation_id": correlation_id[:64],
        }
        for person_id in ids
    ]
    session.execute(sa.insert(PersonRead), rows)
    audit.add_many(
        session,
        actor=reader,
        action="persons.read",
        correlation_id=correlation_id,
        targets=[
            {"persons": ids[start : start + AUDIT_BATCH], "channel": channel, "fields": list(fields)}
            for start in range(0, len(ids), AUDIT_BATCH)
        ],
        client_ip=client_ip,
    )
    return len(ids)


@dataclass(frozen=True)
class PersonReadView:
    """A read of one's data as the person is shown it: the reader's role and school, not their name."""

    read_at: datetime
    role: str | None
    school: str | None
    channel: str
    fields: tuple[str, ...]


def reads_of(session: Session, *, person_id: int, limit: int = 200) -> list[PersonReadView]:
    """The reads of person ``person_id``'s data, newest first (at most ``limit``).

    The reader is shown by role and school, and not by name. GDPR art. 15(1)(c) gives the person the
    recipients or categories of recipients of their data; staff who consult it under the controller's
    authority (art. 29) are not recipients, and the Court of Justice held (C-579/21, Pankki S, 22 June
    2023) that art. 15 does not oblige the controller to give the identity of the employees who
    consulted the data, only the dates and purposes of the consultations, unless the identity is needed
    for the person to exercise their rights, in which case they ask the data protection officer, who
    holds ``reader_subject``. Hence: when, who by role and school, how, which fields.
    """
    rows = session.exec(
        select(PersonRead)
        .where(PersonRead.person_id == person_id)
        .order_by(col(PersonRead.read_at).desc(), col(PersonRead.id).desc())
        .limit(limit)
    ).all()
    return [PersonReadView(r.read_at, r.reader_role, r.reader_school, r.channel, tuple(r.fields)) for r in rows]
