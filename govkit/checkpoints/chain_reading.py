"""The acknowledgement chain as a checkpoint reads it: each record's id, previous hash, hash and
verification code, in id order (chain order), by batches; read-only, and apart from the chain's
writer (govkit.acknowledgements.chain), whose records it only reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session, col, select

from govkit.acknowledgements.models import Acknowledgement, ChainHead

BATCH = 5000


@dataclass(frozen=True)
class Link:
    id: int
    previous_hash: str
    record_hash: str
    verification_code: str


def head(session: Session) -> tuple[int | None, str]:
    """The chain's head as committed: the last record's id (None: no record yet) and hash."""
    found = session.get(ChainHead, 1)
    if found is None:
        raise LookupError("the chain has no head row: the database was not migrated")
    return found.last_id, found.last_hash


def links(session: Session, *, up_to_id: int | None = None, limit: int | None = None) -> Iterator[Link]:
    """The chain's records from its first, in id order: those of id ``up_to_id`` or less, at most
    ``limit`` of them. Records are never deleted nor renumbered (triggers), and each append commits
    its records and the head together: records up to the head's last id are a stable snapshot."""
    last, given = 0, 0
    columns = (
        col(Acknowledgement.id),
        col(Acknowledgement.previous_hash),
        col(Acknowledgement.record_hash),
        col(Acknowledgement.verification_code),
    )
    while limit is None or given < limit:
        size = BATCH if limit is None else min(BATCH, limit - given)
        query = select(*columns).where(col(Acknowledgement.id) > last)
        if up_to_id is not None:
            query = query.where(col(Acknowledgement.id) <= up_to_id)
        batch = session.execute(query.order_by(col(Acknowledgement.id)).limit(size)).all()
        if not batch:
            return
        for record_id, previous_hash, record_hash, code in batch:
            yield Link(int(record_id), previous_hash, record_hash, code)
        given += len(batch)
        last = int(batch[-1][0])
