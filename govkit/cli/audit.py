"""`govkit audit`: the acknowledgement chain verified (against a checkpoint file too), checkpoints
made on demand, client data erased after the retention period."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import out, wired

audit_app = typer.Typer(help="The acknowledgement audit chain.", no_args_is_help=True)


@audit_app.command("verify")
@friendly
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint file (JSON): check its signature and timestamp, and that the chain still "
            "holds its records unchanged (else name the first rewritten one)",
        ),
    ] = None,
) -> None:
    """Walk the acknowledgement chain from its start; name the first broken link."""
    from govkit.acknowledgements.chain import verify

    if checkpoint is not None:
        _verify_checkpoint(checkpoint)
        return
    with wired() as wiring:
        report = verify(wiring.db)
    if not report.ok:
        where = f"record {report.broken_at}" if report.broken_at else "the chain head"
        fail(f"chain broken at {where} (after {report.records} records): {report.reason}")
    out.print(f"chain intact: {report.records} acknowledgements verified")


def _verify_checkpoint(path: Path) -> None:
    """One line per check on stdout; exit status 1 when one fails."""
    from govkit.checkpoints.file_format import MAX_FILE_BYTES, CheckpointFileError
    from govkit.checkpoints.proof_adapter import checker_of
    from govkit.checkpoints.verification import verify_file

    with path.open("rb") as given:
        data = given.read(MAX_FILE_BYTES + 1)
    with wired() as wiring:
        try:
            report = verify_file(db=wiring.db, data=data, checker=checker_of(wiring.settings))
        except CheckpointFileError as exc:
            fail(f"{path}: {exc}")
    for verdict in report.verdicts:
        out.print(f"{'ok    ' if verdict.ok else 'FAILED'} {verdict.line}", markup=False, soft_wrap=True)
    if not report.ok:
        fail(f"{path}: the checkpoint does not hold (see the lines marked FAILED)")
    anchored = report.file.state.last_record_id
    what = f"up to record {anchored}" if anchored is not None else "(it was empty then)"
    err.print(f"checkpoint {report.file.id} holds: the chain is anchored {what}")


@audit_app.command("checkpoint")
@friendly
def audit_checkpoint(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Also write the checkpoint file here")] = None,
) -> None:
    """Make a signed (and, with a TSA, timestamped) checkpoint of the acknowledgement chain now;
    it is published and e-mailed to GOVKIT_CHECKPOINT_RECIPIENTS."""
    from govkit.access.roles import SYSTEM
    from govkit.checkpoints import service
    from govkit.checkpoints.sealing import Sealer
    from govkit.checkpoints.vocabulary import SEALER_KEY

    with wired() as wiring:
        made = service.make_checkpoint(
            db=wiring.db,
            actor=SYSTEM,
            sealer=cast(Sealer, wiring.job_extras[SEALER_KEY]),
            settings=wiring.settings,
            jobs=wiring.jobs,
            requested_by=f"command line ({_user()})",
        )
        assert made is not None  # made on demand: always
        if output is not None:
            found = service.published_file(db=wiring.db, settings=wiring.settings, checkpoint_id=made.id)
            output.write_bytes(found.data)
    stamped = f", timestamped {made.timestamped_at:%Y-%m-%d %H:%M:%S} UTC" if made.timestamped_at else ""
    out.print(
        f"checkpoint {made.id}: {made.record_count} records, head {made.head_hash}{stamped}",
        markup=False,
        soft_wrap=True,
    )
    err.print(f"published at {made.url}" + (f"; written to {output}" if output else ""), markup=False)


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


def _user() -> str:
    """Who runs the command, as the operating system names them."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown user"
