"""Checkpoints of the acknowledgement chain: made (on demand, or by the daily job), listed,
published, and checked against the chain of today.

``make_checkpoint`` reads the chain up to its committed head (without locking it: appends go on),
checks that each record links to the one before it, builds the body (govkit.checkpoints.file_format),
has it signed and timestamped (``Sealer``: outside any transaction, the TSA is a network call),
then stores the checkpoint and defers its e-mailing in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize
from govkit.access.roles import SYSTEM, Principal
from govkit.acknowledgements.chain import GENESIS_HASH
from govkit.checkpoints import chain_reading
from govkit.checkpoints.file_format import ChainDigest, ChainState, Stamp, body, canonical, write
from govkit.checkpoints.models import ChainCheckpoint, CheckpointSending
from govkit.checkpoints.sealing import Sealer, SealingFailed
from govkit.checkpoints.vocabulary import SEND, public_url, send_key
from govkit.db import Database, stored_id, utcnow
from govkit.errors import Conflict, GovkitError, InvalidInput, NotFound
from govkit.jobs.queue import JobQueue
from govkit.settings import Settings

MAX_FIRST = 500


class CheckpointUnavailable(GovkitError):
    """The checkpoint could not be signed or timestamped now (the TSA did not answer…)."""

    code = "UNAVAILABLE"


@dataclass(frozen=True)
class Sending:
    recipient: str
    attempted_at: datetime
    status: str
    smtp_code: int | None
    smtp_answer: str | None


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as its readers see it (never its signature bytes: the file has them)."""

    id: int
    record_count: int
    last_record_id: int | None
    head_hash: str
    made_at: datetime
    trigger: str
    requested_by: str | None
    body_sha256: str
    timestamped_at: datetime | None
    timestamp_authority: str | None
    url: str
    sendings: tuple[Sending, ...] = ()


def _view(row: ChainCheckpoint, settings: Settings, sendings: tuple[Sending, ...] = ()) -> Checkpoint:
    return Checkpoint(
        id=stored_id(row),
        record_count=row.record_count,
        last_record_id=row.last_record_id,
        head_hash=row.head_hash,
        made_at=row.made_at,
        trigger=row.trigger,
        requested_by=row.requested_by,
        body_sha256=row.body_sha256,
        timestamped_at=row.timestamped_at,
        timestamp_authority=row.timestamp_authority,
        url=public_url(settings.public_url, stored_id(row)),
        sendings=sendings,
    )


def chain_state(session: Session) -> ChainState:
    """The chain up to its committed head, as a checkpoint states it; Conflict when a record does
    not link to the one before it, or the head does not name the last record."""
    last_id, last_hash = chain_reading.head(session)
    digest = ChainDigest(GENESIS_HASH)
    if last_id is not None:
        for link in chain_reading.links(session, up_to_id=last_id):
            if link.previous_hash != digest.head_hash:
                raise Conflict(
                    f"The acknowledgement chain is broken at record {link.id}: no checkpoint made "
                    "(`govkit audit verify` says more)."
                )
            digest.add(link.id, link.record_hash)
    if (digest.last_record_id, digest.head_hash) != (last_id, last_hash):
        raise Conflict("The chain's head does not name its last record: no checkpoint made (`govkit audit verify`).")
    return digest.state()


def make_checkpoint(
    *,
    db: Database,
    actor: Principal,
    sealer: Sealer,
    settings: Settings,
    jobs: JobQueue,
    trigger: str = "demand",
    requested_by: str | None = None,
) -> Checkpoint | None:
    """Make a checkpoint now (``demand``: legal staff and auditors), or for the daily job
    (``schedule``: None when the chain has not moved since the last checkpoint)."""
    if trigger not in ("demand", "schedule"):
        raise InvalidInput(f"Unknown checkpoint trigger {trigger!r}.")
    authorize(actor, Action.MAKE_CHECKPOINT)
    with db.reading() as session:
        state = chain_state(session)
        last = session.exec(select(ChainCheckpoint).order_by(col(ChainCheckpoint.id).desc()).limit(1)).first()
    if (
        trigger == "schedule"
        and last is not None
        and (last.record_count, last.head_hash)
        == (
            state.count,
            state.head_hash,
        )
    ):
        return None
    made_at = utcnow()
    signed = body(state, made_at=made_at, trigger=trigger, issuer=settings.public_url or "govkit")
    data = canonical(signed)
    digest = hashlib.sha256(data).digest()
    try:
        signature = sealer.sign(data)
        stamp = sealer.timestamp(digest)
        certificate = sealer.certificate_pem
    except SealingFailed as exc:
        raise CheckpointUnavailable(f"No checkpoint made: {exc}") from None
    with db.transaction() as session:
        row = ChainCheckpoint(
            record_count=state.count,
            last_record_id=state.last_record_id,
            head_hash=state.head_hash,
            made_at=made_at,
            trigger=trigger,
            requested_by=(requested_by or actor.label)[:200] if trigger == "demand" else None,
            body=data.decode("ascii"),
            body_sha256=digest.hex(),
            signature=signature,
            certificate=certificate,
            timestamp_token=None if stamp is None else stamp.token,
            timestamped_at=None if stamp is None else stamp.time,
            timestamp_authority=None if stamp is None else stamp.authority,
        )
        session.add(row)
        session.flush()
        if settings.checkpoint_recipients:
            jobs.defer(session, SEND, key=send_key(stored_id(row)), checkpoint_id=stored_id(row))
        return _view(row, settings)


