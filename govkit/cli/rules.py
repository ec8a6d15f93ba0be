"""`govkit check` (the rules of the action plan) and `govkit barometer` (the yearly indicators)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import out, wired
from govkit.errors import InvalidInput


@friendly
def check(
    school: Annotated[str | None, typer.Option(help="Only this organisation")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD)")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    language: Annotated[str, typer.Option("--lang", help="fr or en messages")] = "fr",
) -> None:
    """Run the rules of the action plan; exit 1 when an unwaived error remains."""
    from govkit.access.roles import SYSTEM
    from govkit.cli.tables import findings_table
    from govkit.rules.report import check_json
    from govkit.rules.service import run_rules

    if output_format not in ("table", "json"):
        raise InvalidInput("--format is table or json.")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InvalidInput(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).") from None
    with wired() as wiring:
        result = run_rules(db=wiring.db, actor=SYSTEM, as_of=day, schools=[school] if school else None)
    if output_format == "json":
        sys.stdout.write(check_json(result) + "\n")
    else:
        rows = [f for f in result.findings if f.record.status != "resolved"]
        by_school: dict[str, list[Any]] = {}
        for f in rows:
            by_school.setdefault(f.organisation, []).append(f)
        for code in sorted(by_school):
            out.print(findings_table(code, by_school[code], language))
        counts = {s: sum(1 for f in rows if f.record.severity == s) for s in ("error", "warning", "info")}
        out.print(
            f"{counts['error']} errors ({len(result.blocking)} unwaived), {counts['warning']} warnings, "
            f"{counts['info']} info — run {result.run.id} as of {result.run.as_of}"
        )
    if result.blocking:
        raise typer.Exit(1)


@friendly
def barometer(
    year: Annotated[int, typer.Option(help="Year of the barometer")],
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the indicators as CSV")] = None,
) -> None:
    """The yearly barometer: indicators per school and for the group."""
    from govkit.access.roles import SYSTEM
    from govkit.cli.tables import barometer_tables
    from govkit.csvsafe import csv_writer
    from govkit.rules.barometer import INDICATORS
    from govkit.rules.service import barometer as compute

    with wired() as wiring:
        data = compute(db=wiring.db, actor=SYSTEM, year=year)
    for table in barometer_tables(data, year, INDICATORS, out.width):
        out.print(table)
    if csv_file is None:
        return
    with csv_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)
        writer.writerow(["year", "as_of", "organisation", "indicator", "axe", "unit", "value"])
        for row in [*data.schools, data.group]:
            for indicator in INDICATORS:
                value = row.values.get(indicator.id)
                writer.writerow(
                    [
                        year,
                        data.as_of,
                        row.organisation,
                        indicator.id,
                        indicator.axe,
                        indicator.unit,
                        "" if value is None else value,
                    ]
                )
            for population, value in row.acknowledgement_by_population.items():
                writer.writerow(
                    [year, data.as_of, row.organisation, f"acknowledgement_rate.{population}", 4, "rate", value]
                )
    err.print(f"wrote {csv_file}")
