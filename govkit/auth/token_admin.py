"""The bearer tokens that exist, and their revocation (legal staff, or the command line).

A govkit token stands for one role grant: its id is the grant's id, and revoking a token
revokes its grant. The token's text is never stored, so it is never shown again.

Revocation goes through the same path as ``govkit.auth.service.revoke_grant``: the grant's
``revoked_at`` is set and ``govkit_grants`` is notified in the same transaction, so every
server process forgets the grant the moment it commits (see ``govkit.auth.grants``). The
audit event is written in that transaction too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from govkit.access.audit import AuditEvent
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal, Role
from govkit.access.scoped import row_id
from govkit.acknowledgements.models import Person
from govkit.auth.models import Identity, RoleGrant
from govkit.auth.service import mark_revoked
from govkit.db import Database, utcnow
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_by_code


@dataclass(frozen=True)
class TokenInfo:
    """What is known of a token: everything but its text."""

    id: int
    name: str
    subject: str
    role: str
    school: str | None
    person: str | None  # the person's external id (member tokens)
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    scopes: str = ""  # named scopes, space-separated (e.g. persons:read)

    def status(self, now: datetime | None = None) -> str:
        """active, revoked or expired."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and _utc(self.expires_at) <= (now or utcnow()):
            return "expired"
        return "active"


@dataclass(frozen=True)
class Revocation:
    token: TokenInfo
    already_revoked: bool


_TOKENS = (
    sa.select(
        col(RoleGrant.id),
        col(Identity.display_name),
        col(Identity.subject),
        col(RoleGrant.role),
        col(Organisation.code),
        col(Person.external_id),
        col(RoleGrant.created_at),
        col(RoleGrant.created_by),
        col(RoleGrant.expires_at),
        col(RoleGrant.revoked_at),
        col(RoleGrant.scopes),
    )
    .join(Identity, col(Identity.id) == col(RoleGrant.identity_id))
    .outerjoin(Organisation, col(Organisation.id) == col(RoleGrant.organisation_id))
    .outerjoin(Person, col(Person.id) == col(RoleGrant.person_id))
)


def _info(row: Any) -> TokenInfo:
    return TokenInfo(*row)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def list_tokens(
    *,
    db: Database,
    actor: Principal,
    role: str | None = None,
    school: str | None = None,
    include_inactive: bool = False,
) -> list[TokenInfo]:
    """The tokens (role grants), oldest first: the active ones, or all with ``include_inactive``."""
    authorize(actor, Action.READ_TOKENS)
    query = _TOKENS.order_by(col(RoleGrant.id))
    if role is not None:
        query = query.where(col(RoleGrant.role) == parse_role(role).value)
    with db.reading() as session:
        if school is not None:
            query = query.where(col(RoleGrant.organisation_id) == organisation_by_code(session, school).id)
        if not include_inactive:
            query = query.where(
                col(RoleGrant.revoked_at).is_(None),
                sa.or_(col(RoleGrant.expires_at).is_(None), col(RoleGrant.expires_at) > utcnow()),
            )
        return [_info(row) for row in session.execute(query).all()]


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInput(f"Unknown role {text!r}: choose one of {', '.join(r.value for r in Role)}.") from None


def revoke_token(
    *,
    db: Database,
    actor: Principal,
    token: str,
    by_name: bool = True,
    action: str = "token.revoke",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> Revocation:
    """Revoke a token given by its id, or (``by_name``) by its name when one token alone bears it.

    Revoking a revoked token changes nothing (``already_revoked``). The audit event is
    written in the revocation's transaction, as ``action``.
    """
    authorize(actor, Action.REVOKE_TOKEN)
    reference = token.strip()
    if not reference:
        raise InvalidInput("Give the token's id or name (`govkit token list` shows them).")
    if not by_name and not reference.isdigit():
        raise InvalidInput(f"{token!r} is not a valid id.")
    with db.transaction() as session:
        grant = _find(session, reference)
        already = not mark_revoked(session, grant)
        info = _info(session.execute(_TOKENS.where(col(RoleGrant.id) == grant.id)).one())
        session.add(
            AuditEvent(
                correlation_id=correlation_id,
                subject=actor.subject,
                role=actor.role.value if actor.role else None,
                organisation=actor.organisation_code,
                action=action,
                target={"token": info.id, "role": info.role, "school": info.school},
                outcome="ok",
                detail="already revoked" if already else "revoked",
                client_ip=client_ip,
            )
        )
    return Revocation(info, already)


def _find(session: Session, reference: str) -> RoleGrant:
    """The role grant of a token id, or of the one token named ``reference`` (the one not yet
    revoked, when others of that name are); locked for the update."""
    query = sa.select(RoleGrant).with_for_update()
    if reference.isdigit():
        number = row_id(reference)  # digits beyond the id range name no token (and never reach the database)
        grant = (
            None if number is None else session.execute(query.where(col(RoleGrant.id) == number)).scalar_one_or_none()
        )
        if grant is None:
            raise NotFound(f"No token with id {reference}: `govkit token list --all` shows them.")
        return grant
    named = (
        query.join(Identity, col(Identity.id) == col(RoleGrant.identity_id))
        .where(col(Identity.display_name) == reference)
        .order_by(col(RoleGrant.id))
    )
    grants = list(session.execute(named).scalars().all())
    if not grants:
        raise NotFound(f"No token named {reference!r}: `govkit token list --all` shows them.")
    active = [g for g in grants if g.revoked_at is None]
    if len(grants) == 1 or len(active) == 1:
        return grants[0] if len(grants) == 1 else active[0]
    ids = ", ".join(str(g.id) for g in grants)
    raise InvalidInput(f"{len(grants)} tokens are named {reference!r} (ids {ids}): give the id.")
