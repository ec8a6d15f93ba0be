"""Proof of display: a document version delivered to a signed-in member, recorded before they may
acknowledge it (govkit.acknowledgements.decisions.shown).

The member's pages record a delivery when the member opens a version on their page (``page``) or
downloads it (``pdf``, ``docx``); an anonymous download of a public address is nobody's and records
nothing. An intranet that displays the version itself says so when the member acknowledges through
it (``acknowledge(displayedBy:, displayedAt:)``): that delivery is written with the record, in its
transaction (decisions.shown, writers).

Each call is one statement (on PostgreSQL in autocommit: one round trip): one row per person,
version and channel, the first time kept (``on conflict do nothing``), so a member who opens a page
a hundred times writes one row.
"""

from __future__ import annotations

import functools
from typing import Literal

import sqlalchemy as sa

from govkit.access.roles import Principal, Role
from govkit.db import Database, UTCDateTime, utcnow

__all__ = ["Channel", "record_delivery", "record_download"]

#: How a member's own pages deliver a version (``intranet`` is the intranets' own, with acknowledge).
Channel = Literal["page", "pdf", "docx"]

_INSERT = (
    "INSERT INTO document_delivery (person_id, document_version_id, sha256, channel, displayed_by, delivered_at)"
    " SELECT p.id, d.id, d.sha256, :channel, NULL, :now FROM person p"
    " JOIN document_version d ON d.organisation_id = p.organisation_id"
    " WHERE p.id = :person AND {which}{lazily}"
    " ON CONFLICT (person_id, document_version_id, channel) DO NOTHING"
)
#: PostgreSQL: the statement's own transaction commits without waiting for its WAL to reach the disk
#: (``synchronous_commit`` off for it alone). Safe for the proof it gives: an acknowledgement's
#: commit flushes the WAL up to itself, this delivery included, so no acknowledgement outlives a
#: crash without the delivery it relied on; a crash may only forget a delivery nothing relied on yet
#: (the member opens the document again). It spares each download the wait for the disk.
_LAZILY = " AND set_config('synchronous_commit', 'off', true) IS NOT NULL"
_WHICH = {"version": "d.id = :version", "sha256": "d.sha256 = :sha256"}


@functools.cache
def _statement(dialect: str, which: str) -> sa.TextClause:
    lazily = _LAZILY if dialect == "postgresql" else ""
    text = _INSERT.format(which=_WHICH[which], lazily=lazily)
    return sa.text(text).bindparams(sa.bindparam("now", type_=UTCDateTime()))


def _person(actor: Principal) -> int | None:
    """The person a caller is, when a member signed in as themself (nobody else receives a delivery)."""
    return actor.person_id if actor.role is Role.MEMBER else None


def record_delivery(*, db: Database, actor: Principal, document_version_id: int, channel: Channel) -> bool:
    """A member was given version ``document_version_id`` of their school (found and authorised by
    the caller, which has just served it): whether a new delivery was recorded (False: not a member,
    another school's version, or delivered by that channel already)."""
    person = _person(actor)
    if person is None:
        return False
    values = {"person": person, "version": int(document_version_id), "channel": channel, "now": utcnow()}
    with db.statements() as connection:
        return bool(connection.execute(_statement(connection.dialect.name, "version"), values).rowcount)


def record_download(*, db: Database, actor: Principal, sha256: str, channel: Channel) -> int:
    """A member downloaded the file ``sha256`` (served by the caller): a delivery of each version of
    their school with these bytes; how many were new."""
    person = _person(actor)
    if person is None:
        return 0
    values = {"person": person, "sha256": sha256, "channel": channel, "now": utcnow()}
    with db.statements() as connection:
        return connection.execute(_statement(connection.dialect.name, "sha256"), values).rowcount or 0
