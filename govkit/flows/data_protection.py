"""The right of access: everything govkit holds about a person, gathered from the domains that
hold it (acknowledgements: the person, their populations and records; auth: their identities and
role grants)."""

from __future__ import annotations

from typing import Any

from govkit.acknowledgements import privacy
from govkit.auth import service as auth
from govkit.db import Database

__all__ = ["export_person"]


def export_person(*, db: Database, school: str, external_id: str) -> dict[str, Any]:
    """Everything govkit holds about a person of a school, as JSON-ready data."""
    held = privacy.export_person(db=db, school=school, external_id=external_id)
    records = held.pop("acknowledgements")
    return {**held, **auth.identities_of_person(db=db, person_id=held["person"]["id"]), "acknowledgements": records}
