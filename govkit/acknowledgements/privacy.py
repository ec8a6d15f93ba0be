"""Data protection of acknowledgements: the retention of client data and the right of access."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.acknowledgements import chain
from govkit.acknowledgements.models import Acknowledgement, DocumentDelivery, Person, PersonPopulation
from govkit.acknowledgements.receipts import Receipt
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.db import Database, utcnow
from govkit.documents.models import DocumentVersion
from govkit.errors import NotFound
from govkit.organisations.service import organisation_by_code

__all__ = ["erase_client_data", "erase_personal_data", "erase_records", "export_person"]


def erase_client_data(*, db: Database, older_than_days: int) -> int:
    """Erase IP addresses and user agents of records older than the retention period."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    with db.transaction() as session:
        result = session.connection().execute(
            sa.update(Acknowledgement)
            .where(
                col(Acknowledgement.acknowledged_at) < cutoff,
                sa.or_(col(Acknowledgement.client_ip).is_not(None), col(Acknowledgement.user_agent).is_not(None)),
            )
            .values(client_ip=None, user_agent=None)
        )
        return result.rowcount or 0


def erase_personal_data(*, db: Database, record_ids: Sequence[int]) -> int:
    """Erase the personal data of the records ``record_ids``: their secret salt, wording, who
    recorded them and why, the client's IP address and user agent (chain.PERSONAL), all to NULL in
    one statement; how many records were erased (those erased already are left as they are).

    The records keep their non-personal fields and their salted digests, so every hash, checkpoint
    and seal still verifies; without the salt nobody can test a guess of the erased data against the
    digests. The append-only trigger lets exactly these columns become NULL (revision 0015). No
    authorisation here: the caller (the right-to-erasure flow) decides whose records are erased."""
    with db.transaction() as session:
        return erase_records(session, record_ids)


def erase_records(session: Session, record_ids: Sequence[int]) -> int:
    """``erase_personal_data`` in the caller's transaction (govkit.flows.retention erases a person's
    records with the rest of their data, in one transaction)."""
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        return 0
    result = session.connection().execute(
        sa.update(Acknowledgement)
        .where(col(Acknowledgement.id).in_(ids), col(Acknowledgement.personal_salt).is_not(None))
        .values(dict.fromkeys(chain.PERSONAL))
    )
    # their sealed receipts name the person: deleted with them; the next sealing run makes new
    # ones from what remains (govkit.acknowledgements.sealing), saying the data were erased
    session.connection().execute(sa.delete(SealedReceipt).where(col(SealedReceipt.acknowledgement_id).in_(ids)))
    return result.rowcount or 0


def export_person(*, db: Database, school: str, external_id: str) -> dict[str, Any]:
    """What acknowledgements hold about a person (right of access: govkit.flows.data_protection
    adds their identities), as JSON-ready data."""
    with db.reading() as session:
        organisation = organisation_by_code(session, school)
        person = session.exec(
            select(Person).where(Person.organisation_id == organisation.id, Person.external_id == external_id)
        ).first()
        if person is None:
            raise NotFound(f"No person with external id {external_id!r} at {school}.")
        records = session.exec(
            select(Acknowledgement).where(Acknowledgement.person_id == person.id).order_by(col(Acknowledgement.id))
        ).all()
        documents = {
            d.id: d
            for d in session.exec(
                select(DocumentVersion).where(col(DocumentVersion.id).in_([r.document_version_id for r in records]))
            ).all()
        }
        periods = session.exec(
            select(PersonPopulation)
            .where(PersonPopulation.person_id == person.id)
            .order_by(col(PersonPopulation.population), col(PersonPopulation.id))
        ).all()
        populations = sorted({p.population for p in periods if p.valid_to is None})
        delivered = session.exec(
            select(DocumentDelivery).where(DocumentDelivery.person_id == person.id).order_by(col(DocumentDelivery.id))
        ).all()
    return {
        "person": person.model_dump(mode="json"),
        "school": organisation.code,
        "populations": populations,
        "population_periods": [
            p.model_dump(
                mode="json", include={"population", "valid_from", "valid_to", "recorded_at", "ended_recorded_at"}
            )
            for p in periods
        ],
        "acknowledgements": [
            {
                **Receipt(r, person, organisation, documents[r.document_version_id]).to_json(),
                "client_ip": r.client_ip,
                "user_agent": r.user_agent,
            }
            for r in records
        ],
        # the versions delivered to them (proof of display), when and how
        "deliveries": [
            d.model_dump(
                mode="json", include={"document_version_id", "sha256", "channel", "displayed_by", "delivered_at"}
            )
            for d in delivered
        ],
    }
