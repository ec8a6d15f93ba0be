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
    """Print, as JSON, everything govkit holds about a person (right of access). The export is written
    to the audit log (``cli.persons.export``, the person named by id) and to the person's read log."""
    from govkit.access.audit import AuditEvent
    from govkit.access.roles import SYSTEM
    from govkit.flows.data_protection import export_person
    from govkit.privacy.reads import record_reads

    with wired() as wiring:
        data = export_person(db=wiring.db, school=school, external_id=person)
        person_id = int(data["person"]["id"])
        with wiring.db.transaction() as session:
            session.add(
                AuditEvent(
                    correlation_id="cli",
                    subject=SYSTEM.subject,
                    role=SYSTEM.role.value if SYSTEM.role else None,
                    action="cli.persons.export",
                    target={"person": person_id, "school": school},
                    outcome="ok",
                )
            )
            record_reads(
                session, reader=SYSTEM, person_ids=[person_id], channel="cli", fields=["all"], correlation_id="cli"
            )
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
