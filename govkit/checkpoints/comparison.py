"""The chain of today compared with a checkpoint's state: where it first differs (pure).

Records are compared in chain order with the checkpoint's short fingerprints (which name the first
record whose hash changed), and at every milestone and at the head with full hashes (which no
forger can match): see govkit.checkpoints.file_format for why the file holds both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from govkit.checkpoints.file_format import FINGERPRINT_BYTES, MILESTONE_EVERY, ChainState


@dataclass(frozen=True)
class Divergence:
    """Where the chain of today first differs from a checkpoint: its ``position`` (1 for the first
    record), the record found there (None: no record any more) and why."""

    position: int
    record_id: int | None
    verification_code: str | None
    why: str


def compare(state: ChainState, records: Iterable[tuple[int, str, str]]) -> Divergence | None:
    """The first divergence of ``records`` — the chain of today, as (id, record hash,
    verification code) in id order, from its first record — from ``state``; None: the chain
    still holds the checkpoint's records, unchanged."""
    seen = 0
    window: tuple[int, int, str] | None = None  # the first record since the last full hash checked
    for record_id, record_hash, code in records:
        if seen == state.count:
            break
        if window is None:
            window = (seen + 1, record_id, code)
        start = seen * FINGERPRINT_BYTES
        try:
            found = bytes.fromhex(record_hash)[:FINGERPRINT_BYTES]
        except ValueError:
            found = b""
        if found != state.fingerprints[start : start + FINGERPRINT_BYTES]:
            return Divergence(seen + 1, record_id, code, "its hash is not the one the checkpoint holds")
        seen += 1
        full = state.milestones[seen // MILESTONE_EVERY - 1] if seen % MILESTONE_EVERY == 0 else None
        if seen == state.count:
            full = state.head_hash
        if full is not None:
            if record_hash != full:
                position, first_id, first_code = window
                return Divergence(
                    position,
                    first_id,
                    first_code,
                    f"a record from here to record {record_id} differs though every short fingerprint matches"
                    " (forged to match them)",
                )
            window = None
        if seen == state.count and record_id != state.last_record_id:
            return Divergence(seen, record_id, code, f"the checkpoint's last record was record {state.last_record_id}")
    if seen < state.count:
        return Divergence(
            seen + 1, None, None, f"the chain holds {seen} records where the checkpoint counts {state.count} (removed)"
        )
    return None
