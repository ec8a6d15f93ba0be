"""`govkit documents convert`: the PDF/A renditions of published documents, made now in this
process (one LibreOffice run per batch); documents already converted are skipped."""

from __future__ import annotations

from typing import Annotated

import typer

from govkit.cli.errors import fail, friendly
from govkit.cli.wiring import out, wired
from govkit.errors import InvalidInput

documents_app = typer.Typer(help="Published documents: their PDF/A and HTML renditions.", no_args_is_help=True)


@documents_app.command("convert")
@friendly
def convert(
    every: Annotated[bool, typer.Option("--all", help="Every published document version of every school")] = False,
    school: Annotated[str | None, typer.Option(help="The published document versions of one school (its code)")] = None,
) -> None:
    """Convert published documents to PDF/A-2b (those not converted yet), checked before they are kept.

    Prints how many were converted, already there and failed, then each failure with its reason;
    exit status 1 if any failed."""
    from govkit.documents.pdf_conversion import SOFFICE, SofficeRunner
    from govkit.documents.renditions import convert_pending, published_sha256s

    if every == (school is not None):
        raise InvalidInput("Give either --all or --school CODE.")
    with wired() as wiring:
        runner = wiring.job_extras.get(SOFFICE)
        if not isinstance(runner, SofficeRunner):
            runner = SofficeRunner.of(wiring.settings)
        sha256s = published_sha256s(wiring.db, school=school)
        report = convert_pending(wiring.db, sha256s=sha256s, runner=runner, batch_size=wiring.settings.pdf_batch_size)
    out.print(report.summary(), soft_wrap=True)
    for sha256, reason in sorted(report.failed.items()):
        out.print(f"failed {sha256}: {reason}", soft_wrap=True, markup=False)
    if report.failed:
        fail(f"{len(report.failed)} of {len(sha256s)} documents could not be converted (listed above)")
