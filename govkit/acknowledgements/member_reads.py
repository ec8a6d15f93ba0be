"""A member's view of who read their personal data (GDPR art. 15; govkit.privacy.reads)."""

from __future__ import annotations

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal, Role
from govkit.db import Database
from govkit.errors import Forbidden
from govkit.privacy.reads import PersonReadView, reads_of

__all__ = ["my_reads"]


def my_reads(*, db: Database, actor: Principal, limit: int = 200) -> list[PersonReadView]:
    """The reads of the signed-in member's personal data by staff, newest first: when, by which role of
    which school, through which channel, which fields (not the staff member's name: see ``reads_of``)."""
    if actor.role is not Role.MEMBER or actor.person_id is None:
        authorize(actor, Action.READ_ME, organisation_id=-1)
        raise Forbidden("`me` is for members (students and staff) signed in as themselves.", key="members_only")
    authorize(actor, Action.READ_ME, organisation_id=actor.organisation_id)
    with db.reading() as session:
        return reads_of(session, person_id=actor.person_id, limit=limit)
