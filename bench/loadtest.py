"""The rentrée, replayed against `govkit serve` on PostgreSQL from another process.

    python bench/loadtest.py [--persons-per-school N] [--clients 16] [--pollers 2] [--workers 2]

Every member of the eight schools fetches `me`, downloads each document to acknowledge, and
acknowledges it (with the SHA-256 of what they read); meanwhile the schools' intranets poll
`publishedDocuments`. It reports throughput, p50/p99 latency and errors per request, then
checks that every acknowledgement sent is stored exactly once and that the chain verifies, and
that `me` answers at p50 within ME_VS_POLL_TARGET × the intranets' poll's p50 (same run).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadclient as lc
from bench.api import stored_exactly_once
from bench.common import SCRATCH, drop_postgres, row
from bench.rentree import Member, Rentree, prepare
from bench.server import GOVKIT, serving

ME = "{ me { pendingDocuments { document { id sha256 } } } }"
ACKNOWLEDGE = """mutation Acknowledge($id: ID!, $sha: String!) {
  acknowledge(documentVersionId: $id, documentSha256: $sha) { verificationCode recordHash }
}"""
#: The target: a member's `me` answers, at p50, within this multiple of the intranets' poll's p50,
#: both measured in the same run (the issue 17 target; 2.3 × on 2026-12-04, 76 ms vs 33 ms).
ME_VS_POLL_TARGET = 1.5

POLL = """query Published($school: String!) {
  publishedDocuments(school: $school) { id kind language version sha256 effectiveFrom }
}"""


def _member_script(member: Member, host: str) -> list[lc.Step]:
    auth = {"Authorization": f"Bearer {member.token}"}
    ids = [str(d).encode() for d in member.documents]

    def me_lists_them(response: lc.Response) -> bool:
        return response.status == 200 and all(b'"id":"' + i + b'"' in response.body for i in ids)

    steps: list[lc.Step] = [("me", lc.graphql_request(ME, host=host, token=member.token), me_lists_them)]
    for document, sha in zip(member.documents, member.shas, strict=True):
        steps.append(
            (
                "download",
                lc.request_bytes("GET", f"/documents/{sha}", host=host, headers=auth),
                lambda r: r.status == 200 and r.body[:2] == b"PK",
            )
        )
        steps.append(
            (
                "acknowledge",
                lc.graphql_request(
                    ACKNOWLEDGE, host=host, variables={"id": str(document), "sha": sha}, token=member.token
                ),
                lambda r: r.status == 200 and b'"verificationCode"' in r.body and b'"errors"' not in r.body,
            )
        )
    return steps


def members(rentree: Rentree, host: str) -> Iterator[Sequence[lc.Step]]:
    order = list(rentree.members)
    random.Random(2026).shuffle(order)
    for member in order:
        yield _member_script(member, host)


def pollers(rentree: Rentree, host: str) -> Iterator[Sequence[lc.Step]]:
    steps = [
        (
            "poll",
            lc.graphql_request(POLL, host=host, variables={"school": school}, token=token),
            lambda r: r.status == 200 and b'"errors"' not in r.body,
        )
        for school, token in sorted(rentree.intranet_tokens.items())
    ]
    for step in itertools.cycle(steps):
        yield (step,)


def replay(rentree: Rentree, *, clients: int, pollers_count: int, workers: int) -> dict:
    with serving(GOVKIT, env=rentree.server_env(), workers=workers) as (host, port):
        ours, theirs = lc.drive_mixed(
            host,
            port,
            members(rentree, host),
            concurrency=clients,
            background=pollers(rentree, host),
            background_concurrency=pollers_count,
        )
    everything = lc.Report(ours.outcomes + theirs.outcomes, ours.seconds)
    acknowledged = [o for o in ours.outcomes if o.tag == "acknowledge" and o.ok]
    ok, detail = stored_exactly_once(rentree, len(acknowledged))
    summary = everything.summary()
    summary["acknowledgements_per_second"] = round(len(acknowledged) / ours.seconds, 1)
    summary["members"] = len(rentree.members)
    summary["server_processes"] = workers
    summary["clients"] = {"members": clients, "intranets": pollers_count}
    summary["stored_exactly_once"] = ok
    summary["me_vs_poll_p50"] = me_vs_poll(summary)
    summary["check"] = detail
    return summary


def me_vs_poll(summary: dict) -> float:
    """`me`'s p50 latency as a multiple of the intranets' poll's, in one run's summary."""
    by_request = summary["by_request"]
    poll = by_request.get("poll", {}).get("p50_ms", 0.0)
    return round(by_request.get("me", {}).get("p50_ms", 0.0) / poll, 2) if poll else float("inf")


def run(quick: bool) -> list[dict]:
    rentree = prepare("postgresql", "rentree", persons_per_school=100 if quick else 400)
    try:
        summary = replay(rentree, clients=16, pollers_count=2, workers=2)
    finally:
        drop_postgres(rentree.url)
    # the full run's figures (the README's per-request table) stay in bench/loadtest.json
    output = SCRATCH / "loadtest-quick.json" if quick else Path(__file__).parent / "loadtest.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(summary, indent=2) + "\n")
    sent = summary["by_request"].get("acknowledge", {}).get("requests", 0) - summary["by_request"].get(
        "acknowledge", {}
    ).get("errors", 0)
    me, poll = summary["by_request"]["me"], summary["by_request"]["poll"]
    return [
        row(
            f"rentrée load test ({summary['members']} members, intranets polling)",
            unit="ack/s",
            govkit=summary["acknowledgements_per_second"],
            baseline=summary["per_second"],
            baseline_name="all requests/s",
            ratio=1.0 if summary["stored_exactly_once"] else 0.0,
            target="no errors; every acknowledgement stored exactly once; chain intact",
            holds=summary["errors"] == 0 and summary["stored_exactly_once"] and sent > 0,
            digits=1,
            detail=f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms; {summary['check']}",
        ),
        row(
            "rentrée load test: `me` vs the intranets' poll (p50 latency)",
            unit="ms",
            govkit=me["p50_ms"],
            baseline=poll["p50_ms"],
            baseline_name="publishedDocuments poll, same run",
            ratio=summary["me_vs_poll_p50"],
            target=f"<= {ME_VS_POLL_TARGET} (me p50 vs poll p50)",
            holds=summary["me_vs_poll_p50"] <= ME_VS_POLL_TARGET,
            detail=f"p99 me {me['p99_ms']} ms, poll {poll['p99_ms']} ms; {me['requests']} me, {poll['requests']} polls",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons-per-school", type=int, default=1000, help="synthetic persons per school")
    parser.add_argument("--clients", type=int, default=16, help="members' concurrent connections")
    parser.add_argument("--pollers", type=int, default=2, help="intranets' concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    args = parser.parse_args()
    rentree = prepare("postgresql", "rentree", persons_per_school=args.persons_per_school)
    try:
        summary = replay(rentree, clients=args.clients, pollers_count=args.pollers, workers=args.workers)
    finally:
        drop_postgres(rentree.url)
    print(json.dumps(summary, indent=2))
    holds = summary["me_vs_poll_p50"] <= ME_VS_POLL_TARGET
    verdict = "holds" if holds else "NOT met"
    print(f"me p50 / poll p50 = {summary['me_vs_poll_p50']} (target <= {ME_VS_POLL_TARGET}: {verdict})")
    raise SystemExit(0 if summary["errors"] == 0 and summary["stored_exactly_once"] and holds else 1)


if __name__ == "__main__":
    main()
