"""One-click sign-in links sent to persons in e-mails: random, single use, expiring.

A link's token is 256 random bits in the URL; the database keeps only its SHA-256 (the token is
random, so a keyless digest cannot be guessed back, and rotating the secret key does not void
the links already sent). Each e-mail gets a link of its own: issuing a new one keeps the older
links of the person valid until they expire or are used (a reminder does not void the first
notice's link; any one of them signs in once).

Opening the link (GET, ``opened``) changes nothing: mail scanners follow links. The page's POST
uses it up (``use``): once, even when two requests race (a conditional UPDATE … WHERE used_at IS
NULL), refused once expired or when the person left. It signs the person in as a member with a
short-lived govkit token (a role grant of the person's identity, created with the identity when
the person has none yet) and lands on the campaign's document while it awaits the person's
acknowledgement, else on the member page. The client address it was used from is erased with the
other client data after the retention period (``erase_client_data``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.audit import AuditEvent
from govkit.acknowledgements.models import Acknowledgement, Campaign, Person
from govkit.auth import tokens
from govkit.auth.models import Identity, RoleGrant, SignInLink
from govkit.auth.ratelimit import RateLimiter
from govkit.days import utc_day
from govkit.db import Database, stored_id, table_of, utcnow
from govkit.documents.models import DocumentVersion
from govkit.errors import GovkitError
from govkit.organisations.models import Organisation
from govkit.settings import Settings

__all__ = [
    "Limits",
    "LinkRefused",
    "Opened",
    "SignedIn",
    "erase_client_data",
    "is_well_formed",
    "issue",
    "issue_many",
    "links_of_person",
    "opened",
    "token_digest",
    "use",
]

#: Where a link points, under the public URL.
PATH = "/ui/signin/link/"
#: How long the session a link opens lasts.
SESSION = timedelta(hours=12)
#: What ``secrets.token_urlsafe(32)`` makes: anything else is no link of ours (looked up never).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
#: POSTs one link may receive in a minute (the client address has its own limit, a setting).
LINK_RATE_PER_MINUTE = 5

Reason = Literal["unknown", "used", "expired", "departed"]


class LinkRefused(GovkitError):
    """The link cannot sign anyone in: ``reason`` says why (unknown, used, expired, departed), in
    ``language`` (the person's, when the link is known)."""

    code = "LINK_REFUSED"

    def __init__(self, reason: Reason, language: str | None = None) -> None:
        super().__init__(f"This sign-in link cannot be used ({reason}).")
        self.reason: Reason = reason
        self.language = language


@dataclass(frozen=True)
class Opened:
    """A link that can still sign in, as its page shows it (nothing personal but the language)."""

    language: str


@dataclass(frozen=True)
class SignedIn:
    """A link used up: the session's token, how long it lasts, where to go, in which language."""

    token: str
    max_age: int
    landing: str
    language: str
    person_id: int


@dataclass
class Limits:
    """The rate limits of the link's POST, per client address and per link (in the process)."""

    by_client: RateLimiter
    by_link: RateLimiter

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(RateLimiter(settings.sign_in_link_rate_per_minute), RateLimiter(LINK_RATE_PER_MINUTE))

    def take(self, *, client: str | None, token: str) -> float:
        """0 when this POST may go on; otherwise the seconds to wait."""
        wait = self.by_client.take(f"client:{client or '-'}")
        if wait:
            return wait
        return self.by_link.take(f"link:{token_digest(token)}")


def is_well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of a link's token (anything else is never looked up)."""
    return _TOKEN.fullmatch(token) is not None


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a link's token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(
    session: Session, *, person_id: int, campaign_id: int | None, settings: Settings, now: datetime | None = None
) -> str:
    """A new link signing ``person_id`` in (landing on ``campaign_id``'s document when given), in
    ``session``'s transaction; the absolute URL to put in the e-mail."""
    token = secrets.token_urlsafe(32)
    moment = now or utcnow()
    session.add(
        SignInLink(
            person_id=person_id,
            campaign_id=campaign_id,
            token_sha256=token_digest(token),
            created_at=moment,
            expires_at=moment + timedelta(days=settings.sign_in_link_days),
        )
    )
    session.flush()
    return f"{settings.public_url.rstrip('/')}{PATH}{token}"


