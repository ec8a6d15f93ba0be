"""`govkit privacy retention`: what the daily ``retention.run`` job does, now (or as of a date):
erase the personal data of persons who left longer ago than the retention period (except those
under a legal hold) and the addresses of old e-mail notices. Counts by category, persons by id."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated

import typer

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import out, wired
from govkit.errors import InvalidInput


@friendly
def retention(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Apply the retention periods as of this date (YYYY-MM-DD; today)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; erase nothing")] = False,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Erase the personal data due for erasure (audited: one event per run); the acknowledgement
    chain, its checkpoints and the receipts still verify (`govkit audit verify`)."""
    from govkit.flows.retention import run_retention

    if output_format not in ("text", "json"):
        raise InvalidInput("--format is text or json.")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InvalidInput(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).") from None
    with wired() as wiring:
        report = run_retention(db=wiring.db, settings=wiring.settings, as_of=day, dry_run=dry_run)
    data = report.to_json()
    if output_format == "json":
        sys.stdout.write(json.dumps(data, sort_keys=True) + "\n")
        return
    what = "due (dry run: nothing erased)" if dry_run else "erased"
    out.print(
        f"retention as of {data['as_of']}: departures on or before {data['departed_before']}, notices before "
        f"{data['notices_before'][:10]}"
    )
    for name, count in data["counts"].items():
        out.print(f"  {name}: {count}")
    erased = data["persons_to_erase" if dry_run else "persons_erased"]
    out.print(f"persons {what}: {', '.join(map(str, erased)) or 'none'}")
    if data["persons_held"]:
        err.print(f"persons under a legal hold, kept: {', '.join(map(str, data['persons_held']))}")
