"""The table of renditions: a stored document's PDF/A and HTML, cached by the document's SHA-256.

A rendition's bytes are a ``Blob`` like every stored file (by their own SHA-256, in the database);
its row says which document (``source_sha256``) and format it renders, which converter made it
(LibreOffice or mammoth, and its version), when, and for a PDF what the PDF/A check read in it
(govkit.documents.pdfa). Only a PDF that passed the check is stored. A row is never updated: the
same document, converted again, would give the same rendition (re-converting is skipped).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import JSONType, UTCDateTime, utcnow


class RenditionFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"


class DocumentRendition(SQLModel, table=True):
    """The PDF/A or HTML rendition of one stored .docx (see the module's documentation)."""

    __tablename__ = "document_rendition"
    __table_args__ = (sa.CheckConstraint("format IN ('pdf', 'html')", name="format"),)

    source_sha256: str = Field(primary_key=True, foreign_key="blob.sha256", max_length=64)
    format: str = Field(primary_key=True, max_length=8)
    #: The rendition's own bytes: a Blob (application/pdf or text/html).
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    converter: str = Field(max_length=40)  # "LibreOffice" or "mammoth"
    converter_version: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # What the PDF/A check read in a PDF (NULL for HTML).
    pdfa_part: int | None = None
    pdfa_conformance: str | None = Field(default=None, max_length=2)
    output_intent: bool | None = None
    fonts_embedded: bool | None = None
    #: The fonts the PDF embeds (base names, without the subset prefix).
    fonts: list[str] | None = Field(default=None, sa_type=JSONType)
