"""Tables of persons and their populations (who must acknowledge what)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow


class Person(SQLModel, table=True):
    """A student or staff member of a school; departures are a status, never a deletion."""

    __tablename__ = "person"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "external_id"),
        sa.CheckConstraint("status IN ('active', 'departed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    external_id: str = Field(max_length=100)
    given_name: str = Field(max_length=200)
    family_name: str = Field(max_length=200)
    email: str = Field(max_length=320, index=True)
    status: str = Field(default="active", max_length=10)
    entry_date: date | None = None
    departure_date: date | None = None
    residence_code: str | None = Field(default=None, max_length=64)
    preferred_language: str = Field(default="fr", max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PersonPopulation(SQLModel, table=True):
    """A population a person belongs to (student, staff, resident…); a person may have several."""

    __tablename__ = "person_population"
    __table_args__ = (
        sa.CheckConstraint(
            "population IN ('student', 'apprentice', 'doctoral_student', 'staff', "
            "'adjunct', 'contractor', 'resident')",
            name="population",
        ),
        sa.Index("ix_person_population_population", "population", "person_id"),
    )

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    population: str = Field(max_length=20, primary_key=True)
