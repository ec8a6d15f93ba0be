"""Sealed PDF receipts: the sealing job's work, and what the routes ask of it.

    seal_pending(db=db, sealer=sealer, batch_size=200)   # every acknowledgement without a receipt
    seal_pending(db=db, sealer=sealer, ids=[42])         # just these (on demand)
    sealed_file(db=db, actor=actor, code="ABCD-...")     # the PDF, or its status while sealing
    request_sealing(db=db, jobs=jobs, acknowledgement_id=42)

The job ``receipts.seal_pending`` (govkit.tasks.receipts) runs every minute on PostgreSQL and
seals, oldest first and a batch at a time, every acknowledgement that has no sealed receipt yet:
electronic, paper and carried-forward alike. Making and sealing a receipt happens outside any
transaction; its row (govkit.acknowledgements.seal_models) is written afterwards, one statement
per batch. Recording acknowledgements never waits for any of it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from govkit.access.policy import Action
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.acknowledgements import service
from govkit.acknowledgements.models import Acknowledgement, ChainHead, Person
from govkit.acknowledgements.receipts import Receipt
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.db import Database, table_of, utcnow
from govkit.documents.models import DocumentVersion
from govkit.documents.pdfa import check_pdfa
from govkit.errors import GovkitError, InvalidInput, NotFound
from govkit.jobs.queue import JobQueue
from govkit.organisations.models import Organisation
from govkit.privacy.exposure import Exposure
from govkit.proof.errors import FontMissing, TimeStampUnavailable
from govkit.proof.sealer import Sealer

logger = logging.getLogger(__name__)

#: The periodic job sealing every pending receipt, and the on-demand one sealing some.
SEAL_PENDING = "receipts.seal_pending"
SEAL_RECEIPTS = "receipts.seal"
#: Attempts at a receipt that fails before the periodic job leaves it (a request for it tries again).
MAX_ATTEMPTS = 5
SEALING = "sealing"
#: Failures that stop a run: a TSA that does not answer, a sealing identity or font misconfigured.
STOPPING = (TimeStampUnavailable, FontMissing, InvalidInput)
_TABLE = table_of(SealedReceipt)


@dataclass
class SealReport:
    """What a sealing run did, by acknowledgement id."""

    sealed: list[int] = field(default_factory=list)
    unsealed: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: Why the run stopped before the end (a TSA down, a configuration error), or None.
    stopped: str | None = None
    #: The run used its time and some receipts may be left (see ``seal_pending``).
    more: bool = False

    def summary(self) -> str:
        return (
            f"receipts: {len(self.sealed)} sealed, {len(self.unsealed)} unsealed, {len(self.failed)} failed "
            f"in {self.seconds:.1f} s" + (f"; stopped: {self.stopped}" if self.stopped else "")
        )


@dataclass(frozen=True)
class SealState:
    """A receipt's seal as the API shows it: ``status`` is sealing, sealed, unsealed or failed."""

    status: str
    sealed_at: datetime | None = None
    timestamp_time: datetime | None = None
    tsa_name: str | None = None
    error: str | None = None

    @classmethod
    def sealing(cls) -> SealState:
        return cls(SEALING)


@dataclass(frozen=True)
class SealedFile:
    """A receipt's PDF (``pdf`` None while it is being sealed) and its state."""

    code: str
    acknowledgement_id: int
    state: SealState
    pdf: bytes | None


def pending_ids(session: Session, *, limit: int, after: int = 0, resealable: bool = False) -> list[int]:
    """Acknowledgements (id > ``after``, oldest first) whose receipt is to be made: none yet, or a
    failed one with attempts left, or (``resealable``: a sealing identity is set) an unsealed one."""
    sealed = SealedReceipt
    wanted = sa.or_(
        col(sealed.acknowledgement_id).is_(None),
        sa.and_(col(sealed.status) == "failed", col(sealed.attempts) < MAX_ATTEMPTS),
    )
    if resealable:
        wanted = sa.or_(wanted, col(sealed.status) == "unsealed")
    query = (
        select(Acknowledgement.id)
        .outerjoin(sealed, col(sealed.acknowledgement_id) == Acknowledgement.id)
        .where(col(Acknowledgement.id) > after, wanted)
        .order_by(col(Acknowledgement.id))
        .limit(limit)
    )
    return [int(i) for i in session.exec(query).all() if i is not None]


