"""Tables of persons, campaigns, acknowledgements (hash-chained) and webhook deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal


class Person(SQLModel, table=True):
    """A student or staff member of a school; departures are a status, never a deletion."""

    __tablename__ = "person"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "external_id"),
        sa.CheckConstraint("status IN ('active', 'departed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id",
        index=True,
        sa_column_kwargs=not_personal("the person's school (names the school, not the person)"),
    )
    external_id: str = Field(max_length=100, sa_column_kwargs=personal(Category.IDENTITY))
    given_name: str = Field(max_length=200, sa_column_kwargs=personal(Category.IDENTITY))
    family_name: str = Field(max_length=200, sa_column_kwargs=personal(Category.IDENTITY))
    email: str = Field(max_length=320, index=True, sa_column_kwargs=personal(Category.CONTACT))
    status: str = Field(default="active", max_length=10, sa_column_kwargs=personal(Category.MEMBERSHIP))
    entry_date: date | None = Field(default=None, sa_column_kwargs=personal(Category.MEMBERSHIP))
    departure_date: date | None = Field(default=None, sa_column_kwargs=personal(Category.MEMBERSHIP))
    departure_recorded_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.MEMBERSHIP)
    )
    residence_code: str | None = Field(default=None, max_length=64, sa_column_kwargs=personal(Category.MEMBERSHIP))
    preferred_language: str = Field(default="fr", max_length=2, sa_column_kwargs=personal(Category.CONTACT))
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    #: When the person's personal data were erased, and under which rule (govkit.flows.retention):
    #: names, e-mail and residence emptied, the external id replaced by ``erased-<id>``.
    erased_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("the date of an erasure")
    )
    erased_under: str | None = Field(
        default=None, max_length=40, sa_column_kwargs=not_personal("the retention rule an erasure applied")
    )


class PersonPopulation(SQLModel, table=True):
    """A period during which a person belongs to a population (student, staff, resident…); a person
    may have several, and several periods of one population.

    Valid time: from ``valid_from`` (NULL: since the person's entry) to ``valid_to`` (exclusive;
    NULL: still open; at most one open period per person and population). Recorded time: the period
    was recorded at ``recorded_at`` and closed (``valid_to`` set) at ``ended_recorded_at``. Imports
    never delete a period: they close it.
    """

    __tablename__ = "person_population"
    __table_args__ = (
        sa.CheckConstraint(
            "population IN ('student', 'apprentice', 'doctoral_student', 'staff', 'adjunct', 'contractor', 'resident', "
            "'intern', 'housing_staff', 'catering_staff')",
            name="population",
        ),
        sa.CheckConstraint("(valid_to IS NULL) = (ended_recorded_at IS NULL)", name="ended"),
        sa.CheckConstraint("valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="period"),
        # who holds a population on a day: an index-only scan (valid time is in the index)
        sa.Index("ix_person_population_population", "population", "person_id", "valid_from", "valid_to"),
        sa.Index(
            "uq_person_population_open",
            "person_id",
            "population",
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    person_id: int = Field(
        foreign_key="person.id",
        index=True,
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    population: str = Field(max_length=20, sa_column_kwargs=personal(Category.MEMBERSHIP))
    valid_from: date | None = Field(default=None, sa_column_kwargs=personal(Category.MEMBERSHIP))
    valid_to: date | None = Field(default=None, sa_column_kwargs=personal(Category.MEMBERSHIP))
    recorded_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"server_default": sa.text("CURRENT_TIMESTAMP"), **not_personal("a time of the row")},
    )
    ended_recorded_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )


class Campaign(SQLModel, table=True):
    """A campaign of acknowledgement for one published document version (French, in force)."""

    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    document_version_id: int = Field(foreign_key="document_version.id", unique=True)
    kind: str = Field(max_length=60)
    change_kind: str = Field(max_length=12)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deadline: date
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    continues_campaign_id: int | None = Field(default=None, foreign_key="campaign.id")


class CampaignPopulation(SQLModel, table=True):
    """The populations a campaign concerns (from the document kind)."""

    __tablename__ = "campaign_population"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    population: str = Field(max_length=20, primary_key=True)


#: How a document version reaches a person: opened on their page, downloaded while signed in (PDF or
#: .docx), or displayed by an intranet that says so (``acknowledge(displayedBy:, displayedAt:)``).
CHANNELS = ("page", "pdf", "docx", "intranet")
CHANNELS_SQL = ", ".join(f"'{c}'" for c in CHANNELS)


class Acknowledgement(SQLModel, table=True):
    """One person's acknowledgement of one document version: append-only, hash-chained.

    ``record_hash`` (govkit.acknowledgements.chain) covers the record's non-personal fields as they
    are, and its personal data only through digests salted with the record's own random secret
    ``personal_salt``: ``wording_sha256`` (the wording, which names the person), ``recorded_sha256``
    (who recorded it and why) and ``client_sha256`` (the client's IP address and user agent). The
    only change a record ever takes is the erasure of personal data, to NULL: the IP address and user
    agent after the retention period (privacy.erase_client_data), or the salt and every personal
    field at once (privacy.erase_personal_data). Either way the chain still verifies, and once the
    salt is gone nobody can test a guess of the erased data against the digests.
    """

    __tablename__ = "acknowledgement"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "document_version_id"),
        sa.CheckConstraint("method IN ('electronic', 'paper', 'carried_forward')", name="method"),
        sa.CheckConstraint(f"shown_via IS NULL OR shown_via IN ({CHANNELS_SQL})", name="shown_via"),
        sa.CheckConstraint("(shown_at IS NULL) = (shown_via IS NULL)", name="shown"),
        sa.Index("ix_acknowledgement_version_person", "document_version_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    person_id: int = Field(
        foreign_key="person.id",
        index=True,
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    organisation_id: int = Field(
        foreign_key="organisation.id", sa_column_kwargs=not_personal("the school the row belongs to")
    )
    document_version_id: int = Field(
        foreign_key="document_version.id", sa_column_kwargs=not_personal("a document_version row")
    )
    campaign_id: int | None = Field(
        default=None, foreign_key="campaign.id", sa_column_kwargs=not_personal("a campaign row")
    )
    method: str = Field(
        max_length=16,
        sa_column_kwargs=not_personal("evidence in the hash-chained record; names no one once the identity is erased"),
    )
    document_sha256: str = Field(
        max_length=64, sa_column_kwargs=not_personal("the digest of the document acknowledged")
    )
    wording: str | None = Field(
        default=None, sa_type=sa.Text, sa_column_kwargs=personal(Category.ACKNOWLEDGEMENT)
    )  # None once erased
    wording_sha256: str = Field(
        max_length=64,
        sa_column_kwargs=not_personal("digest salted with the record's secret (useless once it is erased)"),
    )
    acknowledged_at: datetime = Field(
        sa_type=UTCDateTime,
        sa_column_kwargs=not_personal("evidence in the hash-chained record; names no one once the identity is erased"),
    )
    auth_method: str = Field(
        max_length=40,
        sa_column_kwargs=not_personal("evidence in the hash-chained record; names no one once the identity is erased"),
    )
    recorded_by: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR)
    )  # None once erased
    reason: str | None = Field(default=None, sa_type=sa.Text, sa_column_kwargs=personal(Category.ACKNOWLEDGEMENT))
    carried_from_id: int | None = Field(
        default=None, foreign_key="acknowledgement.id", sa_column_kwargs=not_personal("a acknowledgement row")
    )
    client_ip: str | None = Field(default=None, max_length=64, sa_column_kwargs=personal(Category.CLIENT))
    user_agent: str | None = Field(default=None, max_length=512, sa_column_kwargs=personal(Category.CLIENT))
    client_sha256: str = Field(
        max_length=64,
        sa_column_kwargs=not_personal("digest salted with the record's secret (useless once it is erased)"),
    )
    recorded_sha256: str = Field(
        max_length=64,
        sa_column_kwargs=not_personal("digest salted with the record's secret (useless once it is erased)"),
    )
    personal_salt: str | None = Field(
        default=None,
        max_length=64,
        sa_column_kwargs=not_personal("the record's random secret, erased with its personal data"),
    )  # None once erased
    #: When and how the version was delivered to the person before they accepted it (the delivery of
    #: ``DocumentDelivery`` the record relied on); None for paper visas, carried-forward records and
    #: records made before govkit recorded deliveries (revision 0015).
    shown_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        sa_column_kwargs=not_personal("evidence in the hash-chained record; names no one once the identity is erased"),
    )
    shown_via: str | None = Field(
        default=None,
        max_length=10,
        sa_column_kwargs=not_personal("evidence in the hash-chained record; names no one once the identity is erased"),
    )
    verification_code: str = Field(
        max_length=32,
        unique=True,
        sa_column_kwargs=not_personal("the random code printed on the receipt to verify it; names no one"),
    )
    previous_hash: str = Field(max_length=64, sa_column_kwargs=not_personal("the chain's hash of the previous record"))
    record_hash: str = Field(
        max_length=64, unique=True, sa_column_kwargs=not_personal("the chain's hash of the record")
    )

    @property
    def personal_data_erased(self) -> bool:
        """Whether the record's personal data were erased (privacy.erase_personal_data)."""
        return self.personal_salt is None


class DocumentDelivery(SQLModel, table=True):
    """A document version delivered to a person (proof of display): an electronic acknowledgement
    relies on one (its ``shown_at`` and ``shown_via``). Append-only; one row per person, version and
    channel, the first time kept (later ones are not written: ``insert … on conflict do nothing``).
    ``displayed_by`` names the intranet that displayed it (as the caller says), for that channel only."""

    __tablename__ = "document_delivery"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "document_version_id", "channel"),
        sa.CheckConstraint(f"channel IN ({CHANNELS_SQL})", name="channel"),
        sa.CheckConstraint("(channel = 'intranet') = (displayed_by IS NOT NULL)", name="displayed_by"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    person_id: int = Field(
        foreign_key="person.id",
        sa_column_kwargs=not_personal("the person's internal id; names no one once the identity is erased"),
    )
    document_version_id: int = Field(
        foreign_key="document_version.id", sa_column_kwargs=not_personal("a document_version row")
    )
    sha256: str = Field(max_length=64, sa_column_kwargs=not_personal("the digest of the document delivered"))
    channel: str = Field(max_length=10, sa_column_kwargs=personal(Category.NOTICE))
    displayed_by: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    delivered_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=personal(Category.NOTICE)
    )


class ChainHead(SQLModel, table=True):
    """The end of the acknowledgement chain; its row lock serialises appends."""

    __tablename__ = "chain_head"

    id: int = Field(primary_key=True)
    last_id: int | None = None
    last_hash: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """An event to send to an intranet or e-mail gateway, and what happened: each is sent by a job
    of its own (``webhooks.deliver``), which schedules its retries (``next_attempt_at`` is unused)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        sa.Index("ix_webhook_delivery_status", "status", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_campaign_event", "campaign_id", "event"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    event: str = Field(
        max_length=40,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    campaign_id: int | None = Field(
        default=None, foreign_key="campaign.id", sa_column_kwargs=not_personal("a campaign row")
    )
    url: str = Field(
        max_length=500,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    payload: dict[str, Any] = Field(
        sa_type=JSONType,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    status: str = Field(
        default="pending",
        max_length=10,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    attempts: int = Field(
        default=0,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    last_status_code: int | None = Field(
        default=None,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    last_error: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    log: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSONType,
        sa_column_kwargs=not_personal(
            "an event sent to an intranet or an e-mail gateway: campaign ids and counts, never a person's data"
        ),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    delivered_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