def issue_many(
    session: Session,
    *,
    links: Sequence[tuple[int, int | None]],
    settings: Settings,
    now: datetime | None = None,
) -> list[str]:
    """``issue`` for many (person id, campaign id) pairs at once: the links inserted by ONE
    statement (executemany) in ``session``'s transaction; their URLs, in the order given."""
    if not links:
        return []
    moment = now or utcnow()
    expires = moment + timedelta(days=settings.sign_in_link_days)
    tokens = [secrets.token_urlsafe(32) for _ in links]
    rows = [
        {
            "person_id": person_id,
            "campaign_id": campaign_id,
            "token_sha256": token_digest(token),
            "created_at": moment,
            "expires_at": expires,
        }
        for (person_id, campaign_id), token in zip(links, tokens, strict=True)
    ]
    session.execute(sa.insert(table_of(SignInLink)), rows)
    prefix = f"{settings.public_url.rstrip('/')}{PATH}"
    return [prefix + token for token in tokens]


def opened(*, db: Database, token: str, now: datetime | None = None) -> Opened:
    """The link of ``token`` as its page shows it (GET: nothing changes); LinkRefused when it
    cannot sign in."""
    with db.reading() as session:
        link, person = _found(session, token)
    _check(link, person, now or utcnow())
    return Opened(language=person.preferred_language)


def use(
    *,
    db: Database,
    settings: Settings,
    token: str,
    client_ip: str | None = None,
    correlation_id: str = "-",
    now: datetime | None = None,
) -> SignedIn:
    """Use up the link of ``token`` and sign its person in (POST); LinkRefused when it cannot
    (then nothing is written but the audit event of a refused known link)."""
    moment = now or utcnow()
    try:
        with db.transaction() as session:
            link, person = _found(session, token)
            _check(link, person, moment)
            claimed = session.connection().execute(
                sa.update(SignInLink)
                .where(
                    col(SignInLink.id) == link.id,
                    col(SignInLink.used_at).is_(None),
                    col(SignInLink.expires_at) > moment,
                )
                .values(used_at=moment, used_from=client_ip[:64] if client_ip else None)
            )
            if claimed.rowcount != 1:  # another request used it since it was read
                raise LinkRefused("used", person.preferred_language)
            signed_in = _sign_in(session, settings, link, person, moment, correlation_id)
    except LinkRefused as refusal:
        if refusal.reason != "unknown":
            _audit_refusal(db, token, refusal, correlation_id)
        raise
    return signed_in


