"""A checkpoint file checked against the chain of today (`govkit audit verify --checkpoint FILE`).

Four checks, one verdict each, all made whatever the others found:

1. the signature: a detached CMS signature of the body's bytes by a certificate that chains to
   the configured trust roots;
2. the timestamp, when the file has one: an RFC 3161 token over the body's SHA-256 from a
   trusted authority, of the time the file states;
3. the chain by itself: every record's hash recomputed from its content and its predecessor's
   (what `govkit audit verify` checks);
4. the chain against the checkpoint: its first ``count`` records still have the hashes the
   checkpoint holds (fingerprints, milestones, head); if not, the first record that differs,
   named by its id and verification code.

A rewriting of history after the checkpoint passes check 3 (the forger recomputed every hash)
and fails check 4. A file that cannot be read raises ``CheckpointFileError`` before any check.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from govkit.acknowledgements import chain
from govkit.checkpoints import chain_reading
from govkit.checkpoints.comparison import compare
from govkit.checkpoints.file_format import CheckpointFile, parse, utc_text
from govkit.checkpoints.sealing import Checker, Verdict
from govkit.db import Database


@dataclass(frozen=True)
class Report:
    file: CheckpointFile
    verdicts: tuple[Verdict, ...]

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)


def verify_file(*, db: Database, data: bytes, checker: Checker) -> Report:
    """Read ``data`` as a checkpoint file and make the four checks."""
    found = parse(data)
    verdicts = [checker.signature(found.body_bytes, found.signature, found.certificate)]
    verdicts.append(_timestamp(found, checker))
    verdicts.append(_content(db))
    verdicts.append(against_chain(db, found))
    return Report(found, tuple(verdicts))


def _timestamp(found: CheckpointFile, checker: Checker) -> Verdict:
    if found.stamp is None:
        return Verdict(
            True,
            f"timestamp: none (no time-stamping authority): made at {utc_text(found.made_at)} by govkit's own clock",
        )
    verdict = checker.timestamp(found.stamp.token, hashlib.sha256(found.body_bytes).digest())
    if verdict.ok and verdict.time is not None and verdict.time != found.stamp.time:
        return Verdict(
            False,
            f"timestamp: the token's time {utc_text(verdict.time)} is not the file's {utc_text(found.stamp.time)}",
        )
    return verdict


def _content(db: Database) -> Verdict:
    report = chain.verify(db)
    if report.ok:
        return Verdict(True, f"chain: {report.records} records, each hash matches its content and predecessor")
    where = f"record {report.broken_at}" if report.broken_at else "the chain head"
    return Verdict(False, f"chain: broken at {where}: {report.reason}")


def against_chain(db: Database, found: CheckpointFile) -> Verdict:
    """Check 4: the chain of today against the checkpoint's state."""
    state = found.state
    with db.reading() as session:
        records = ((x.id, x.record_hash, x.verification_code) for x in chain_reading.links(session, limit=state.count))
        divergence = compare(state, records)
    if divergence is None and state.count == 0:
        return Verdict(True, f"checkpoint: the chain was empty at {utc_text(found.made_at)}: nothing to hold")
    if divergence is None:
        return Verdict(
            True,
            f"checkpoint: the chain still holds the {state.count} records of the checkpoint of "
            f"{utc_text(found.made_at)}, unchanged (head {state.head_hash[:16]}…)",
        )
    if divergence.record_id is None:
        return Verdict(False, f"checkpoint: diverges at record number {divergence.position}: {divergence.why}")
    return Verdict(
        False,
        f"checkpoint: the chain diverges at record {divergence.record_id} (verification code "
        f"{divergence.verification_code}, number {divergence.position} in the chain): {divergence.why} — "
        "history was rewritten after the checkpoint",
    )
