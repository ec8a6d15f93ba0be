"""What the recorder is given (a ``Request``) and what it gives back (a ``Receipt`` or a refusal)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from govkit.access.roles import Principal
from govkit.acknowledgements.models import Acknowledgement, Person
from govkit.days import paris_day
from govkit.documents.kinds import catalogue
from govkit.documents.models import DocumentVersion
from govkit.errors import GovkitError
from govkit.labels import label
from govkit.organisations.models import Organisation
from govkit.privacy.exposure import Exposure


@dataclass(frozen=True)
class ClientInfo:
    """How the request reached us: recorded with an electronic acknowledgement."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Display:
    """An intranet's statement that it displayed the version to the person itself, at ``at`` (UTC):
    recorded as a delivery by ``by`` with the acknowledgement, in its transaction."""

    by: str
    at: datetime


@dataclass(frozen=True)
class AuditNote:
    """The audit event of the request, written in the acknowledgement's own transaction."""

    actor: Principal
    action: str
    correlation_id: str
    target: dict[str, Any]
    client_ip: str | None = None


#: What a receipt shows in place of personal data erased (privacy.erase_personal_data).
ERASED = "[données personnelles effacées / personal data erased]"

#: The rules under which a person's personal data are erased (``person.erased_under``; govkit.flows.retention).
ERASURE_RULES = {"retention.departed": ("la règle de conservation", "the retention rule")}


def erasure_statement(at: datetime, rule: str | None) -> str:
    """What a receipt, its verification and an evidence file say of a person erased ``at`` under ``rule``:
    the day is the one in Paris (govkit.days), as every page and PDF says it."""
    on = paris_day(at)
    french, english = ERASURE_RULES.get(rule or "", ("une demande d'effacement", "an erasure request"))
    return (
        f"données personnelles effacées le {on:%d/%m/%Y} en application de {french} / "
        f"personal data erased on {on.isoformat()} under {english}"
    )


@dataclass(frozen=True)
class Receipt:
    record: Acknowledgement
    person: Person
    organisation: Organisation
    document: DocumentVersion
    fresh: bool = False  # recorded by this call (not found from an earlier one)
    # what the reader may see of the person (govkit.privacy.exposure): full for the person and their
    # school's staff; a pseudonym instead of the identifying fields for auditors
    exposure: Exposure = Exposure.FULL
    pseudonym: str | None = None

    @property
    def title(self) -> str:
        return catalogue().kind(self.document.kind).title.get(self.document.language)

    def to_json(self) -> dict[str, Any]:
        r = self.record
        erased = self.person.erased_at
        return {
            "receipt_id": r.id,
            "verification_code": r.verification_code,
            "person": {
                "external_id": ERASED if erased else self.person.external_id,
                "name": ERASED if erased else f"{self.person.given_name} {self.person.family_name}",
            },
            "school": self.organisation.code,
            "document": {
                "kind": self.document.kind,
                "title": self.title,
                "version": self.document.number,
                "language": self.document.language,
                "effective_from": self.document.effective_from.isoformat(),
                "sha256": r.document_sha256,
            },
            "wording": ERASED if r.wording is None else r.wording,
            "acknowledged_at": r.acknowledged_at.isoformat(),
            "method": r.method,
            "authentication": r.auth_method,
            "recorded_by": ERASED if r.recorded_by is None else r.recorded_by,
            "personal_data_erased": r.personal_data_erased,
            # the person's erasure (govkit.flows.retention): when, under which rule, said in both languages
            "personal_data_erasure": erasure_statement(erased, self.person.erased_under) if erased else None,
            # when and how the version was delivered before it was accepted (None: paper visa,
            # carried forward, or recorded before govkit recorded deliveries)
            "shown_at": r.shown_at.isoformat() if r.shown_at else None,
            "shown_via": r.shown_via,
            "record_hash": r.record_hash,
            "previous_hash": r.previous_hash,
        }


def shown_text(receipt: dict[str, Any]) -> str:
    """When and how the version was shown before it was accepted, in French and English, from a
    receipt's JSON (``Receipt.to_json``): for certificates and sealed receipts."""
    if receipt.get("shown_at"):
        moment = datetime.fromisoformat(receipt["shown_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        via = receipt.get("shown_via") or ""
        return f"{moment} — {label('shown_via', via, 'fr')} / {label('shown_via', via, 'en')}"
    if receipt.get("method") == "paper":
        return "visa sur papier : document présenté hors de govkit / paper visa: document shown outside govkit"
    if receipt.get("method") == "carried_forward":
        return (
            "report d'une prise de connaissance antérieure : modification rédactionnelle, sans nouvelle présentation"
            " / carried forward: editorial change, no new display needed"
        )
    return (
        "non enregistré : prise de connaissance antérieure à l'enregistrement des présentations"
        " / not recorded: acknowledged before govkit recorded deliveries"
    )


@dataclass(frozen=True)
class Request:
    """One acknowledgement to record; ``authorise`` raises when the caller may not record it (it
    is given None for a document version that does not exist: access.scoped)."""

    person_id: int
    document_version_id: int
    method: str
    auth_method: str
    recorded_by: str
    language: str | None  # of the wording; None: the person's preferred language
    client: ClientInfo = ClientInfo()
    reason: str | None = None
    acknowledged_at: datetime | None = None
    shown_sha256: str | None = None  # required of electronic acknowledgements (decisions.plan)
    display: Display | None = None  # the intranet's display, for an acknowledgement through an intranet
    authorise: Callable[[Person, DocumentVersion | None], None] | None = None
    audit: AuditNote | None = None


#: What the recorder decides for one request: its receipt, or its refusal.
Outcome = Receipt | GovkitError