def erase_client_data(*, db: Database, older_than_days: int) -> int:
    """Erase the client addresses links were used from, past the retention period (as
    govkit.acknowledgements.privacy does for acknowledgements); how many links had one."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    with db.transaction() as session:
        result = session.connection().execute(
            sa.update(SignInLink)
            .where(col(SignInLink.used_at) < cutoff, col(SignInLink.used_from).is_not(None))
            .values(used_from=None)
        )
        return result.rowcount or 0


def links_of_person(*, db: Database, person_id: int) -> list[dict[str, Any]]:
    """The sign-in links sent to a person, as JSON-ready data (right of access:
    govkit.flows.data_protection); their tokens are not known, their digests are left out."""
    with db.reading() as session:
        found = session.exec(
            select(SignInLink).where(SignInLink.person_id == person_id).order_by(col(SignInLink.id))
        ).all()
    return [link.model_dump(mode="json", exclude={"token_sha256", "person_id"}) for link in found]


def _found(session: Session, token: str) -> tuple[SignInLink, Person]:
    if not is_well_formed(token):
        raise LinkRefused("unknown")
    row = session.exec(
        select(SignInLink, Person)
        .join(Person, col(Person.id) == SignInLink.person_id)
        .where(SignInLink.token_sha256 == token_digest(token))
    ).first()
    if row is None:
        raise LinkRefused("unknown")
    return row


def _check(link: SignInLink, person: Person, now: datetime) -> None:
    language = person.preferred_language
    if person.status != "active":
        raise LinkRefused("departed", language)
    if link.used_at is not None:
        raise LinkRefused("used", language)
    if link.expires_at <= now:
        raise LinkRefused("expired", language)


def _sign_in(
    session: Session, settings: Settings, link: SignInLink, person: Person, now: datetime, correlation_id: str
) -> SignedIn:
    """A member's role grant and token for ``person`` (and their identity, when they have none),
    the audit event, and where to land."""
    identity = session.exec(
        select(Identity).where(Identity.person_id == person.id).order_by(col(Identity.id)).limit(1)
    ).first()
    if identity is None:
        identity = Identity(
            subject=f"govkit:{uuid.uuid4()}",
            display_name=f"{person.given_name} {person.family_name}",
            person_id=person.id,
        )
        session.add(identity)
        session.flush()
    grant = RoleGrant(
        identity_id=stored_id(identity),
        role="member",
        organisation_id=person.organisation_id,
        person_id=person.id,
        created_by="sign-in link",
        created_at=now,
        expires_at=now + SESSION,
    )
    session.add(grant)
    session.flush()
    organisation = session.get(Organisation, person.organisation_id)
    session.add(
        AuditEvent(
            correlation_id=correlation_id,
            subject=identity.subject,
            role="member",
            organisation=organisation.code if organisation else None,
            action="signin.link",
            target={"person": person.id, "campaign": link.campaign_id, "link": link.id},
            outcome="ok",
        )
    )
    token = tokens.issue(
        key=settings.signing_key(),
        issuer=settings.token_issuer,
        subject=identity.subject,
        grant_id=stored_id(grant),
        role="member",
        ttl=SESSION,
    )
    return SignedIn(
        token=token,
        max_age=int(SESSION.total_seconds()),
        landing=_landing(session, link, stored_id(person), utc_day(now)),
        language=person.preferred_language,
        person_id=stored_id(person),
    )


def _landing(session: Session, link: SignInLink, person_id: int, today: date) -> str:
    """The campaign's document while it is in force and awaits the person's acknowledgement, else
    the member page."""
    campaign = session.get(Campaign, link.campaign_id) if link.campaign_id is not None else None
    version = session.get(DocumentVersion, campaign.document_version_id) if campaign is not None else None
    if campaign is None or version is None or campaign.closed_at is not None:
        return "/ui/me"
    in_force = session.exec(
        select(DocumentVersion.id)
        .where(
            DocumentVersion.organisation_id == version.organisation_id,
            DocumentVersion.kind == version.kind,
            DocumentVersion.language == version.language,
            DocumentVersion.effective_from <= today,
        )
        .order_by(col(DocumentVersion.number).desc())
        .limit(1)
    ).first()
    acknowledged = session.exec(
        select(Acknowledgement.id).where(
            Acknowledgement.person_id == person_id, Acknowledgement.document_version_id == version.id
        )
    ).first()
    if in_force != version.id or acknowledged is not None:
        return "/ui/me"
    return f"/ui/me/documents/{version.id}"


def _audit_refusal(db: Database, token: str, refusal: LinkRefused, correlation_id: str) -> None:
    """The audit event of a known link refused (its own transaction: the refusal wrote nothing else)."""
    with db.transaction() as session:
        link = session.exec(select(SignInLink).where(SignInLink.token_sha256 == token_digest(token))).first()
        if link is None:
            return
        session.add(
            AuditEvent(
                correlation_id=correlation_id,
                subject=f"person:{link.person_id}",
                action="signin.link",
                target={"person": link.person_id, "campaign": link.campaign_id, "link": link.id},
                outcome="refused",
                detail=refusal.reason,
            )
        )
