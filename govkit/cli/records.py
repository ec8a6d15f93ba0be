"""`govkit import-training` and `govkit import-surveys`: a school's training and survey records from CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import wired

#: The problems of a refused file printed, at most.
SHOWN_PROBLEMS = 50

_FILE = typer.Argument(help="CSV (UTF-8, comma or semicolon separated)")


def _run(kind: str, file: Path, school: str) -> None:
    from govkit.access.roles import SYSTEM
    from govkit.errors import InvalidInput
    from govkit.rules import records_service

    data = file.read_bytes()
    run = records_service.import_training if kind == "training" else records_service.import_surveys
    with wired() as wiring:
        try:
            report = run(db=wiring.db, actor=SYSTEM, school=school, data=data)
        except InvalidInput as exc:
            if not exc.problems:
                raise
            for problem in exc.problems[:SHOWN_PROBLEMS]:
                err.print(f"{problem.path}: {problem.message}", markup=False, highlight=False)
            fail(f"nothing was imported: {len(exc.problems)} problem(s) in {file.name}")
    derived = f" ({report.derived_totals} total(s) from entry dates)" if report.derived_totals else ""
    err.print(f"{file.name}: {report.created} {kind} record(s) imported{derived}", markup=False, highlight=False)


@friendly
def import_training(
    file: Annotated[Path, _FILE],
    school: Annotated[str, typer.Option(help="School code")],
) -> None:
    """Import a school's training records from CSV (academic_year, audience, training, title[, trained, total,
    everyone, held_on, source_quote, note]): every line is checked first; any error imports nothing."""
    _run("training", file, school)


@friendly
def import_surveys(
    file: Annotated[Path, _FILE],
    school: Annotated[str, typer.Option(help="School (or group) code")],
) -> None:
    """Import an organisation's surveys from CSV (year, title, audience, status[, invited, respondents,
    population_total, source_quote, note]): every line is checked first; any error imports nothing."""
    _run("survey", file, school)
