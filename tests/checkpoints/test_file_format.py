"""The checkpoint file (pure): written and read back, every malformed file refused in one line,
and the chain compared with it across milestones — synthetic hashes, no database."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from govkit.checkpoints.comparison import compare
from govkit.checkpoints.file_format import (
    FINGERPRINT_BYTES,
    MAX_FILE_BYTES,
    MILESTONE_EVERY,
    ChainDigest,
    CheckpointFileError,
    Stamp,
    body,
    parse,
    write,
)

GENESIS = hashlib.sha256(b"genesis").hexdigest()
MADE = datetime(2025, 9, 1, 2, 0, 0, 123456, tzinfo=UTC)


def hashes(count: int, seed: str = "") -> list[str]:
    """A chain's worth of hashes, each covering the one before (as the real chain's)."""
    found, previous = [], GENESIS
    for n in range(count):
        previous = hashlib.sha256(f"{previous}\n{seed}{n}".encode()).hexdigest()
        found.append(previous)
    return found


def rows(values: list[str], first_id: int = 1) -> list[tuple[int, str, str]]:
    return [(first_id + n, h, f"CODE-{first_id + n}") for n, h in enumerate(values)]


def state_of(values: list[str], first_id: int = 1):  # type: ignore[no-untyped-def]
    digest = ChainDigest(GENESIS)
    for record_id, h, _ in rows(values, first_id):
        digest.add(record_id, h)
    return digest.state()


def file_bytes(count: int = 5, *, stamp: bool = True) -> bytes:
    signed = body(state_of(hashes(count)), made_at=MADE, trigger="schedule", issuer="https://govkit.test")
    given_stamp = Stamp(b"\x30\x03\x02\x01\x01", MADE, "http://tsa.test") if stamp else None
    return write(
        id=7,
        url="https://govkit.test/public/chain/checkpoints/7.json",
        body=signed,
        signature=b"\x30\x00",
        certificate="-----BEGIN CERTIFICATE-----\n",
        stamp=given_stamp,
    )


def test_a_file_reads_back_as_written() -> None:
    data = file_bytes(2 * MILESTONE_EVERY + 3)
    found = parse(data)
    assert found.state == state_of(hashes(2 * MILESTONE_EVERY + 3))
    assert len(found.state.milestones) == 2 and found.made_at == MADE
    assert found.stamp == Stamp(b"\x30\x03\x02\x01\x01", MADE, "http://tsa.test")
    assert found.to_bytes() == data
    assert json.loads(data)["body_sha256"] == hashlib.sha256(found.body_bytes).hexdigest()
    # record n's fingerprint is characters 8(n-1) to 8n of the string
    text = json.loads(data)["body"]["chain"]["fingerprints"]
    third = hashes(3)[2]
    assert base64.b64decode(text[16:24]) == bytes.fromhex(third)[:FINGERPRINT_BYTES]
    assert parse(file_bytes(0, stamp=False)).state.count == 0


def test_the_first_rewritten_record_is_named_across_milestones() -> None:
    original = hashes(3000)
    state = state_of(original)
    assert compare(state, rows(original + hashes(5, "later"))) is None
    rewritten = original[:1499] + hashes(1501, "forged")  # record 1500 and every later one
    found = compare(state, rows(rewritten))
    assert found is not None and (found.position, found.record_id, found.verification_code) == (1500, 1500, "CODE-1500")


def test_forged_fingerprints_are_caught_at_the_next_milestone() -> None:
    original = hashes(3000)
    state = state_of(original)
    # every hash from record 1500 replaced by one that keeps its first six bytes (a forger's grinding)
    forged = [
        h if n < 1499 else h[: 2 * FINGERPRINT_BYTES] + "0" * (64 - 2 * FINGERPRINT_BYTES)
        for n, h in enumerate(original)
    ]
    found = compare(state, rows(forged))
    assert found is not None and found.position == MILESTONE_EVERY + 1 and "forged" in found.why
    # past the last milestone, the head catches it
    tail = [*original[:2999], original[2999][:12] + "f" * 52]
    found = compare(state, rows(tail))
    assert found is not None and found.position == 2 * MILESTONE_EVERY + 1


def test_removed_and_renumbered_records_diverge() -> None:
    original = hashes(10)
    state = state_of(original)
    found = compare(state, rows(original[:7]))
    assert found is not None and found.position == 8 and found.record_id is None and "removed" in found.why
    found = compare(state, rows(original[:4] + original[5:]))  # record 5 deleted, the rest kept
    assert found is not None and found.record_id == 5
    found = compare(state, rows(original, first_id=101))  # same hashes, other ids
    assert found is not None and "last record" in found.why


def _mutated(change) -> bytes:  # type: ignore[no-untyped-def]
    document = json.loads(file_bytes(20))
    change(document)
    return json.dumps(document).encode()


def _set(path: str, value: object):  # type: ignore[no-untyped-def]
    def change(document: dict) -> None:  # type: ignore[type-arg]
        *parents, last = path.split(".")
        for key in parents:
            document = document[key]
        document[last] = value

    return change


MALFORMED = {
    "empty": b"",
    "not json": b"hello",
    "not utf-8": b"\xff\xfe{}",
    "a list": b"[1, 2]",
    "deep nesting": b"[" * 200_000 + b"]" * 200_000,
    "huge number": b'{"format": ' + b"9" * 5000 + b"}",
    "NaN": b'{"format": NaN}',
    "float": _mutated(_set("id", 1.5)),
    "duplicate keys": b'{"format": "govkit-chain-checkpoint/1", "format": "x"}',
    "other format": _mutated(_set("format", "govkit-chain-checkpoint/2")),
    "missing field": _mutated(lambda d: d.pop("signature")),
    "extra field": _mutated(_set("extra", 1)),
    "truncated fingerprints": _mutated(
        lambda d: d["body"]["chain"].update(fingerprints=d["body"]["chain"]["fingerprints"][:-3])
    ),
    "fingerprints of fewer records": _mutated(
        lambda d: d["body"]["chain"].update(fingerprints=d["body"]["chain"]["fingerprints"][:-8])
    ),
    "base64 with junk": _mutated(_set("signature", "MAA=\n<script>")),
    "boolean count": _mutated(_set("body.chain.count", True)),
    "negative id": _mutated(_set("id", -1)),
    "upper-case hash": _mutated(_set("body.chain.head_hash", "A" * 64)),
    "local time": _mutated(_set("body.made_at", "2025-09-01T02:00:00+02:00")),
    "body altered": _mutated(_set("body.chain.count", 19)),
    "head swapped": _mutated(_set("body.chain.head_hash", "0" * 64)),
    "unknown trigger": _mutated(_set("body.trigger", "whim")),
    "timestamp not an object": _mutated(_set("timestamp", "yesterday")),
    "too large": b" " * (MAX_FILE_BYTES + 1),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_files_are_refused_in_one_line(name: str) -> None:
    with pytest.raises(CheckpointFileError) as refused:
        parse(MALFORMED[name])
    message = str(refused.value)
    assert message and "\n" not in message and len(message) < 300, message


@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_damaged_file_is_refused_or_read_never_crashes(data: st.DataObject) -> None:
    original = file_bytes(30)
    cut = data.draw(st.integers(min_value=0, max_value=len(original)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=4))
    damaged = bytearray(original[:cut] if data.draw(st.booleans()) else original)
    for position, value in flips:
        if position < len(damaged):
            damaged[position] = value
    try:
        found = parse(bytes(damaged))
    except CheckpointFileError:
        return
    assert found.body_bytes  # read: then its body is what its body_sha256 says
