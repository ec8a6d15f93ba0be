"""`govkit db` (the schema's Alembic migrations) and `govkit schema` (the GraphQL schema)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import redact, settings

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)


@db_app.command("upgrade")
@friendly
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Migrate the database (GOVKIT_DATABASE_URL) to the latest schema."""
    from govkit import migrations

    url = settings().database_url
    migrations.upgrade(url=url, revision=revision)
    err.print(f"database at {revision}: {redact(url)}")


@db_app.command("downgrade")
@friendly
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base")]) -> None:
    """Migrate the database down to an older schema revision."""
    from govkit import migrations

    url = settings().database_url
    migrations.downgrade(url=url, revision=revision)
    err.print(f"database at {revision}: {redact(url)}")


@schema_app.command("export")
@friendly
def schema_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")] = Path("schema.graphql"),
    check: Annotated[bool, typer.Option("--check", help="Fail if the file differs; write nothing")] = False,
) -> None:
    """Write the GraphQL schema (SDL) from the code."""
    from govkit.graphql.schema import export_sdl

    sdl = export_sdl()
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != sdl:
            fail(f"{output} differs from the code's schema: run `govkit schema export`")
        err.print(f"{output} is up to date")
        return
    output.write_text(sdl, encoding="utf-8")
    err.print(f"wrote {output}")
