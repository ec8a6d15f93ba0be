"""`govkit audit`: the acknowledgement chain verified, client data erased after the retention period."""

from __future__ import annotations

from typing import Annotated

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import out, wired

audit_app = typer.Typer(help="The acknowledgement audit chain.", no_args_is_help=True)


@audit_app.command("verify")
@friendly
def audit_verify() -> None:
    """Walk the acknowledgement chain from its start; name the first broken link."""
    from govkit.acknowledgements.chain import verify

    with wired() as wiring:
        report = verify(wiring.db)
    if not report.ok:
        where = f"record {report.broken_at}" if report.broken_at else "the chain head"
        fail(f"chain broken at {where} (after {report.records} records): {report.reason}")
    out.print(f"chain intact: {report.records} acknowledgements verified")


@audit_app.command("erase-client-data")
@friendly
def audit_erase(
    older_than_days: Annotated[int | None, typer.Option(help="Default: GOVKIT_CLIENT_DATA_RETENTION_DAYS")] = None,
) -> None:
    """Erase IP addresses and user agents older than the retention period (the proof stays verifiable)."""
    from govkit.acknowledgements.privacy import erase_client_data

    with wired() as wiring:
        days = older_than_days or wiring.settings.client_data_retention_days
        count = erase_client_data(db=wiring.db, older_than_days=days)
    err.print(f"client data erased from {count} acknowledgements older than {days} days")
