"""The latest profile revision of each organisation: one query, used by every reader.

``latest_revision_numbers`` is the selectable (organisation id, revision number) of the latest
revision per organisation, as of a moment when given; ``latest_revisions`` selects columns of
those revisions; the helpers below run it for the ORM. Revisions are numbered 1, 2, … per
organisation and never edited, so the highest number is the current profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.organisations.models import ProfileRevision

__all__ = ["latest_profile", "latest_profiles", "latest_revision_numbers", "latest_revisions"]

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


def latest_profiles(session: Session, organisation_ids: Sequence[int]) -> dict[int, ProfileRevision]:
    """The current profile revision of each organisation that has one, in one query."""
    rows = session.scalars(latest_revisions(organisation_ids=organisation_ids)).all()
    return {r.organisation_id: r for r in rows}


def latest_profile(session: Session, organisation_id: int) -> ProfileRevision | None:
    """The current profile revision of one organisation, or None before its first."""
    return latest_profiles(session, [organisation_id]).get(organisation_id)
