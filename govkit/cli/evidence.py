"""`govkit evidence`: a person's evidence file on a date, as JSON or as a Word document."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import wired
from govkit.errors import InvalidInput


@friendly
def evidence(
    school: Annotated[str, typer.Option(help="School code")],
    person: Annotated[str, typer.Option(help="The person's external id")],
    day: Annotated[str, typer.Option("--date", help="The date in question (YYYY-MM-DD)")],
    output_format: Annotated[str, typer.Option("--format", help="json, docx or pdf (sealed PDF/A)")] = "json",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write here (json: stdout by default; docx, pdf: a named file)"),
    ] = None,
    language: Annotated[str, typer.Option("--lang", help="fr or en: the document's language")] = "fr",
) -> None:
    """The evidence file of a person on a date: per regulation, the version in force, the acknowledgement
    and its chain proof (written to the audit log)."""
    from govkit.access.roles import SYSTEM
    from govkit.evidence.document import evidence_docx
    from govkit.evidence.export import to_json
    from govkit.evidence.service import evidence_file

    if output_format not in ("json", "docx", "pdf"):
        raise InvalidInput("--format is json, docx or pdf.")
    if language not in ("fr", "en"):
        raise InvalidInput("--lang is fr or en.")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(f"--date {day!r} is not a date (YYYY-MM-DD).") from None
    with wired() as wiring:
        found = evidence_file(
            db=wiring.db, actor=SYSTEM, school=school, person=person, day=when, correlation_id="cli", channel="cli"
        )
        data = to_json(found, wiring.settings.public_url)
    if output_format == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            sys.stdout.write(text)
            return
        output.write_text(text, encoding="utf-8")
    else:
        if output is None:
            name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"dossier-de-preuve-{school}-{person}-{when}")
            output = Path(f"{name}.{output_format}")
        if output_format == "pdf":
            from govkit.evidence.pdf import evidence_pdf
            from govkit.proof.sealer import Sealer

            output.write_bytes(evidence_pdf(data, language, Sealer(wiring.settings)))
        else:
            output.write_bytes(evidence_docx(data, language))
    err.print(f"wrote {output}")
