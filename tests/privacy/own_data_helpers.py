"""Helpers of the own-data tests: a member's session on the pages, a school administrator reachable
by e-mail, the audit events of an action."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.acknowledgements.models import Person
from govkit.auth.models import Identity, RoleGrant
from govkit.db import Database, stored_id
from govkit.organisations.models import Organisation
from tests.conftest import Api

SCHOOL = "imt-atlantique"
MEMBER = "E00001"


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"govkit_session={token}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


def post_form(api: Api, token: str, path: str, data: dict[str, Any], page: str) -> httpx.Response:
    """POST ``data`` to ``path`` with the CSRF value of the form of ``page``."""
    shown = api.request("GET", page, headers=cookie(token))
    assert shown.status_code == 200, shown.text[:500]
    return api.request(
        "POST", path, headers=cookie(token), data={"csrf": csrf_of(shown.text), **data}, follow_redirects=False
    )


def person(db: Database, school: str, external_id: str) -> Person:
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        return session.exec(
            select(Person).where(Person.organisation_id == org.id, Person.external_id == external_id)
        ).one()


def administrator(db: Database, school: str, address: str) -> int:
    """A school_admin identity of ``school`` reachable at ``address`` (its subject)."""
    with db.transaction() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        identity = Identity(subject=address, display_name="Direction")
        session.add(identity)
        session.flush()
        session.add(
            RoleGrant(identity_id=stored_id(identity), role="school_admin", organisation_id=org.id, created_by="test")
        )
        return stored_id(identity)


def audit_events(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))).all()
        )
