"""The table of sealed receipts: the PDF/A receipt of each acknowledgement, sealed (PAdES) by the
sealing job (govkit.acknowledgements.sealing), one row per acknowledgement.

No row yet: the receipt is being sealed. ``status`` says what the last attempt gave: ``sealed`` (a
PAdES seal, with a time-stamp when a TSA is configured), ``unsealed`` (no sealing identity in prod:
the PDF is stored as it is, and sealed later once one is configured) or ``failed`` (``error`` says
why; retried up to ``MAX_ATTEMPTS`` times). The PDF's bytes are kept in the row with their SHA-256,
not in the immutable ``blob`` table: they hold the person's name, and erasing the personal data of
an acknowledgement deletes its row (``sealing.forget``); the next sealing run makes the receipt
again from what remains.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal

SEAL_STATUSES = ("sealed", "unsealed", "failed")


class SealedReceipt(SQLModel, table=True):
    """The PDF receipt of one acknowledgement (see the module's documentation)."""

    __tablename__ = "sealed_receipt"
    __table_args__ = (sa.CheckConstraint("status IN ('sealed', 'unsealed', 'failed')", name="status"),)

    acknowledgement_id: int = Field(
        primary_key=True, foreign_key="acknowledgement.id", sa_column_kwargs=not_personal("a acknowledgement row")
    )
    status: str = Field(max_length=10, sa_column_kwargs=not_personal("sealed, unsealed or failed"))
    sha256: str | None = Field(default=None, max_length=64, sa_column_kwargs=not_personal("the digest of the PDF"))
    pdf: bytes | None = Field(default=None, sa_type=sa.LargeBinary, sa_column_kwargs=personal(Category.ACKNOWLEDGEMENT))
    size: int | None = Field(default=None, sa_column_kwargs=not_personal("the PDF's size"))
    #: The seal's signer (its certificate's subject), and the signing time it states (govkit's clock).
    signer: str | None = Field(
        default=None,
        max_length=400,
        sa_column_kwargs=not_personal("the seal's certificate subject: govkit's seal, not a person"),
    )
    sealed_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("when the receipt was sealed")
    )
    #: The time-stamp token's time and authority (NULL without a TSA).
    timestamp_time: datetime | None = Field(
        default=None, sa_type=UTCDateTime, sa_column_kwargs=not_personal("the time-stamp's time")
    )
    tsa_name: str | None = Field(
        default=None, max_length=400, sa_column_kwargs=not_personal("the time-stamp authority's name")
    )
    #: The chain's length when the receipt was made (stated in it).
    chain_count: int | None = Field(
        default=None, sa_column_kwargs=not_personal("the chain's length stated in the receipt")
    )
    attempts: int = Field(default=0, sa_column_kwargs=not_personal("how many sealing attempts"))
    error: str | None = Field(
        default=None, sa_type=sa.Text, sa_column_kwargs=not_personal("why sealing failed (technical, names no one)")
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
