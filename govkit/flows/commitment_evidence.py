"""Evidence files of commitment records (a signed equality charter, a convention with a provider):
checked (a PDF by its magic number, not empty, within GOVKIT_COMMITMENT_EVIDENCE_MAX_BYTES), stored
once by SHA-256 in the documents' ``blob`` store, linked to one record (``commitment_evidence``), and
downloaded by their SHA-256 by those who may read the school's records.

Where organisations (the records, who may write them) meet documents (the file store). A record
and its file are written in one transaction: a refused file records nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, row_id
from govkit.db import Database, stored_id
from govkit.documents.models import Blob
from govkit.documents.root_templates import store_blob
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.commitment_records import CommitmentInput, add_commitment
from govkit.organisations.lookup import organisation_for
from govkit.organisations.models import Commitment, CommitmentEvidence

__all__ = ["EvidenceFile", "FileRefused", "attach", "checked", "download", "record"]

PDF = "application/pdf"
#: Where a PDF's end-of-file marker must be found (its last bytes; writers may add a few after it).
TAIL = 2048


class FileRefused(InvalidInput):
    """An evidence file refused for what it is (``http_status``: 400 empty, 413 too large, 415 not a PDF)."""

    def __init__(self, message: str, *, key: str, http_status: int, params: dict[str, object] | None = None) -> None:
        super().__init__(message, key=key, params=params)
        self.http_status = http_status


@dataclass(frozen=True)
class EvidenceFile:
    """A file as uploaded: its name (as the person's computer gave it) and its bytes."""

    filename: str
    data: bytes


def safe_name(filename: str) -> str:
    """The file's name as stored and given back: its last path part, printable, at most 120
    characters, ending in .pdf."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.() -]+", "_", name).strip(" ._") or "evidence"
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    return f"{stem[:116]}.pdf"


def checked(upload: EvidenceFile, max_bytes: int) -> EvidenceFile:
    """``upload`` once it is a PDF (magic number and end marker), not empty, within ``max_bytes``."""
    data = upload.data
    if not data:
        raise FileRefused("The file is empty.", key="evidence_empty", http_status=400)
    if len(data) > max_bytes:
        raise FileRefused(
            f"The file is {len(data)} bytes; the limit is {max_bytes} bytes.",
            key="evidence_too_large",
            http_status=413,
            params={"size": len(data), "most": max_bytes},
        )
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-TAIL:]:
        raise FileRefused(
            "An evidence file is a PDF (it starts with %PDF- and ends with %%EOF).",
            key="evidence_not_pdf",
            http_status=415,
        )
    return EvidenceFile(safe_name(upload.filename), data)


def _link(session: Session, commitment: Commitment, upload: EvidenceFile, actor: Principal) -> CommitmentEvidence:
    digest = store_blob(session, upload.data, PDF)
    commitment_id = stored_id(commitment)
    existing = session.exec(
        select(CommitmentEvidence).where(
            CommitmentEvidence.commitment_id == commitment_id, CommitmentEvidence.sha256 == digest
        )
    ).first()
    if existing is not None:  # the same file twice on one record: the first link stands
        return existing
    link = CommitmentEvidence(
        commitment_id=commitment_id,
        sha256=digest,
        filename=upload.filename,
        media_type=PDF,
        size=len(upload.data),
        recorded_by=actor.label,
    )
    session.add(link)
    session.flush()
    return link


def record(
    *, db: Database, actor: Principal, data: CommitmentInput, upload: EvidenceFile | None, max_bytes: int
) -> tuple[Commitment, CommitmentEvidence | None]:
    """Record a commitment (or a correction) with its evidence file, in one transaction."""
    authorize_some(actor, Action.RECORD_COMMITMENT)
    with db.transaction() as session:
        organisation_for(session, actor, Action.RECORD_COMMITMENT, data.organisation_code)
        file = checked(upload, max_bytes) if upload is not None else None
        commitment = add_commitment(session, actor, data)
        return commitment, (_link(session, commitment, file, actor) if file else None)


def attach(
    *, db: Database, actor: Principal, school: str, commitment_id: int | str, upload: EvidenceFile, max_bytes: int
) -> CommitmentEvidence:
    """Add an evidence file to a record of ``school`` (legal staff, or the school's administration)."""
    authorize_some(actor, Action.RECORD_COMMITMENT)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_COMMITMENT, school)
        number = row_id(commitment_id)
        commitment = None if number is None else session.get(Commitment, number)
        if commitment is None or commitment.organisation_id != organisation.id:
            raise NotFound(
                f"No commitment record {commitment_id} of {school}.",
                key="no_commitment_record",
                params={"id": commitment_id, "code": school},
            )
        return _link(session, commitment, checked(upload, max_bytes), actor)


@dataclass(frozen=True)
class Download:
    data: bytes
    media_type: str
    filename: str


def download(*, db: Database, actor: Principal, sha256: str) -> Download:
    """The evidence file ``sha256`` for a caller who may read the records of a school it evidences;
    the same NOT_FOUND whether it does not exist or may not be read."""
    authorize_some(actor, Action.READ_COMMITMENT_RECORDS)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidInput("A file is identified by the 64 hexadecimal characters of its SHA-256.", key="bad_sha256")
    with db.reading() as session:
        links = session.exec(
            select(CommitmentEvidence, Commitment)
            .join(Commitment, col(Commitment.id) == CommitmentEvidence.commitment_id)
            .where(CommitmentEvidence.sha256 == sha256)
            .order_by(col(CommitmentEvidence.id))
        ).all()
        allowed = [
            link
            for link, commitment in links
            if is_allowed(actor, Action.READ_COMMITMENT_RECORDS, organisation_id=commitment.organisation_id)
        ]
        blob = session.get(Blob, sha256) if allowed else None
    if blob is None:
        raise NotFound(f"No evidence file {sha256} that you may read.", key="no_evidence_file")
    return Download(blob.data, blob.media_type, allowed[0].filename)
