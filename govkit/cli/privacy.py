"""`govkit privacy`: the register of processing and the retention of personal data."""

from __future__ import annotations

import typer

privacy_app = typer.Typer(
    help="Personal data: the register of processing, retention and erasure.", no_args_is_help=True
)

# Each part's commands are registered below, one line each (privacy_app.command("name")(function)).
from govkit.cli import privacy_register  # noqa: E402  (part 1: the register of processing)

privacy_app.command("register")(privacy_register.register)
from govkit.cli.privacy_retention import retention  # noqa: E402 - registered after the group is made

privacy_app.command("retention")(retention)
