"""GraphQL types of the evidence file, built from its JSON data (govkit.evidence.export.to_json)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry


@strawberry.enum(description="Where the person stood on the date towards one regulation kind")
class EvidenceStanding(Enum):
    ACKNOWLEDGED = "acknowledged"
    ACKNOWLEDGED_AFTER = "acknowledged_after"
    NOT_ACKNOWLEDGED = "not_acknowledged"
    NO_VERSION = "no_version"


@strawberry.type(description="A version of a school's document with its period in force")
class EvidenceVersion:
    id: strawberry.ID
    language: str
    version: int
    effective_from: date
    effective_to: date | None = strawberry.field(description="Exclusive: the next version's effective date")
    change_kind: str
    changelog: str
    sha256: str
    published_at: datetime
    published_by: str
    download_url: str

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> EvidenceVersion | None:
        if data is None:
            return None
        return cls(
            id=strawberry.ID(str(data["id"])),
            language=data["language"],
            version=data["number"],
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_to=date.fromisoformat(data["effective_to"]) if data["effective_to"] else None,
            change_kind=data["change_kind"],
            changelog=data["changelog"],
            sha256=data["sha256"],
            published_at=datetime.fromisoformat(data["published_at"]),
            published_by=data["published_by"],
            download_url=data["download_url"],
        )


@strawberry.type(
    description="A record's place in the acknowledgement chain: recordHash = SHA-256 (hex) of previousHash, "
    "a line feed and hashedBody"
)
class EvidenceChainLink:
    position: int = strawberry.field(description="1 for the chain's first record")
    record_hash: str
    previous_hash: str
    hashed_body: str = strawberry.field(description="The canonical JSON the hash covers")
    verified: bool = strawberry.field(description="Recomputed at export, and linked to the record before it")


@strawberry.type(description="One acknowledgement record of the person, with its chain proof")
class EvidenceAcknowledgement:
    id: strawberry.ID
    version: int
    language: str
    document_sha256: str
    method: str = strawberry.field(description="electronic, paper or carried_forward")
    acknowledged_at: datetime = strawberry.field(description="Server time, UTC")
    shown_at: datetime | None = strawberry.field(
        description="When the version was delivered to the person before they accepted it (UTC)"
    )
    shown_via: str | None = strawberry.field(description="How: page, pdf, docx or intranet")
    authentication: str
    recorded_by: str
    reason: str | None
    wording: str = strawberry.field(description="The exact words accepted, as recorded")
    personal_data_erased: bool = strawberry.field(
        description="The record's personal data were erased (wording and recordedBy say so); its hash still verifies"
    )
    verification_code: str
    verification_url: str
    carried_from_id: strawberry.ID | None
    chain: EvidenceChainLink

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> EvidenceAcknowledgement | None:
        if data is None:
            return None
        link = data["chain"]
        return cls(
            id=strawberry.ID(str(data["id"])),
            version=data["version"],
            language=data["language"],
            document_sha256=data["document_sha256"],
            method=data["method"],
            acknowledged_at=datetime.fromisoformat(data["acknowledged_at"]),
            shown_at=datetime.fromisoformat(data["shown_at"]) if data.get("shown_at") else None,
            shown_via=data.get("shown_via"),
            authentication=data["authentication"],
            recorded_by=data["recorded_by"],
            reason=data["reason"],
            wording=data["wording"],
            personal_data_erased=data.get("personal_data_erased", False),
            verification_code=data["verification_code"],
            verification_url=data["verification_url"],
            carried_from_id=strawberry.ID(str(data["carried_from_id"])) if data["carried_from_id"] else None,
            chain=EvidenceChainLink(**link),
        )


@strawberry.type(description="One regulation kind that concerned the person on the date")
class EvidenceKind:
    kind: str
    title_fr: str
    title_en: str
    populations: list[str] = strawberry.field(description="The person's populations the kind applies to")
    standing: EvidenceStanding
    statement_fr: str
    statement_en: str
    version: EvidenceVersion | None = strawberry.field(description="The French version in force on the date")
    translation: EvidenceVersion | None = strawberry.field(
        description="The English version in force on the date, for a person whose language is English"
    )
    acknowledgement: EvidenceAcknowledgement | None = strawberry.field(
        description="The person's record of the version in force (possibly carried forward)"
    )
    original: EvidenceAcknowledgement | None = strawberry.field(
        description="For a record carried forward: the person's own electronic or paper record it stems from"
    )
    earlier: EvidenceAcknowledgement | None = strawberry.field(
        description="When the version in force was not acknowledged: the latest record of an earlier version"
    )

    @classmethod
    def of(cls, data: dict[str, Any]) -> EvidenceKind:
        return cls(
            kind=data["kind"],
            title_fr=data["title"]["fr"],
            title_en=data["title"]["en"],
            populations=data["populations"],
            standing=EvidenceStanding(data["standing"]),
            statement_fr=data["statement"]["fr"],
            statement_en=data["statement"]["en"],
            version=EvidenceVersion.of(data["version"]),
            translation=EvidenceVersion.of(data["translation"]),
            acknowledgement=EvidenceAcknowledgement.of(data["acknowledgement"]),
            original=EvidenceAcknowledgement.of(data["original"]),
            earlier=EvidenceAcknowledgement.of(data["earlier"]),
        )


@strawberry.type
class EvidencePerson:
    external_id: str
    given_name: str
    family_name: str
    populations: list[str] = strawberry.field(description="The populations the person belonged to on the date")
    status: str
    entry_date: date | None
    departure_date: date | None
    preferred_language: str
    present: bool = strawberry.field(description="At the school on the date: entered by then, not yet departed")
    personal_data_erasure: str | None = strawberry.field(
        default=None,
        description="Set once the person's personal data were erased: 'personal data erased on D under the "
        "retention rule', in French and English (the records still verify)",
    )


@strawberry.type(description="The end of the acknowledgement chain when the file was exported")
class EvidenceChainHead:
    id: strawberry.ID | None
    hash: str
    records: int


@strawberry.type(
    description="A person's evidence file on a date: for each regulation that concerned them, the version in "
    "force, their acknowledgement and its chain proof"
)
class EvidenceFile:
    school: str
    school_name: str
    person: EvidencePerson
    date: date
    exported_at: datetime
    exported_by: str
    chain_head: EvidenceChainHead
    kinds: list[EvidenceKind]
    document_url: str = strawberry.field(description="The file as a Word document a board can file (.docx)")

    @classmethod
    def of(cls, data: dict[str, Any]) -> EvidenceFile:
        person, head = data["person"], data["chain_head"]
        return cls(
            school=data["school"]["code"],
            school_name=data["school"]["name"],
            person=EvidencePerson(
                external_id=person["external_id"],
                given_name=person["given_name"],
                family_name=person["family_name"],
                populations=person["populations"],
                status=person["status"],
                entry_date=date.fromisoformat(person["entry_date"]) if person["entry_date"] else None,
                departure_date=date.fromisoformat(person["departure_date"]) if person["departure_date"] else None,
                preferred_language=person["preferred_language"],
                present=person["present"],
                personal_data_erasure=person.get("personal_data_erasure"),
            ),
            date=date.fromisoformat(data["date"]),
            exported_at=datetime.fromisoformat(data["exported_at"]),
            exported_by=data["exported_by"],
            chain_head=EvidenceChainHead(
                id=strawberry.ID(str(head["id"])) if head["id"] is not None else None,
                hash=head["hash"],
                records=head["records"],
            ),
            kinds=[EvidenceKind.of(k) for k in data["kinds"]],
            document_url=data["document_url"],
        )
