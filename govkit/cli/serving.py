"""`govkit serve` and `govkit demo`: the API served, on an existing database or on the IMT demo data."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Annotated

import typer

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import redact, settings, wired
from govkit.errors import InvalidInput
from govkit.settings import Settings, get_settings
from govkit.stopping import stops_cleanly

if TYPE_CHECKING:
    from govkit.composition import Wiring

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def own_url(host: str, port: int) -> str:
    """The server's own address, for the URLs it gives out when GOVKIT_PUBLIC_URL is empty: the
    interface it listens on, or this machine's name when it listens on every interface."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        host = socket.gethostname()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def with_public_url(given: Settings, host: str, port: int) -> Settings:
    """``given``, with GOVKIT_PUBLIC_URL defaulting to the server's own address (``own_url``), also
    put in the environment, which each server process reads its settings from: the URLs in GraphQL
    answers, webhooks and e-mails are absolute either way. Behind a proxy, set GOVKIT_PUBLIC_URL."""
    if given.public_url:
        return given
    url = own_url(host, port)
    os.environ["GOVKIT_PUBLIC_URL"] = url
    get_settings.cache_clear()
    err.print(f"GOVKIT_PUBLIC_URL is not set: the URLs given out start with {url}")
    return given.model_copy(update={"public_url": url})


def _serve(
    given: Settings, host: str, port: int, workers: int = 1, log_level: str = "info", access_log: bool = False
) -> None:
    from govkit.serving import serve as run

    given = with_public_url(given, host, port)
    where = redact(given.database_url)
    err.print(f"govkit serving on http://{host}:{port}/graphql ({given.env.value}, {where}, {workers} process(es))")
    # Each server process builds the app from the same GOVKIT_* environment.
    run(host=host, port=port, workers=workers, log_level=log_level, access_log=access_log)


@friendly
@stops_cleanly
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per core on PostgreSQL)")] = 1,
    log_level: Annotated[str, typer.Option(help="critical, error, warning, info or debug")] = "info",
    access_log: Annotated[bool, typer.Option(help="Log every request (a reverse proxy usually does)")] = False,
) -> None:
    """Serve the API (GraphQL at /graphql) on an already migrated database."""
    if log_level.lower() not in LOG_LEVELS:
        raise InvalidInput(f"Unknown log level {log_level!r}: use one of {', '.join(LOG_LEVELS)}.")
    _serve(settings(), host, port, workers, log_level.lower(), access_log)


@friendly
@stops_cleanly
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data, then stop")] = False,
) -> None:
    """Migrate the database, load the IMT demo data (once), and serve the API."""
    from govkit import migrations
    from govkit.access.roles import SYSTEM
    from govkit.demo.documents import publish_all
    from govkit.demo.loader import load_demo
    from govkit.notifications import reads as notices
    from govkit.search.service import index_missing_clauses

    given = with_public_url(settings(), host, port)
    migrations.upgrade(url=given.database_url)
    with wired(given) as wiring:
        report = load_demo(db=wiring.db)
        if report.loaded:
            err.print(
                f"loaded the IMT demo data: {report.organisations} organisations, {report.persons} synthetic persons"
            )
        else:
            err.print("the IMT demo data is already loaded: not loaded again")
        published = publish_all(
            db=wiring.db,
            pool=wiring.pool,
            max_bytes=given.upload_max_bytes,
            policy=wiring.campaign_policy,
            refresh=report.loaded,
        )
        first_checkpoint(wiring)
        indexed = index_missing_clauses(db=wiring.db, actor=SYSTEM)  # versions stored before the search index
    err.print(published.summary())
    if indexed.clauses:
        err.print(f"indexed for search: {indexed.clauses} clauses of versions stored before the search index")
    err.print(notices.summary(notices.totals(db=wiring.db), smtp=bool(given.smtp_host)))  # the jobs have run
    for note in published.left_alone:
        err.print(f"note: {note}")
    for failure in published.failures:
        err.print(f"[yellow]warning:[/yellow] {failure}")
    if not report.loaded and not published.changed:
        err.print("nothing changed: the demo data and its documents were already in place")
    err.print("to act as legal staff: govkit token create --role legal")
    if not no_serve:
        _serve(given, host, port)


def first_checkpoint(wiring: Wiring) -> None:
    """The chain's first checkpoint, when none was made yet (then published and downloadable)."""
    from typing import cast

    from govkit.checkpoints import service
    from govkit.checkpoints.sealing import Sealer
    from govkit.checkpoints.vocabulary import SEALER_KEY
    from govkit.errors import GovkitError

    try:
        made = service.first_checkpoint(
            db=wiring.db,
            sealer=cast(Sealer, wiring.job_extras[SEALER_KEY]),
            settings=wiring.settings,
            jobs=wiring.jobs,
        )
    except GovkitError as exc:
        err.print(f"[yellow]warning:[/yellow] no checkpoint of the acknowledgement chain: {exc.message}")
        return
    if made is not None:
        err.print(f"made the first checkpoint of the acknowledgement chain: {made.url}", markup=False)
