"""An organisation named by its code: found, or NOT_FOUND naming the known codes; and, for a caller
who acts on it, found once they may (govkit.access.scoped)."""

from __future__ import annotations

from sqlmodel import Session, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, unknown
from govkit.errors import NotFound
from govkit.organisations.models import Organisation

__all__ = ["organisation_by_code", "organisation_for"]


def organisation_by_code(session: Session, code: str) -> Organisation:
    """The organisation with this code, or NotFound listing the known codes (the directory is public)."""
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        raise _unknown_code(session, code)
    return organisation


def organisation_for(session: Session, actor: Principal, action: Action, code: str) -> Organisation:
    """The organisation a caller names, once they may do ``action`` there (access.scoped): an unknown
    code is NOT_FOUND to a caller acting everywhere, and their refusal to one scoped to their own."""
    authorize_some(actor, action)
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        unknown(actor, action, _unknown_code(session, code))
    authorize(actor, action, organisation_id=organisation.id)
    return organisation


def _unknown_code(session: Session, code: str) -> NotFound:
    known = session.exec(select(Organisation.code).order_by(Organisation.code)).all()
    return NotFound(
        f"No organisation with code {code!r}. Known codes: {', '.join(known)}.",
        key="no_organisation",
        params={"code": code},
    )
