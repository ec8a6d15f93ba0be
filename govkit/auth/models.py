"""Tables of identities and the roles granted to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.privacy.declarations import not_personal


class Identity(SQLModel, table=True):
    """Someone or something that authenticates: a person, a staff account, an intranet."""

    __tablename__ = "identity"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=200, unique=True)
    display_name: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoleGrant(SQLModel, table=True):
    """A role held by an identity, scoped to an organisation or a person where the role needs it."""

    __tablename__ = "role_grant"
    __table_args__ = (
        sa.CheckConstraint("role IN ('legal', 'school_admin', 'member', 'intranet', 'auditor')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_id: int = Field(foreign_key="identity.id", index=True)
    role: str = Field(max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # named scopes beyond the role, space-separated (``persons:read``: an intranet sees persons' names)
    scopes: str = Field(
        default="",
        max_length=200,
        sa_column_kwargs={
            "server_default": "",
            **not_personal("the token's named scopes (rights, not a person's data)"),
        },
    )


class SignInLink(SQLModel, table=True):
    """A one-click sign-in link sent to a person in an e-mail (govkit.auth.sign_in_links): single
    use, expiring; only the SHA-256 of its token is kept. Where it leads follows from its campaign
    (the campaign's document). ``used_from`` is the client's address, erased with the other client
    data after the retention period."""

    __tablename__ = "sign_in_link"
    __table_args__ = (sa.Index("ix_sign_in_link_person_campaign", "person_id", "campaign_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    token_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_from: str | None = Field(default=None, max_length=64)