def seal_pending(
    *,
    db: Database,
    sealer: Sealer,
    batch_size: int = 200,
    ids: Sequence[int] | None = None,
    budget_seconds: float | None = None,
) -> SealReport:
    """Make and seal the pending receipts (all, or those of ``ids`` still pending), a batch at a
    time; with ``budget_seconds``, no new batch starts after that long (``report.more`` then says
    whether some are left: the job goes on in a job of its own, and a worker asked to stop does
    not wait for a whole backlog)."""
    started = time.monotonic()
    report = SealReport()
    after = 0
    resealable = _resealable(sealer)
    wanted = sorted(set(ids)) if ids is not None else None
    while report.stopped is None:
        with db.reading() as session:
            if wanted is None:
                batch = pending_ids(session, limit=batch_size, after=after, resealable=resealable)
            else:
                batch = [i for i in _still_pending(session, wanted, resealable) if i > after][:batch_size]
        if not batch:
            break
        _seal_batch(db, sealer, batch, report)
        after = batch[-1]
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            report.more = report.stopped is None
            break
    report.seconds = time.monotonic() - started
    return report


def _resealable(sealer: Sealer) -> bool:
    try:
        return sealer.identity is not None
    except GovkitError:  # a configuration error: recorded on the first receipt the run makes
        return False


def _still_pending(session: Session, ids: Sequence[int], resealable: bool) -> list[int]:
    """Those of ``ids`` to be made now (on demand: a failed one is tried again, attempts or not)."""
    rows = session.exec(
        select(Acknowledgement.id, SealedReceipt.status)
        .outerjoin(SealedReceipt, col(SealedReceipt.acknowledgement_id) == Acknowledgement.id)
        .where(col(Acknowledgement.id).in_(ids))
    ).all()
    return sorted(
        int(i)
        for i, status in rows
        if i is not None and (status in (None, "failed") or (resealable and status == "unsealed"))
    )


def receipts_of(session: Session, ids: Sequence[int]) -> list[Receipt]:
    """The receipts of the acknowledgements ``ids`` (no authorisation: the sealing job and the bench)."""
    rows = session.exec(
        select(Acknowledgement, Person, Organisation, DocumentVersion)
        .join(Person, col(Person.id) == Acknowledgement.person_id)
        .join(Organisation, col(Organisation.id) == Acknowledgement.organisation_id)
        .join(DocumentVersion, col(DocumentVersion.id) == Acknowledgement.document_version_id)
        .where(col(Acknowledgement.id).in_(ids))
        .order_by(col(Acknowledgement.id))
    ).all()
    return [Receipt(record, person, organisation, document) for record, person, organisation, document in rows]


def _seal_batch(db: Database, sealer: Sealer, ids: Sequence[int], report: SealReport) -> None:
    with db.reading() as session:
        receipts = receipts_of(session, ids)
        head = session.get(ChainHead, 1)
        chain_count = int(head.last_id or 0) if head is not None else 0
    rows: list[dict[str, Any]] = []
    for receipt in receipts:
        record_id = int(receipt.record.id or 0)
        try:
            made = sealer.make(receipt.to_json(), chain_count=chain_count, made_at=utcnow())
            check = check_pdfa(made.pdf)
            if not check.passed:
                raise GovkitError(f"the receipt is not PDF/A-2b: {check.reason}")
        except GovkitError as exc:
            rows.append(_failed(record_id, exc.message))
            report.failed[record_id] = exc.message
            if isinstance(exc, STOPPING):  # the next receipts would fail alike: the next run tries again
                report.stopped = exc.message
                break
            continue
        except Exception as exc:  # one receipt's unexpected failure is recorded; the others go on
            logger.exception("sealing the receipt of acknowledgement %s failed", record_id)
            reason = f"{exc.__class__.__name__}: {exc}"
            rows.append(_failed(record_id, reason))
            report.failed[record_id] = reason
            continue
        rows.append(
            {
                "acknowledgement_id": record_id,
                "status": made.status,
                "sha256": hashlib.sha256(made.pdf).hexdigest(),
                "pdf": made.pdf,
                "size": len(made.pdf),
                "signer": made.signer,
                "sealed_at": made.sealed_at,
                "timestamp_time": made.timestamp_time,
                "tsa_name": made.tsa_name,
                "chain_count": chain_count,
                "attempts": 1,
                "error": None,
                "updated_at": utcnow(),
            }
        )
        (report.sealed if made.status == "sealed" else report.unsealed).append(record_id)
    with db.transaction() as session:
        _upsert(session, rows)


