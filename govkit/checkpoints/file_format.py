"""The checkpoint file, format ``govkit-chain-checkpoint/1``: what it holds, how it is written and
read back (govkit.checkpoints.comparison compares the chain of today with it). Pure: no database,
no network.

What a verifier must be able to do with the file alone (and read access to the chain of the day):
prove that the chain still holds, unchanged, every record it held when the checkpoint was made,
and if not, name the first record that differs. Whoever holds the database can rewrite one record
and recompute every later hash: the chain then verifies by itself (``govkit audit verify`` passes),
and only something kept outside govkit shows the rewriting.

The body (the signed part) states, for the first ``count`` records in id order:

- ``head_hash``, the full SHA-256 hash of the last one, and ``last_record_id``: **detection**. Each
  record's hash covers the previous one, so no record before it can change without changing it.
- ``milestones``, the full hash of every ``MILESTONE_EVERY``-th record (1024th, 2048th…):
  detection again, at every milestone, which **bounds** a divergence to one stretch of 1024
  records whatever a forger does.
- ``fingerprints``, the first ``FINGERPRINT_BYTES`` (6) bytes of every record's hash, concatenated
  and in base64: **localisation**. The first record whose hash no longer starts with its
  fingerprint is the first record rewritten (or removed, or inserted). Six bytes encode to exactly
  eight base64 characters: record *n*'s fingerprint is characters 8(n-1) to 8n of the string.

Why not less, or more. The head hash alone detects but cannot localise: the database's hashes
are all consistent after a rewrite, so nothing says where it began. Full hashes of every record
(44 base64 characters each) would localise for certain but make the file five times larger; a
Merkle root would be small but localising needs the old inner nodes, which only the rewritten
database holds. Six bytes a record (eight in the file) keep a year of IMT's acknowledgements
(tens of thousands) to a few hundred kilobytes, small enough to e-mail every day. An accidental
match of a rewritten record's fingerprint has odds of 2^-48; a forger may grind 2^48 variants of
a record to match one fingerprint, but then the next record's hash differs (and so on): grinding
can only push the name to a later rewritten record, never past the next milestone, and never
hide the rewriting (milestones and head are full hashes).

The file wraps the body with its detached CMS signature (DER, base64) by govkit's sealing
identity, the signer's certificate (PEM), and the RFC 3161 timestamp token over the SHA-256 of
the body's bytes when a time-stamping authority was configured. The bytes signed and timestamped
are the body as canonical JSON (``canonical``: keys sorted, no spaces, ASCII): any JSON tool
re-serialising the ``body`` object the same way gets them back (e.g. ``jq -cjS .body``); the file
also states their SHA-256. The file holds no personal data: hashes, counts, ids and times.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT = "govkit-chain-checkpoint/1"
FINGERPRINT_BYTES = 6
MILESTONE_EVERY = 1024
#: The largest file read back (about eight million records).
MAX_FILE_BYTES = 64 * 1024 * 1024
TRIGGERS = ("schedule", "demand")

_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


class CheckpointFileError(ValueError):
    """The file cannot be read as a checkpoint: its message says why, in one line."""


@dataclass(frozen=True)
class ChainState:
    """What a checkpoint states of the chain (the ``chain`` part of its body)."""

    count: int
    last_record_id: int | None
    head_hash: str
    genesis_hash: str
    milestones: tuple[str, ...]
    fingerprints: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "last_record_id": self.last_record_id,
            "head_hash": self.head_hash,
            "genesis_hash": self.genesis_hash,
            "hash_algorithm": "sha256",
            "milestone_every": MILESTONE_EVERY,
            "milestones": list(self.milestones),
            "fingerprint_bytes": FINGERPRINT_BYTES,
            "fingerprints": base64.b64encode(self.fingerprints).decode("ascii"),
        }


class ChainDigest:
    """Builds a ``ChainState`` from the chain's records, given in id order."""

    def __init__(self, genesis_hash: str) -> None:
        self.genesis_hash = genesis_hash
        self.count = 0
        self.last_record_id: int | None = None
        self.head_hash = genesis_hash
        self._milestones: list[str] = []
        self._fingerprints = bytearray()

    def add(self, record_id: int, record_hash: str) -> None:
        self.count += 1
        self.last_record_id = record_id
        self.head_hash = record_hash
        self._fingerprints += bytes.fromhex(record_hash)[:FINGERPRINT_BYTES]
        if self.count % MILESTONE_EVERY == 0:
            self._milestones.append(record_hash)

    def state(self) -> ChainState:
        return ChainState(
            self.count,
            self.last_record_id,
            self.head_hash,
            self.genesis_hash,
            tuple(self._milestones),
            bytes(self._fingerprints),
        )


