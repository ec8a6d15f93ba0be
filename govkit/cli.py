"""The govkit command line: thin commands over the services."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from govkit.settings import Settings, get_settings

app = typer.Typer(
    name="govkit",
    help="govkit: the IMT action plan against sexual and sexist violence, made enforceable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(token_app, name="token")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


def friendly(function: F) -> F:
    """Turn every failure into one clear line on stderr and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pydantic import ValidationError
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        from govkit.errors import GovkitError

        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except GovkitError as exc:
            details = "; ".join(f"{p.path}: {p.message}" for p in exc.problems)
            _fail(f"{exc.message}{' — ' + details if details else ''}")
        except ValidationError as exc:
            first = exc.errors()[0]
            _fail(f"invalid setting {'.'.join(map(str, first['loc'])) or ''}: {first['msg']}")
        except OperationalError as exc:
            _fail(f"cannot use the database: {str(exc.orig).strip().splitlines()[0]}")
        except SQLAlchemyError as exc:
            _fail(f"database error: {str(exc).splitlines()[0]}")
        except OSError as exc:
            _fail(str(exc))

    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(1)


def _settings() -> Settings:
    return get_settings()


def _database(settings: Settings) -> Any:
    from govkit.db import Database, create_db_engine

    return Database(create_db_engine(settings.database_url))


def _upgrade(settings: Settings) -> None:
    from govkit import migrations

    migrations.upgrade(url=settings.database_url)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from govkit.app import create_app

    where = _redact(settings.database_url)
    err.print(f"govkit serving on http://{host}:{port}/graphql ({settings.env.value}, {where})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _redact(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the API (GraphQL at /graphql) on an already migrated database."""
    _serve(_settings(), host, port)


@app.command()
@friendly
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data, then stop")] = False,
) -> None:
    """Migrate the database, load the IMT demo data (once), and serve the API."""
    from govkit.demo.loader import load_demo

    settings = _settings()
    _upgrade(settings)
    report = load_demo(db=_database(settings))
    if report.loaded:
        err.print(
            f"loaded the IMT demo data: {report.organisations} organisations, "
            f"{report.persons} synthetic persons"
        )
    else:
        err.print("the IMT demo data is already loaded; nothing changed")
    err.print("to act as legal staff: govkit token create --role legal")
    if not no_serve:
        _serve(settings, host, port)


@db_app.command("upgrade")
@friendly
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Migrate the database (GOVKIT_DATABASE_URL) to the latest schema."""
    from govkit import migrations

    settings = _settings()
    migrations.upgrade(url=settings.database_url, revision=revision)
    err.print(f"database at {revision}: {_redact(settings.database_url)}")


@db_app.command("downgrade")
@friendly
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base")]) -> None:
    """Migrate the database down to an older schema revision."""
    from govkit import migrations

    settings = _settings()
    migrations.downgrade(url=settings.database_url, revision=revision)
    err.print(f"database at {revision}: {_redact(settings.database_url)}")


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
            _fail(f"{output} differs from the code's schema: run `govkit schema export`")
        err.print(f"{output} is up to date")
        return
    output.write_text(sdl, encoding="utf-8")
    err.print(f"wrote {output}")


@token_app.command("create")
@friendly
def token_create(
    role: Annotated[str, typer.Option(help="legal, school_admin, member, intranet or auditor")],
    school: Annotated[str | None, typer.Option(help="School code (school_admin, intranet, member)")] = None,
    person: Annotated[str | None, typer.Option(help="Person's external id (member)")] = None,
    ttl: Annotated[str | None, typer.Option(help="Lifetime, e.g. 90m, 12h, 30d (default: 30d)")] = None,
    name: Annotated[str | None, typer.Option(help="Display name of the identity")] = None,
) -> None:
    """Create an identity with a role and print its bearer token alone on stdout."""
    from govkit.auth.roles import Role
    from govkit.auth.service import create_token, parse_ttl
    from govkit.errors import InvalidInput

    try:
        parsed_role = Role(role)
    except ValueError:
        raise InvalidInput(
            f"Unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}."
        ) from None
    settings = _settings()
    token, _grant = create_token(
        db=_database(settings),
        settings=settings,
        role=parsed_role,
        school_code=school,
        person_external_id=person,
        ttl=parse_ttl(ttl) if ttl else None,
        display_name=name,
    )
    sys.stdout.write(token + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
