"""Which reviewed data sets were loaded, so that loading is idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow


class DatasetLoad(SQLModel, table=True):
    __tablename__ = "dataset_load"

    name: str = Field(primary_key=True, max_length=100)
    sha256: str = Field(max_length=64)
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
