"""`govkit privacy register`: the register of processing generated from the code, in Markdown or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import settings
from govkit.errors import InvalidInput


@friendly
def register(
    output_format: Annotated[str, typer.Option("--format", help="md (Markdown) or json")] = "md",
    language: Annotated[str, typer.Option("--language", "--lang", help="fr or en")] = "fr",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here (default: stdout)")] = None,
) -> None:
    """The register of processing (GDPR art. 30): each category of personal data govkit stores, its
    purpose, legal basis, recipients, retention (GOVKIT_* settings), where it is erased, and every
    personal column."""
    import govkit.models
    from govkit.privacy.register import LANGUAGES, as_json, as_markdown, build

    if output_format not in ("md", "json"):
        raise InvalidInput(f"--format is md or json, not {output_format!r}.")
    if language not in LANGUAGES:
        raise InvalidInput(f"--language is fr or en, not {language!r}.")
    found = build(govkit.models.metadata)
    configured = settings()
    if output_format == "json":
        text = json.dumps(as_json(found, language, configured), ensure_ascii=False, indent=2) + "\n"
    else:
        text = as_markdown(found, language, configured)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}")
