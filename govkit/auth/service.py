"""Identities, role grants and tokens: who is calling, and with which rights."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.roles import PERSON_SCOPED, SCHOOL_SCOPED, Principal, Role
from govkit.acknowledgements.models import Person
from govkit.auth import oidc, tokens
from govkit.auth.grants import GrantCache, notify_revoked
from govkit.auth.models import Identity, RoleGrant
from govkit.auth.tokens import InvalidToken, TokenClaims, verified
from govkit.db import Database, stored_id, utcnow
from govkit.disconnects import retry_on_disconnect
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_by_code
from govkit.privacy.exposure import KNOWN_SCOPES
from govkit.settings import Settings

__all__ = [
    "authenticate",
    "authenticate_many",
    "cached_principal",
    "checked_scopes",
    "create_token",
    "identities_of_person",
    "live_grants",
    "mark_revoked",
    "parse_ttl",
    "revoke_grant",
]

_TTL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_TTL_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_ttl(text: str) -> timedelta:
    """Parse '90m', '12h', '30d', '2w'."""
    match = _TTL.match(text)
    if not match or float(match.group(1)) <= 0:
        raise InvalidInput(f"Invalid duration {text!r}: use a number and a unit, e.g. 90m, 12h, 30d, 2w.")
    return timedelta(**{_TTL_UNITS[match.group(2)]: float(match.group(1))})


def create_token(
    *,
    db: Database,
    settings: Settings,
    role: Role,
    school_code: str | None = None,
    person_external_id: str | None = None,
    ttl: timedelta | None = None,
    display_name: str | None = None,
    created_by: str = "cli",
    scopes: Sequence[str] = (),
) -> tuple[str, RoleGrant]:
    """Record an identity and its role grant (with its named ``scopes``), and sign a bearer token for it."""
    granted = checked_scopes(role, scopes)
    if role in SCHOOL_SCOPED and not school_code:
        raise InvalidInput(f"Role {role.value} needs a school: add --school CODE.")
    if role not in SCHOOL_SCOPED and school_code:
        raise InvalidInput(f"Role {role.value} is group-wide: do not give a school.")
    if role in PERSON_SCOPED and not person_external_id:
        raise InvalidInput(f"Role {role.value} needs a person: add --person EXTERNAL_ID.")
    if role not in PERSON_SCOPED and person_external_id:
        raise InvalidInput(f"Role {role.value} is not bound to a person: do not give --person.")
    ttl = ttl or timedelta(hours=settings.token_ttl_hours)
    with db.transaction() as session:
        organisation = person = None
        if school_code:
            organisation = organisation_by_code(session, school_code)
        if person_external_id:
            assert organisation is not None
            person = session.exec(
                select(Person).where(
                    Person.organisation_id == organisation.id,
                    Person.external_id == person_external_id,
                )
            ).first()
            if person is None:
                raise NotFound(f"No person with external id {person_external_id!r} at {school_code}.")
        subject = f"govkit:{uuid.uuid4()}"
        name = display_name or (
            f"{person.given_name} {person.family_name}" if person else f"{role.value} {school_code or 'IMT'}"
        )
        identity = Identity(subject=subject, display_name=name, person_id=person.id if person else None)
        session.add(identity)
        session.flush()
        grant = RoleGrant(
            identity_id=stored_id(identity),
            role=role.value,
            organisation_id=organisation.id if organisation else None,
            person_id=person.id if person else None,
            created_by=created_by,
            expires_at=utcnow() + ttl,
            scopes=" ".join(granted),
        )
        session.add(grant)
        session.flush()
        token = tokens.issue(
            key=settings.signing_key(),
            issuer=settings.token_issuer,
            subject=subject,
            grant_id=stored_id(grant),
            role=role.value,
            ttl=ttl,
        )
    return token, grant


def checked_scopes(role: Role, scopes: Sequence[str]) -> list[str]:
    """The named scopes a token of ``role`` is granted, checked: known, and meaningful for the role."""
    granted = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in granted if s not in KNOWN_SCOPES]
    if unknown:
        raise InvalidInput(f"Unknown scope {unknown[0]!r}: choose one of {', '.join(sorted(KNOWN_SCOPES))}.")
    if granted and role is not Role.INTRANET:
        raise InvalidInput(f"Role {role.value} needs no scope: scopes widen an intranet token only.")
    return granted


def revoke_grant(*, db: Database, grant_id: int) -> None:
    """Revoke a role grant: its tokens are refused from the moment this commits, by every server
    process (they are notified, see govkit.auth.grants)."""
    with db.transaction() as session:
        grant = session.get(RoleGrant, grant_id)
        if grant is None:
            raise NotFound(f"No role grant {grant_id}.")
        mark_revoked(session, grant)


def mark_revoked(session: Session, grant: RoleGrant) -> bool:
    """Revoke ``grant`` in ``session``'s transaction and notify every server process when it
    commits (the one way a grant is revoked); False when it was revoked already."""
    if grant.revoked_at is not None:
        return False
    grant.revoked_at = utcnow()
    session.add(grant)
    session.flush()
    notify_revoked(session.connection(), stored_id(grant))
    return True


def identities_of_person(*, db: Database, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """A person's identities and the role grants made to them, as JSON-ready data (right of
    access: govkit.flows.data_protection)."""
    with db.reading() as session:
        identities = session.exec(select(Identity).where(Identity.person_id == person_id)).all()
        grants = session.exec(select(RoleGrant).where(col(RoleGrant.identity_id).in_([i.id for i in identities]))).all()
    return {
        "identities": [i.model_dump(mode="json") for i in identities],
        "role_grants": [g.model_dump(mode="json") for g in grants],
    }


def authenticate(*, db: Database, settings: Settings, token: str) -> Principal:
    """The principal a bearer token stands for (govkit's own, or the schools' OIDC); InvalidToken otherwise."""
    (found,) = authenticate_many(db=db, settings=settings, tokens=[token])
    if isinstance(found, BaseException):
        raise found
    return found


def authenticate_many(
    *, db: Database, settings: Settings, tokens: Sequence[str], grants: GrantCache | None = None
) -> list[Principal | InvalidToken]:
    """``authenticate`` for several tokens at once: each decided alone, their role grants read in
    one statement (those ``grants`` does not hold). One outcome per token, in order: its
    principal, or why it cannot be trusted. A lost database connection: decided again on a new one."""
    return retry_on_disconnect(_authenticate_many, db=db, settings=settings, tokens=tokens, grants=grants)


def _authenticate_many(
    *, db: Database, settings: Settings, tokens: Sequence[str], grants: GrantCache | None
) -> list[Principal | InvalidToken]:
    outcomes: list[Principal | InvalidToken | None] = [None] * len(tokens)
    claimed: list[tuple[int, TokenClaims]] = []
    for index, token in enumerate(tokens):
        try:
            issuer = oidc.unverified_issuer(token)
            if settings.oidc_issuer and issuer == settings.oidc_issuer:
                outcomes[index] = _authenticate_oidc(db=db, settings=settings, token=token)
                continue
            if issuer is not None and issuer != settings.token_issuer:
                raise InvalidToken("The token was issued by an identity provider this server does not trust.")
            claimed.append((index, verified(token, key=settings.signing_key(), issuer=settings.token_issuer)))
        except InvalidToken as exc:
            outcomes[index] = exc
    if claimed:
        rows = {c.grant_id: grants.get(c.grant_id) for _, c in claimed} if grants is not None else {}
        missing = sorted({c.grant_id for _, c in claimed if rows.get(c.grant_id) is None})
        if missing:
            epoch = grants.epoch() if grants is not None else 0
            with db.single_read() as connection:
                read = connection.execute(_GRANTS, {"grants": missing}).all()
            rows.update((r.id, r) for r in read)
            if grants is not None:
                grants.keep(read, epoch)
        now = utcnow()
        for index, claims in claimed:
            try:
                outcomes[index] = _principal(claims, rows.get(claims.grant_id), now)
            except InvalidToken as exc:
                outcomes[index] = exc
    decided = [outcome for outcome in outcomes if outcome is not None]
    assert len(decided) == len(tokens)  # each token was decided above, or claimed and decided here
    return decided


def cached_principal(*, settings: Settings, grants: GrantCache, token: str) -> Principal | None:
    """The principal of a govkit token whose grant the cache holds, without the database (the
    event loop may call it); None when the database must be read (``authenticate_many``)."""
    if not grants.listening or oidc.unverified_issuer(token) != settings.token_issuer:
        return None
    claims = verified(token, key=settings.signing_key(), issuer=settings.token_issuer)
    row = grants.get(claims.grant_id)
    return None if row is None else _principal(claims, row, utcnow())


def _principal(claims: TokenClaims, row: sa.Row[Any] | None, now: datetime) -> Principal:
    """The principal of verified ``claims``, given their role grant as it is now."""
    if row is None:
        raise InvalidToken("The token's role grant no longer exists.")
    if row.subject != claims.subject or row.role != claims.role:
        raise InvalidToken("The token does not match its role grant.")
    if row.revoked_at is not None:
        raise InvalidToken("The token's role grant was revoked.", key="token_revoked")
    expires_at = _as_utc(row.expires_at)
    if expires_at is not None and expires_at <= now:
        raise InvalidToken("The token's role grant has expired: ask for a new one.", key="token_expired")
    return Principal(
        role=Role(row.role),
        subject=row.subject,
        identity_id=row.identity_id,
        grant_id=claims.grant_id,
        organisation_id=row.organisation_id,
        organisation_code=row.code,
        person_id=row.person_id,
        auth_method="govkit_token",
        scopes=frozenset((row.scopes or "").split()),
    )


#: Every request with a govkit token runs this (in batches): one prebuilt Core statement, no ORM objects.
_GRANT_ROWS = (
    sa.select(
        col(RoleGrant.id),
        col(RoleGrant.role),
        col(RoleGrant.identity_id),
        col(RoleGrant.organisation_id),
        col(RoleGrant.person_id),
        col(RoleGrant.revoked_at),
        col(RoleGrant.expires_at),
        col(Identity.subject),
        col(Organisation.code),
        col(RoleGrant.scopes),
    )
    .join(Identity, col(Identity.id) == col(RoleGrant.identity_id))
    .outerjoin(Organisation, col(Organisation.id) == col(RoleGrant.organisation_id))
)
_GRANTS = _GRANT_ROWS.where(col(RoleGrant.id).in_(sa.bindparam("grants", expanding=True)))


def live_grants(*, db: Database, limit: int) -> list[Any]:
    """The role grants a token may still stand for (not revoked, not expired), newest first, as
    authentication reads them: what a ``GrantCache`` is filled with (``GrantListener``)."""
    now = utcnow()
    statement = (
        _GRANT_ROWS.where(col(RoleGrant.revoked_at).is_(None))
        .where(sa.or_(col(RoleGrant.expires_at).is_(None), col(RoleGrant.expires_at) > now))
        .order_by(col(RoleGrant.id).desc())
        .limit(limit)
    )
    with db.single_read() as connection:
        return [*connection.execute(statement).all()]


def _as_utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo is not None else value.replace(tzinfo=UTC)


def _authenticate_oidc(*, db: Database, settings: Settings, token: str) -> Principal:
    assert settings.oidc_issuer is not None
    claims = oidc.verify(
        token,
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience or "govkit",
        jwks_url=settings.oidc_jwks_url or settings.oidc_issuer.rstrip("/") + "/.well-known/jwks.json",
        ttl=settings.oidc_jwks_cache_seconds,
        person_claim=settings.oidc_person_claim,
        school_claim=settings.oidc_school_claim,
    )
    with db.reading() as session:
        query = (
            select(Person, Organisation)
            .join(Organisation, col(Organisation.id) == Person.organisation_id)
            .where(Person.external_id == claims.person_claim, Person.status == "active")
        )
        if claims.school_claim:
            query = query.where(Organisation.code == claims.school_claim)
        rows = session.exec(query.limit(2)).all()
    if not rows:
        raise tokens.InvalidToken(
            "No active person of govkit matches this identity: ask your school to import you.", key="identity_no_person"
        )
    if len(rows) > 1:
        raise tokens.InvalidToken(
            "This identity matches persons of several schools: the token must name the school.",
            key="identity_several_schools",
        )
    person, organisation = rows[0]
    return Principal(
        role=Role.MEMBER,
        subject=f"oidc:{claims.subject}",
        organisation_id=organisation.id,
        organisation_code=organisation.code,
        person_id=person.id,
        auth_method="oidc",
    )