def first_checkpoint(*, db: Database, sealer: Sealer, settings: Settings, jobs: JobQueue) -> Checkpoint | None:
    """The chain's first checkpoint, made now when none exists (`govkit demo`); None: one exists."""
    with db.reading() as session:
        if session.exec(select(ChainCheckpoint.id).limit(1)).first() is not None:
            return None
    return make_checkpoint(
        db=db, actor=SYSTEM, sealer=sealer, settings=settings, jobs=jobs, requested_by="govkit demo (first checkpoint)"
    )


def checkpoints(*, db: Database, actor: Principal, settings: Settings, first: int = 20) -> list[Checkpoint]:
    """The checkpoints made, newest first, each with its sendings (legal staff and auditors)."""
    authorize(actor, Action.READ_CHECKPOINTS)
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"first must be between 1 and {MAX_FIRST}.")
    with db.reading() as session:
        rows = session.exec(select(ChainCheckpoint).order_by(col(ChainCheckpoint.id).desc()).limit(first)).all()
        ids = [stored_id(r) for r in rows]
        found: dict[int, list[Sending]] = {}
        if ids:
            for s in session.exec(
                select(CheckpointSending)
                .where(col(CheckpointSending.checkpoint_id).in_(ids))
                .order_by(col(CheckpointSending.id))
            ).all():
                found.setdefault(s.checkpoint_id, []).append(
                    Sending(s.recipient, s.attempted_at, s.status, s.smtp_code, s.smtp_answer)
                )
    return [_view(r, settings, tuple(found.get(stored_id(r), ()))) for r in rows]


@dataclass(frozen=True)
class PublishedFile:
    id: int
    data: bytes
    sha256: str


def file_of(row: ChainCheckpoint, settings: Settings) -> bytes:
    """A stored checkpoint as its file."""
    stamp = None
    if row.timestamp_token is not None and row.timestamped_at is not None:
        stamp = Stamp(row.timestamp_token, row.timestamped_at, row.timestamp_authority or "")
    return write(
        id=stored_id(row),
        url=public_url(settings.public_url, stored_id(row)),
        body=json.loads(row.body),
        signature=row.signature,
        certificate=row.certificate,
        stamp=stamp,
    )


def published_file(*, db: Database, settings: Settings, checkpoint_id: int | None) -> PublishedFile:
    """A checkpoint's file (None: the latest), for anybody: it holds no personal data."""
    with db.reading() as session:
        query = select(ChainCheckpoint)
        if checkpoint_id is None:
            query = query.order_by(col(ChainCheckpoint.id).desc()).limit(1)
        else:
            query = query.where(ChainCheckpoint.id == checkpoint_id)
        row = session.exec(query).first()
    if row is None:
        what = "No checkpoint of the chain was made yet" if checkpoint_id is None else "No such checkpoint"
        raise NotFound(f"{what}.")
    data = file_of(row, settings)
    return PublishedFile(stored_id(row), data, hashlib.sha256(data).hexdigest())


def index(*, db: Database, settings: Settings, first: int = 100) -> list[Checkpoint]:
    """The newest checkpoints, for the public index (no sendings: they name people)."""
    with db.reading() as session:
        rows = session.exec(select(ChainCheckpoint).order_by(col(ChainCheckpoint.id).desc()).limit(first)).all()
    return [_view(r, settings) for r in rows]
