"""Tables of identities and the roles granted to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal


class Identity(SQLModel, table=True):
    """Someone or something that authenticates: a person, a staff account, an intranet."""

    __tablename__ = "identity"

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    subject: str = Field(max_length=200, unique=True, sa_column_kwargs=personal(Category.SIGN_IN))
    display_name: str = Field(max_length=200, sa_column_kwargs=personal(Category.SIGN_IN))
    person_id: int | None = Field(
        default=None,
        foreign_key="person.id",
        index=True,
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )


class RoleGrant(SQLModel, table=True):
    """A role held by an identity, scoped to an organisation or a person where the role needs it."""

    __tablename__ = "role_grant"
    __table_args__ = (
        sa.CheckConstraint("role IN ('legal', 'school_admin', 'member', 'intranet', 'auditor')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    identity_id: int = Field(
        foreign_key="identity.id",
        index=True,
        sa_column_kwargs=not_personal("an identity's internal identifier (the name is in identity)"),
    )
    role: str = Field(
        max_length=20,
        sa_column_kwargs=not_personal(
            "the role granted (legal, school_admin, member, intranet, auditor); the identity is named in identity"
        ),
    )
    organisation_id: int | None = Field(
        default=None,
        foreign_key="organisation.id",
        index=True,
        sa_column_kwargs=not_personal("the school the row belongs to"),
    )
    person_id: int | None = Field(
        default=None,
        foreign_key="person.id",
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    created_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    expires_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("when the grant ends")
    )
    revoked_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("when the grant was revoked")
    )
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

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    person_id: int = Field(
        foreign_key="person.id",
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    campaign_id: int | None = Field(
        default=None, foreign_key="campaign.id", sa_column_kwargs=not_personal("a campaign row")
    )
    token_sha256: str = Field(
        max_length=64,
        unique=True,
        sa_column_kwargs=not_personal("the SHA-256 of a single-use token: the token itself is never stored"),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    expires_at: datetime = Field(sa_type=UTCDateTime, sa_column_kwargs=not_personal("when the link expires"))
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.SIGN_IN))
    used_from: str | None = Field(default=None, max_length=64, sa_column_kwargs=personal(Category.CLIENT))
