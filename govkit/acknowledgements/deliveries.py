"""Proof of display: a document version delivered to a signed-in member, recorded before they may
acknowledge it (govkit.acknowledgements.decisions.shown).

The member's pages record a delivery when the member opens a version on their page (``page``) or
downloads it (``pdf``, ``docx``); an anonymous download of a public address is nobody's and records
nothing. An intranet that displays the version itself says so when the member acknowledges through
it (``acknowledge(displayedBy:, displayedAt:)``): that delivery is written with the record, in its
transaction (decisions.shown, writers).

Each call is one statement: one row per person, version and channel, the first time kept
(``on conflict do nothing``), so a member who opens a page a hundred times writes one row.
"""

from __future__ import annotations

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
    " WHERE p.id = :person AND {which}"
    " ON CONFLICT (person_id, document_version_id, channel) DO NOTHING"
)
_BY_ID = sa.text(_INSERT.format(which="d.id = :version")).bindparams(sa.bindparam("now", type_=UTCDateTime()))
_BY_SHA256 = sa.text(_INSERT.format(which="d.sha256 = :sha256")).bindparams(sa.bindparam("now", type_=UTCDateTime()))


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
    with db.transaction() as session:
        return bool(session.connection().execute(_BY_ID, values).rowcount)


def record_download(*, db: Database, actor: Principal, sha256: str, channel: Channel) -> int:
    """A member downloaded the file ``sha256`` (served by the caller): a delivery of each version of
    their school with these bytes; how many were new."""
    person = _person(actor)
    if person is None:
        return 0
    values = {"person": person, "sha256": sha256, "channel": channel, "now": utcnow()}
    with db.transaction() as session:
        return session.connection().execute(_BY_SHA256, values).rowcount or 0
