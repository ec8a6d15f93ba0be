"""An evidence file as plain JSON data (pure): what `govkit evidence --format json` prints, what the
web route serves as .json, and what the document's layout is drawn from."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from govkit.evidence.facts import (
    AcknowledgementFacts,
    ChainLink,
    EvidenceFile,
    KindEvidence,
    VersionFacts,
)

#: The version of the JSON shape (a field may be added; none is removed or changes meaning).
FORMAT = "govkit.evidence/1"


def document_path(school: str, external_id: str, day: str) -> str:
    """The path of an evidence file's .docx download (the person's external id URL-encoded)."""
    return f"/evidence/{quote(school, safe='')}/{quote(external_id, safe='')}/{day}.docx"


def to_json(file: EvidenceFile, public_url: str) -> dict[str, Any]:
    """The evidence file as JSON-ready data; URLs start with ``public_url`` (relative when empty)."""
    base = public_url.rstrip("/")
    person = file.person
    return {
        "format": FORMAT,
        "school": {"code": file.school_code, "name": file.school_name},
        "person": {
            "external_id": person.external_id,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "name": person.name,
            "populations": list(person.populations),
            "status": person.status,
            "entry_date": _day(person.entry_date),
            "departure_date": _day(person.departure_date),
            "preferred_language": person.preferred_language,
            "present": person.present,
            "personal_data_erasure": person.erasure,
        },
        "date": file.day.isoformat(),
        "exported_at": file.exported_at.isoformat(),
        "exported_by": file.exported_by,
        "chain_head": {"id": file.chain_head.id, "hash": file.chain_head.hash, "records": file.chain_head.records},
        "kinds": [_kind(k, base) for k in file.kinds],
        "document_url": base + document_path(file.school_code, person.external_id, file.day.isoformat()),
    }


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _kind(kind: KindEvidence, base: str) -> dict[str, Any]:
    return {
        "kind": kind.kind,
        "title": {"fr": kind.title_fr, "en": kind.title_en},
        "populations": list(kind.populations),
        "standing": kind.standing.value,
        "statement": {"fr": kind.statement_fr, "en": kind.statement_en},
        "version": _version(kind.version, base),
        "translation": _version(kind.translation, base),
        "acknowledgement": _acknowledgement(kind.acknowledgement, base),
        "original": _acknowledgement(kind.original, base),
        "earlier": _acknowledgement(kind.earlier, base),
    }


def _version(version: VersionFacts | None, base: str) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "id": version.id,
        "language": version.language,
        "number": version.number,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": _day(version.effective_to),
        "change_kind": version.change_kind,
        "changelog": version.changelog,
        "sha256": version.sha256,
        "published_at": version.published_at.isoformat(),
        "published_by": version.published_by,
        "download_url": f"{base}/documents/{version.sha256}",
    }


def _acknowledgement(record: AcknowledgementFacts | None, base: str) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "id": record.id,
        "version": record.version,
        "language": record.language,
        "document_sha256": record.document_sha256,
        "method": record.method,
        "acknowledged_at": record.acknowledged_at.isoformat(),
        "shown_at": record.shown_at.isoformat() if record.shown_at else None,
        "shown_via": record.shown_via,
        "authentication": record.authentication,
        "recorded_by": record.recorded_by,
        "reason": record.reason,
        "wording": record.wording,
        "personal_data_erased": record.personal_data_erased,
        "verification_code": record.verification_code,
        "verification_url": f"{base}/verify/{record.verification_code}?sha256={record.document_sha256}",
        "carried_from_id": record.carried_from_id,
        "chain": _link(record.chain),
    }


def _link(link: ChainLink) -> dict[str, Any]:
    return {
        "position": link.position,
        "record_hash": link.record_hash,
        "previous_hash": link.previous_hash,
        "hashed_body": link.hashed_body,
        "verified": link.verified,
    }