def _failed(record_id: int, reason: str) -> dict[str, Any]:
    return {
        "acknowledgement_id": record_id,
        "status": "failed",
        "sha256": None,
        "pdf": None,
        "size": None,
        "signer": None,
        "sealed_at": None,
        "timestamp_time": None,
        "tsa_name": None,
        "chain_count": None,
        "attempts": 1,
        "error": reason[:2000],
        "updated_at": utcnow(),
    }


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the rows; one already there is replaced, unless it is sealed (a concurrent run sealed
    it first) or this one failed where it was unsealed; attempts count up."""
    if not rows:
        return
    dialect = session.connection().dialect.name
    insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    new = insert.excluded
    statement = insert.on_conflict_do_update(
        index_elements=["acknowledgement_id"],
        set_={
            **{c.name: new[c.name] for c in _TABLE.columns if c.name not in ("acknowledgement_id", "attempts")},
            "attempts": _TABLE.c.attempts + 1,
        },
        where=sa.and_(
            _TABLE.c.status != "sealed",
            sa.or_(new.status != "failed", _TABLE.c.status == "failed"),
        ),
    )
    session.execute(statement, rows)


def forget(session: Session, acknowledgement_ids: Iterable[int]) -> int:
    """Delete the receipts of these acknowledgements (their personal data were erased): the next
    sealing run makes them again from what remains. How many were deleted."""
    ids = sorted({int(i) for i in acknowledgement_ids})
    if not ids:
        return 0
    result = session.connection().execute(sa.delete(_TABLE).where(_TABLE.c.acknowledgement_id.in_(ids)))
    return int(result.rowcount or 0)


def _state(row: SealedReceipt | None) -> SealState:
    if row is None:
        return SealState.sealing()
    return SealState(row.status, row.sealed_at, row.timestamp_time, row.tsa_name, row.error)


def seal_states(*, db: Database, actor: Principal, acknowledgement_ids: Sequence[int]) -> dict[int, SealState]:
    """The seal of each receipt (those the caller reads: the receipts were authorised already)."""
    authorize_some(actor, Action.READ_RECEIPTS)
    ids = sorted({int(i) for i in acknowledgement_ids})
    with db.reading() as session:
        rows = session.execute(
            sa.select(
                _TABLE.c.acknowledgement_id,
                _TABLE.c.status,
                _TABLE.c.sealed_at,
                _TABLE.c.timestamp_time,
                _TABLE.c.tsa_name,
                _TABLE.c.error,
            ).where(_TABLE.c.acknowledgement_id.in_(ids))
        ).all()
        found = {int(i): SealState(status, at, stamped, tsa, error) for i, status, at, stamped, tsa, error in rows}
    return {i: found.get(i, SealState.sealing()) for i in ids}


def sealed_file(*, db: Database, actor: Principal, code: str) -> SealedFile:
    """The receipt's PDF for whoever may read the receipt (NotFound otherwise, whatever the reason)."""
    receipt = service.receipt(db=db, actor=actor, code=code)
    if receipt.exposure is not Exposure.FULL:
        # the sealed PDF names the person and cannot be masked: for those who may see the person
        raise NotFound("No receipt with this code that you may read.", key="no_receipt")
    record_id = int(receipt.record.id or 0)
    with db.reading() as session:
        row = session.get(SealedReceipt, record_id)
        state = _state(row)
        pdf = row.pdf if row is not None and row.status in ("sealed", "unsealed") else None
    return SealedFile(receipt.record.verification_code, record_id, state, pdf)


def request_sealing(*, db: Database, jobs: JobQueue, acknowledgement_id: int) -> int | None:
    """Queue the sealing of one receipt now (once while queued): the job's id, or None if queued."""
    with db.transaction() as session:
        return jobs.defer(
            session, SEAL_RECEIPTS, key=f"receipts:seal:{acknowledgement_id}", acknowledgement_ids=[acknowledgement_id]
        )
