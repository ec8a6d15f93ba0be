"""Which reviewed data sets were loaded, so that loading is idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import not_personal


class DatasetLoad(SQLModel, table=True):
    __tablename__ = "dataset_load"

    name: str = Field(primary_key=True, max_length=100, sa_column_kwargs=not_personal("the demo dataset's name"))
    sha256: str = Field(max_length=64, sa_column_kwargs=not_personal("a demo dataset loaded: its name and digest"))
    loaded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