def canonical(value: Any) -> bytes:
    """``value`` as canonical JSON: keys sorted, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def utc_text(moment: datetime) -> str:
    """A time as the file writes it: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def body(state: ChainState, *, made_at: datetime, trigger: str, issuer: str) -> dict[str, Any]:
    """The signed part of a checkpoint."""
    return {
        "format": FORMAT,
        "made_at": utc_text(made_at),
        "trigger": trigger,
        "issuer": issuer,
        "chain": state.as_json(),
    }


@dataclass(frozen=True)
class Stamp:
    """An RFC 3161 timestamp token over the body's SHA-256, its time, and who gave it."""

    token: bytes
    time: datetime
    authority: str


@dataclass(frozen=True)
class CheckpointFile:
    """A checkpoint as a file: the body and its bytes, the signature, certificate and timestamp."""

    id: int | None
    url: str | None
    body: dict[str, Any]
    state: ChainState
    made_at: datetime
    body_bytes: bytes
    signature: bytes
    certificate: str
    stamp: Stamp | None

    @property
    def body_sha256(self) -> str:
        return hashlib.sha256(self.body_bytes).hexdigest()

    def to_bytes(self) -> bytes:
        return write(
            id=self.id,
            url=self.url,
            body=self.body,
            signature=self.signature,
            certificate=self.certificate,
            stamp=self.stamp,
        )


def write(
    *, id: int | None, url: str | None, body: dict[str, Any], signature: bytes, certificate: str, stamp: Stamp | None
) -> bytes:
    """The file: canonical JSON and a line feed."""
    envelope = {
        "format": FORMAT,
        "id": id,
        "url": url,
        "body": body,
        "body_sha256": hashlib.sha256(canonical(body)).hexdigest(),
        "signature": base64.b64encode(signature).decode("ascii"),
        "certificate": certificate,
        "timestamp": None
        if stamp is None
        else {
            "token": base64.b64encode(stamp.token).decode("ascii"),
            "time": utc_text(stamp.time),
            "authority": stamp.authority,
        },
    }
    return canonical(envelope) + b"\n"


# --- reading a file back: every field checked, one-line errors ----------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise CheckpointFileError(f"the key {key[:40]!r} appears twice in one object")
        found[key] = value
    return found


def _no_float(text: str) -> Any:
    raise CheckpointFileError(f"unexpected number {text[:20]}: a checkpoint holds whole numbers only")


