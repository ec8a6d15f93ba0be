"""`govkit import-persons` (a school's persons from CSV) and `govkit persons export` (right of access)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import wired

persons_app = typer.Typer(help="Persons (students and staff).", no_args_is_help=True)

#: The problems of a refused file printed, at most.
SHOWN_PROBLEMS = 50


@friendly
def import_persons(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, comma or semicolon separated)")],
    school: Annotated[str, typer.Option(help="School code")],
) -> None:
    """Import a school's persons from CSV: every line is checked first; any error imports nothing."""
    from govkit.access.roles import SYSTEM
    from govkit.acknowledgements.persons import import_persons as run_import

    data = file.read_bytes()
    with wired() as wiring:
        report = run_import(db=wiring.db, actor=SYSTEM, school=school, data=data, jobs=wiring.jobs)
    if not report.ok:
        for error in report.errors[:SHOWN_PROBLEMS]:
            column = f" ({error.column})" if error.column else ""
            err.print(f"line {error.line}{column}: {error.message}")
        fail(f"nothing was imported: {len(report.errors)} problem(s) in {file.name}")
    err.print(
        f"{file.name}: {report.created} created, {report.updated} updated ({report.departed} departed), "
        f"{report.unchanged} unchanged"
    )


@persons_app.command("export")
@friendly
def persons_export(
    school: Annotated[str, typer.Option(help="School code")],
    person: Annotated[str, typer.Option(help="The person's external id")],
) -> None:
    """Print, as JSON, everything govkit holds about a person (right of access): the document the person
    downloads from their page. The export is written to the audit log (``cli.persons.export``, the
    person named by id) and to the person's read log."""
    from govkit.access.roles import SYSTEM
    from govkit.flows.data_protection import export_person

    with wired() as wiring:
        data = export_person(
            db=wiring.db,
            actor=SYSTEM,
            school=school,
            external_id=person,
            public_url=wiring.settings.public_url,
        )
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
