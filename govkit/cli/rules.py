"""`govkit check` (the rules of the action plan) and `govkit barometer` (the yearly indicators)."""

from __future__ import annotations

import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import out, wired
from govkit.errors import InvalidInput


def _day(option: str, text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"{option} {text!r} is not a date (YYYY-MM-DD).") from None


def _moment(text: str | None) -> datetime | None:
    """A --known-at timestamp (ISO 8601; without an offset: UTC)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--known-at {text!r} is not a date and time (YYYY-MM-DDTHH:MM[:SS][+HH:MM]).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


AS_OF_HELP = (
    "Evaluate as of this date (YYYY-MM-DD, valid time). A past date stores the run apart (basis as_of): "
    "the current findings, which `govkit check` and the dashboards show, stay as they are"
)
KNOWN_AT_HELP = "As govkit knew it then (YYYY-MM-DDTHH:MM, UTC unless an offset is given); stored apart too"


@friendly
def check(
    school: Annotated[str | None, typer.Option(help="Only this organisation")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    known_at: Annotated[str | None, typer.Option("--known-at", help=KNOWN_AT_HELP)] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    language: Annotated[str, typer.Option("--lang", help="fr or en messages")] = "fr",
) -> None:
    """Run the rules of the action plan and store the run; exit 1 when an unwaived error remains."""
    from govkit.access.roles import SYSTEM
    from govkit.cli.tables import findings_table
    from govkit.rules.report import check_json
    from govkit.rules.service import run_rules

    if output_format not in ("table", "json"):
        raise InvalidInput("--format is table or json.")
    day, moment = _day("--as-of", as_of), _moment(known_at)
    with wired() as wiring:
        result = run_rules(db=wiring.db, actor=SYSTEM, as_of=day, known_at=moment, schools=[school] if school else None)
    met = result.arrangements  # those meeting obligations at the organisations checked, from the run's facts
    if output_format == "json":
        sys.stdout.write(check_json(result) + "\n")
    else:
        rows = [f for f in result.findings if f.record.status != "resolved"]
        by_school: dict[str, list[Any]] = {}
        for f in rows:
            by_school.setdefault(f.organisation, []).append(f)
        for code in sorted(by_school):
            out.print(findings_table(code, by_school[code], language))
        if met.arrangements:  # each shared, group or external arrangement once, with its members
            out.print("Dispositifs mutualisés, de groupe ou prestataires" if language == "fr" else "Arrangements")
            for line in met.lines(language):
                out.print(textwrap.fill(line, width=79, initial_indent="  ", subsequent_indent="    "))
        counts = {s: sum(1 for f in rows if f.record.severity == s) for s in ("error", "warning", "info")}
        basis = "" if result.is_current else " (stored apart: the current findings are unchanged)"
        known = f", as known at {result.run.known_at:%Y-%m-%d %H:%M} UTC" if result.run.known_at else ""
        out.print(
            f"{counts['error']} errors ({len(result.blocking)} unwaived), {counts['warning']} warnings, "
            f"{counts['info']} info — run {result.run.id} as of {result.run.as_of}{known}{basis}"
        )
    if result.blocking:
        raise typer.Exit(1)


@friendly
def barometer(
    year: Annotated[int, typer.Option(help="Year of the barometer")],
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the indicators as CSV")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Another day than the end of the year (YYYY-MM-DD)")
    ] = None,
    known_at: Annotated[str | None, typer.Option("--known-at", help=KNOWN_AT_HELP)] = None,
) -> None:
    """The yearly barometer: indicators per school and for the group, from what was true at the end of
    the year (valid time), whenever it was recorded; "not known" where a fact is dated too loosely."""
    from govkit.access.roles import SYSTEM
    from govkit.cli.tables import barometer_tables
    from govkit.csvsafe import csv_writer
    from govkit.rules.barometer import INDICATORS
    from govkit.rules.service import barometer as compute

    with wired() as wiring:
        data = compute(db=wiring.db, actor=SYSTEM, year=year, as_of=_day("--as-of", as_of), known_at=_moment(known_at))
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
