"""`govkit verify FILE.pdf`: check a sealed PDF receipt; `govkit receipts seal`: seal the pending
receipts now (on SQLite nothing seals them in the background)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import out, settings, wired

receipts_app = typer.Typer(help="The sealed PDF receipts of acknowledgements.", no_args_is_help=True)
#: A receipt is a few tens of kilobytes: a bigger file is refused before it is read.
MAX_FILE_BYTES = 20 * 1024 * 1024


@friendly
def verify(
    file: Annotated[Path, typer.Argument(help="The receipt's PDF")],
    chain: Annotated[
        bool | None,
        typer.Option(
            "--chain/--no-chain",
            help="Check the receipt against the acknowledgement chain (default: when GOVKIT_DATABASE_URL "
            "is set or ./govkit.db exists)",
        ),
    ] = None,
) -> None:
    """Check a sealed PDF receipt: its seal (GOVKIT_SEAL_TRUST_ROOTS, or the demo CA in dev), its
    time-stamp (GOVKIT_TSA_TRUST_ROOTS), that no byte changed since it was sealed, and that the
    record it states is in the chain. One line per check; exit status 1 if any fails."""
    from govkit.acknowledgements.receipt_check import check_receipt_pdf
    from govkit.proof.sealer import Sealer

    if file.stat().st_size > MAX_FILE_BYTES:
        fail(f"{file} is over {MAX_FILE_BYTES // (1024 * 1024)} MB: not a govkit receipt")
    data = file.read_bytes()
    if not data.startswith(b"%PDF-"):
        fail(f"{file} is not a PDF")
    given = settings()
    with_chain = chain if chain is not None else _database_configured(given.database_url)
    sealer = Sealer(given)
    if with_chain:
        with wired(given) as wiring:
            found = check_receipt_pdf(db=wiring.db, data=data, sealer=sealer)
    else:
        found = check_receipt_pdf(db=None, data=data, sealer=sealer)
    for check in found.checks:
        mark = "[green]ok  [/green]" if check.ok else "[red]FAIL[/red]"
        out.print(f"{mark} {check.name}: {escape(check.detail)}", soft_wrap=True)
    if not with_chain:
        out.print("--   chain: not checked (no database: give --chain with GOVKIT_DATABASE_URL)")
    if not found.ok:
        fail(f"{file.name} does not verify: {found.reason or 'not a sealed govkit receipt'}")
    err.print(f"{file.name}: valid receipt {found.code}")


def _database_configured(url: str) -> bool:
    if os.environ.get("GOVKIT_DATABASE_URL"):
        return True
    return url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists()


@receipts_app.command("seal")
@friendly
def seal(
    batch_size: Annotated[int | None, typer.Option(min=1, help="Default: GOVKIT_SEAL_BATCH_SIZE")] = None,
) -> None:
    """Make and seal every pending receipt now, in this process."""
    from govkit.acknowledgements.sealing import seal_pending
    from govkit.proof.sealer import SEALER, Sealer

    with wired() as wiring:
        sealer = wiring.job_extras.get(SEALER)
        assert isinstance(sealer, Sealer)
        report = seal_pending(db=wiring.db, sealer=sealer, batch_size=batch_size or wiring.settings.seal_batch_size)
    err.print(report.summary())
    if report.failed:
        first = next(iter(report.failed.items()))
        fail(f"{len(report.failed)} receipt(s) not sealed; acknowledgement {first[0]}: {first[1]}")
