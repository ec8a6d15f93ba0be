"""The profile revision of each organisation in effect on a day: one query, used by every reader.

A revision describes its organisation from ``valid_from`` (valid time) on; revisions are numbered
1, 2, … per organisation in the order they were recorded and never edited. As of a day D, known at
K, the profile is the revision with the greatest (``valid_from``, ``revision``) among those valid
from D or earlier and recorded by K (``revisions_in_effect``, ``in_effect_revisions``,
``profiles_in_effect``); the current profile is the one in effect today (``latest_profiles``).

``latest_revision_numbers`` / ``latest_revisions`` answer in recorded time only (the highest number
recorded by a moment), for readers that ask "what had been typed in by then".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.organisations.models import ProfileRevision
from govkit.timeline import AsOf, known_by

__all__ = [
    "in_effect_revisions",
    "latest_profile",
    "latest_profiles",
    "latest_revision_numbers",
    "latest_revisions",
    "profiles_in_effect",
    "revisions_in_effect",
]

#: Organisation ids: a list, or a scalar subquery selecting them.
OrganisationIds = Sequence[int] | sa.ScalarSelect[Any]


def latest_revision_numbers(
    *, organisation_ids: OrganisationIds | None = None, as_of: datetime | None = None, else_first: bool = False
) -> sa.Subquery:
    """Columns ``organisation_id`` and ``revision``: the latest revision of each organisation
    (of ``organisation_ids`` when given) recorded by ``as_of`` (when given).

    With ``else_first``, an organisation with no revision recorded by ``as_of`` gets its first
    revision instead (the best knowledge of it) rather than none.
    """
    number = col(ProfileRevision.revision)
    latest: Any = sa.func.max(number)
    if as_of is not None and else_first:  # the latest one recorded by then, or else the first one ever
        recorded_by_then = sa.case((col(ProfileRevision.created_at) <= as_of, number))
        latest = sa.func.coalesce(sa.func.max(recorded_by_then), sa.func.min(number))
    query = select(col(ProfileRevision.organisation_id), latest.label("revision")).group_by(
        col(ProfileRevision.organisation_id)
    )
    if organisation_ids is not None:
        query = query.where(col(ProfileRevision.organisation_id).in_(organisation_ids))
    if as_of is not None and not else_first:
        query = query.where(col(ProfileRevision.created_at) <= as_of)
    return query.subquery("latest_revision")


def latest_revisions(
    *columns: Any,
    organisation_ids: OrganisationIds | None = None,
    as_of: datetime | None = None,
    else_first: bool = False,
) -> sa.Select[Any]:
    """Select ``columns`` (the whole ``ProfileRevision`` by default) of the revisions that
    ``latest_revision_numbers`` names: one row per organisation that has one."""
    latest = latest_revision_numbers(organisation_ids=organisation_ids, as_of=as_of, else_first=else_first)
    return sa.select(*(columns or (ProfileRevision,))).join(
        latest,
        sa.and_(
            col(ProfileRevision.organisation_id) == latest.c.organisation_id,
            col(ProfileRevision.revision) == latest.c.revision,
        ),
    )


def revisions_in_effect(when: AsOf, *, organisation_ids: OrganisationIds | None = None) -> sa.Subquery:
    """Columns ``organisation_id`` and ``revision``: the revision of each organisation (of
    ``organisation_ids`` when given) in effect at ``when.day`` as known at ``when.known_at``: the
    greatest (``valid_from``, ``revision``) among those valid by then and recorded by then. An
    organisation with none has no row."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(ProfileRevision.organisation_id),
            order_by=(col(ProfileRevision.valid_from).desc(), col(ProfileRevision.revision).desc()),
        )
        .label("rank")
    )
    query = select(col(ProfileRevision.organisation_id), col(ProfileRevision.revision), rank).where(
        col(ProfileRevision.valid_from) <= when.day, known_by(col(ProfileRevision.created_at), when)
    )
    if organisation_ids is not None:
        query = query.where(col(ProfileRevision.organisation_id).in_(organisation_ids))
    ranked = query.subquery("ranked_revision")
    return (
        sa.select(ranked.c.organisation_id, ranked.c.revision).where(ranked.c.rank == 1).subquery("revision_in_effect")
    )


def in_effect_revisions(*columns: Any, when: AsOf, organisation_ids: OrganisationIds | None = None) -> sa.Select[Any]:
    """Select ``columns`` (the whole ``ProfileRevision`` by default) of the revisions that
    ``revisions_in_effect`` names: one row per organisation that has one."""
    chosen = revisions_in_effect(when, organisation_ids=organisation_ids)
    return sa.select(*(columns or (ProfileRevision,))).join(
        chosen,
        sa.and_(
            col(ProfileRevision.organisation_id) == chosen.c.organisation_id,
            col(ProfileRevision.revision) == chosen.c.revision,
        ),
    )


def profiles_in_effect(
    session: Session, organisation_ids: Sequence[int], when: AsOf | None = None
) -> dict[int, ProfileRevision]:
    """The profile revision of each organisation that has one in effect as of ``when`` (today by
    default), in one query."""
    rows = session.scalars(in_effect_revisions(when=when or AsOf.today(), organisation_ids=organisation_ids)).all()
    return {r.organisation_id: r for r in rows}


def latest_profiles(session: Session, organisation_ids: Sequence[int]) -> dict[int, ProfileRevision]:
    """The current profile revision (in effect today) of each organisation that has one, in one query."""
    return profiles_in_effect(session, organisation_ids)


def latest_profile(session: Session, organisation_id: int) -> ProfileRevision | None:
    """The current profile revision of one organisation, or None before its first."""
    return latest_profiles(session, [organisation_id]).get(organisation_id)
