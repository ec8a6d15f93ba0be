"""One check of a proof, as verifications report them (a light module: no pyHanko)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One check: its name (seal, integrity, timestamp, data, record, hash, chain...), whether it
    passed, and what was found."""

    name: str
    ok: bool
    detail: str