def _fields(value: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CheckpointFileError(f"{where} must be a JSON object")
    missing, extra = keys - value.keys(), value.keys() - keys
    if missing:
        raise CheckpointFileError(f"{where} lacks {', '.join(sorted(missing))}")
    if extra:
        raise CheckpointFileError(f"{where} has unexpected fields: {', '.join(sorted(k[:40] for k in extra))}")
    return value


def _integer(value: Any, where: str, *, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CheckpointFileError(f"{where} must be a whole number, 0 or more")
    return value


def _text(value: Any, where: str, limit: int, *, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise CheckpointFileError(f"{where} must be a text of at most {limit} characters")
    return value


def _hash(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise CheckpointFileError(f"{where} must be a SHA-256 hash (64 lower-case hexadecimal digits)")
    return value


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise CheckpointFileError(f"{where} must be a UTC time such as 2025-09-01T06:00:00.000000Z")
    try:
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise CheckpointFileError(f"{where} is not a valid date and time") from None


def _base64(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise CheckpointFileError(f"{where} must be base64 text")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointFileError(f"{where} is not valid base64 (truncated or altered?)") from None


def _state(value: Any) -> ChainState:
    chain = _fields(
        value,
        "body.chain",
        {
            "count",
            "last_record_id",
            "head_hash",
            "genesis_hash",
            "hash_algorithm",
            "milestone_every",
            "milestones",
            "fingerprint_bytes",
            "fingerprints",
        },
    )
    if chain["hash_algorithm"] != "sha256" or chain["milestone_every"] != MILESTONE_EVERY:
        raise CheckpointFileError(f"body.chain: only sha256 hashes with milestones every {MILESTONE_EVERY} are read")
    if chain["fingerprint_bytes"] != FINGERPRINT_BYTES:
        raise CheckpointFileError(f"body.chain: only fingerprints of {FINGERPRINT_BYTES} bytes are read")
    count = _integer(chain["count"], "body.chain.count")
    last = _integer(chain["last_record_id"], "body.chain.last_record_id", nullable=True)
    if (last is None) != (count == 0):
        raise CheckpointFileError("body.chain.last_record_id must be null exactly when the count is 0")
    milestones = chain["milestones"]
    if not isinstance(milestones, list) or len(milestones) != count // MILESTONE_EVERY:
        raise CheckpointFileError(
            f"body.chain.milestones must list {count // MILESTONE_EVERY} hashes for {count} records"
        )
    fingerprints = _base64(chain["fingerprints"], "body.chain.fingerprints")
    if len(fingerprints) != count * FINGERPRINT_BYTES:
        raise CheckpointFileError(
            f"body.chain.fingerprints holds {len(fingerprints) // FINGERPRINT_BYTES} records' fingerprints"
            f" where the checkpoint counts {count} (truncated?)"
        )
    return ChainState(
        count,
        last,
        _hash(chain["head_hash"], "body.chain.head_hash"),
        _hash(chain["genesis_hash"], "body.chain.genesis_hash"),
        tuple(_hash(m, f"body.chain.milestones[{i}]") for i, m in enumerate(milestones)),
        fingerprints,
    )


def _stamp(value: Any) -> Stamp | None:
    if value is None:
        return None
    stamp = _fields(value, "timestamp", {"token", "time", "authority"})
    return Stamp(
        _base64(stamp["token"], "timestamp.token"),
        _time(stamp["time"], "timestamp.time"),
        _text(stamp["authority"], "timestamp.authority", 500),
    )


def parse(data: bytes) -> CheckpointFile:
    """A checkpoint file read back, every field checked; CheckpointFileError says what is wrong."""
    if len(data) > MAX_FILE_BYTES:
        raise CheckpointFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB: not a checkpoint")
    if not data.strip():
        raise CheckpointFileError("the file is empty: not a checkpoint")
    try:
        text = data.decode("utf-8")
        found = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_float)
    except CheckpointFileError:
        raise
    except UnicodeDecodeError:
        raise CheckpointFileError("the file is not UTF-8 text: not a checkpoint") from None
    except json.JSONDecodeError as exc:
        raise CheckpointFileError(f"the file is not JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise CheckpointFileError("the file nests JSON too deeply: not a checkpoint") from None
    except ValueError:  # Python refuses to read integers of thousands of digits
        raise CheckpointFileError("the file holds a number of too many digits: not a checkpoint") from None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        shown = found.get("format") if isinstance(found, dict) else None
        said = f" (its format is {str(shown)[:60]!r})" if shown is not None else ""
        raise CheckpointFileError(f"not a govkit chain checkpoint{said}: this govkit reads {FORMAT}")
    envelope = _fields(
        found, "the file", {"format", "id", "url", "body", "body_sha256", "signature", "certificate", "timestamp"}
    )
    given = _fields(envelope["body"], "body", {"format", "made_at", "trigger", "issuer", "chain"})
    if given["format"] != FORMAT:
        raise CheckpointFileError(f"body.format must be {FORMAT}")
    if given["trigger"] not in TRIGGERS:
        raise CheckpointFileError(f"body.trigger must be one of {', '.join(TRIGGERS)}")
    _text(given["issuer"], "body.issuer", 500)
    state, made_at = _state(given["chain"]), _time(given["made_at"], "body.made_at")
    body_bytes = canonical(given)
    if hashlib.sha256(body_bytes).hexdigest() != _hash(envelope["body_sha256"], "body_sha256"):
        raise CheckpointFileError("body_sha256 is not the SHA-256 of the body: the file was altered")
    return CheckpointFile(
        id=_integer(envelope["id"], "id", nullable=True),
        url=_text(envelope["url"], "url", 2000, nullable=True),
        body=given,
        state=state,
        made_at=made_at,
        body_bytes=body_bytes,
        signature=_base64(envelope["signature"], "signature"),
        certificate=_text(envelope["certificate"], "certificate", 64 * 1024),
        stamp=_stamp(envelope["timestamp"]),
    )
