"""govkit benchmarks, each beside the raw library on the same input, in the same run.

    python -m bench.run [--quick] [--only documents,api,...] [--output FILE]

Prints a table. Figures are medians of repeated runs; every speed target is a ratio against
a baseline measured in the same run, on the same data, as many times (see README, "Benchmarks");
absolute figures (seconds, requests per second) are information, never pass or fail.

Where the results go: a full run of every group writes bench/results.json (the README's
figures); a quick run, or a run of some groups, writes results-quick.json or
results-partial.json in the benchmarks' scratch directory (GOVKIT_BENCH_TMP, else the system's
temporary directory, under govkit-bench/), so that it never replaces the full run's figures;
``--output`` chooses the file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, SCRATCH, machine

#: The benchmark modules, in the order they run; each has run(quick) -> list of result rows.
GROUPS = ["documents", "api", "loadtest", "campaigns", "check", "jobscale", "pdf", "mail", "seal"]


def table(results: list[dict]) -> str:
    lines = ["| benchmark | govkit | baseline | ratio | target | holds |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['govkit']} {r['unit']} | {r['baseline']} ({r['baseline_name']}) | "
            f"{r['ratio']} | {r['target']} | {'yes' if r['holds'] else 'NO'} |"
        )
    return "\n".join(lines)


def results_path(*, quick: bool, partial: bool) -> Path:
    """bench/results.json holds the figures of the last full run of every group, which the README shows."""
    if quick:
        return SCRATCH / "results-quick.json"
    if partial:
        return SCRATCH / "results-partial.json"
    return ROOT / "bench" / "results.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter runs (under 3 minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated groups among {', '.join(GROUPS)}")
    parser.add_argument("--output", type=Path, help="where to write the results (JSON); see above for the default")
    args = parser.parse_args()
    groups = [g for g in args.only.split(",") if g] or GROUPS
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}: choose among {', '.join(GROUPS)}")
    results: list[dict] = []
    started = time.perf_counter()
    for group in groups:
        began = time.perf_counter()
        rows = importlib.import_module(f"bench.{group}").run(args.quick)
        print(f"[{group}] {len(rows)} figure(s) in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
        results += rows
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for r in results:
        r["machine"], r["date"] = machine(), stamp
        r["mode"] = "quick" if args.quick else "full"
    output = args.output or results_path(quick=args.quick, partial=bool(args.only))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    print(f"\n{machine()}, {stamp}, {'quick' if args.quick else 'full'} run in {time.perf_counter() - started:.0f} s")
    print(f"results written to {output}")
    return 0 if all(r["holds"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
