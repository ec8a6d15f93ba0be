"""The right of access: everything govkit holds about a person, gathered from the domains that
hold it (acknowledgements: the person, their populations and records; auth: their identities and
role grants, the sign-in links sent to them)."""

from __future__ import annotations

from typing import Any

from govkit.acknowledgements import privacy
from govkit.auth import service as auth
from govkit.auth import sign_in_links
from govkit.db import Database

__all__ = ["export_person"]


def export_person(*, db: Database, school: str, external_id: str) -> dict[str, Any]:
    """Everything govkit holds about a person of a school, as JSON-ready data."""
    held = privacy.export_person(db=db, school=school, external_id=external_id)
    records = held.pop("acknowledgements")
    person_id = held["person"]["id"]
    return {
        **held,
        **auth.identities_of_person(db=db, person_id=person_id),
        "sign_in_links": sign_in_links.links_of_person(db=db, person_id=person_id),
        "acknowledgements": records,
    }
