"""The govkit command line: thin commands over the services."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from govkit.cli_errors import OneLineErrors, err, fail, friendly
from govkit.cli_tokens import token_list, token_revoke
from govkit.settings import Settings, get_settings
from govkit.stopping import stops_cleanly

app = typer.Typer(
    name="govkit",
    help="govkit: the IMT action plan against sexual and sexist violence, made enforceable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=OneLineErrors,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)
templates_app = typer.Typer(help="Root templates (trames) of the regulations.", no_args_is_help=True)
audit_app = typer.Typer(help="The acknowledgement audit chain.", no_args_is_help=True)
persons_app = typer.Typer(help="Persons (students and staff).", no_args_is_help=True)
app.add_typer(templates_app, name="templates")
app.add_typer(audit_app, name="audit")
app.add_typer(persons_app, name="persons")
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(token_app, name="token")

out = Console(highlight=False)
_fail = fail


def _settings() -> Settings:
    return get_settings()


def _database(settings: Settings) -> Any:
    from govkit.db import Database, create_db_engine

    return Database(create_db_engine(settings.database_url))


def _upgrade(settings: Settings) -> None:
    from govkit import migrations

    migrations.upgrade(url=settings.database_url)


LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _serve(
    settings: Settings, host: str, port: int, workers: int = 1, log_level: str = "info", access_log: bool = False
) -> None:
    from govkit.serving import serve

    where = _redact(settings.database_url)
    err.print(f"govkit serving on http://{host}:{port}/graphql ({settings.env.value}, {where}, {workers} process(es))")
    # Each server process builds the app from the same GOVKIT_* environment.
    serve(host=host, port=port, workers=workers, log_level=log_level, access_log=access_log)


def _redact(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
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
    from govkit.errors import InvalidInput

    if log_level.lower() not in LOG_LEVELS:
        raise InvalidInput(f"Unknown log level {log_level!r}: use one of {', '.join(LOG_LEVELS)}.")
    _serve(_settings(), host, port, workers, log_level.lower(), access_log)


@app.command()
@friendly
@stops_cleanly
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data, then stop")] = False,
) -> None:
    """Migrate the database, load the IMT demo data (once), and serve the API."""
    from govkit.demo.loader import load_demo
    from govkit.documents.demo import publish_all

    settings = _settings()
    _upgrade(settings)
    database = _database(settings)
    report = load_demo(db=database)
    if report.loaded:
        err.print(f"loaded the IMT demo data: {report.organisations} organisations, {report.persons} synthetic persons")
    else:
        err.print("the IMT demo data is already loaded: not loaded again")
    published = publish_all(
        db=database,
        pool=_pool(settings),
        max_bytes=settings.upload_max_bytes,
        policy=_policy(settings),
        refresh=report.loaded,
    )
    err.print(published.summary())
    for note in published.left_alone:
        err.print(f"note: {note}")
    for failure in published.failures:
        err.print(f"[yellow]warning:[/yellow] {failure}")
    if not report.loaded and not published.changed:
        err.print("nothing changed: the demo data and its documents were already in place")
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
        raise InvalidInput(f"Unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}.") from None
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


token_app.command("list")(token_list)
token_app.command("revoke")(token_revoke)


def _pool(settings: Settings) -> Any:
    from govkit.graphql.context import worker_pool

    return worker_pool(settings)


@templates_app.command("build")
@friendly
def templates_build(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="Text sources (.md); by default every one of templates/reglements")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the .docx files to")] = Path(
        "build/templates"
    ),
) -> None:
    """Build Word root templates from their text sources, as build/templates/<kind>.<lang>.docx."""
    from govkit.documents.build import build_docx
    from govkit.documents.demo import source_files
    from govkit.documents.kinds import catalogue
    from govkit.documents.source import read_source

    output.mkdir(parents=True, exist_ok=True)
    for path in sources or source_files():
        source = read_source(path)
        target = output / f"{source.kind}.{source.language}.docx"
        target.write_bytes(build_docx(source, catalogue()))
        out.print(str(target))


@templates_app.command("check")
@friendly
def templates_check(files: Annotated[list[Path], typer.Argument(help="Source files (.md)")]) -> None:
    """Validate template sources and render them for the eight demo schools."""
    from govkit.documents.check import main as check_main

    raise typer.Exit(check_main([str(f) for f in files]))


@templates_app.command("upload")
@friendly
def templates_upload(
    file: Annotated[Path, typer.Argument(help="A .docx root template, or a .md source")],
    kind: Annotated[str | None, typer.Option(help="Document kind (read from a .md source)")] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en (read from a .md source)")] = None,
    publish: Annotated[bool, typer.Option(help="Publish the version when it is valid")] = False,
    change_kind: Annotated[str, typer.Option(help="editorial or substantive")] = "substantive",
    changelog: Annotated[str | None, typer.Option(help="What changed and why (needed to publish)")] = None,
) -> None:
    """Validate and store a root template version; print its validation report."""
    from govkit.auth.roles import SYSTEM
    from govkit.documents import service
    from govkit.documents.build import build_docx
    from govkit.documents.kinds import catalogue
    from govkit.documents.source import read_source
    from govkit.errors import InvalidInput

    if file.suffix == ".md":
        source = read_source(file)
        data, kind, lang = build_docx(source, catalogue()), kind or source.kind, lang or source.language
    else:
        data = file.read_bytes()
    if not kind or not lang:
        raise InvalidInput("Give --kind and --lang for a .docx file.")
    settings = _settings()
    database = _database(settings)
    outcome = service.upload_root_template_version(
        db=database,
        actor=SYSTEM,
        pool=_pool(settings),
        kind=kind,
        language=lang,
        filename=file.name,
        data=data,
        max_bytes=settings.upload_max_bytes,
    )
    for item in outcome.report.items:
        where = item.part + (f", paragraph {item.paragraph}" if item.paragraph else "")
        err.print(f"{item.severity}: {where}: {item.message}")
    if outcome.version is None:
        _fail(f"{file.name} is not a valid {kind}/{lang} root template ({len(outcome.report.items)} problem(s))")
        return
    state = "stored as" if outcome.created else "already stored as"
    err.print(f"{file.name}: valid, {state} version {outcome.version.number} (sha256 {outcome.version.sha256})")
    if publish:
        if not changelog:
            raise InvalidInput("Give --changelog to publish.")
        service.publish_root_template_version(
            db=database,
            actor=SYSTEM,
            version_id=outcome.version.id,  # type: ignore[arg-type]
            change_kind=change_kind,
            changelog=changelog,
        )
        err.print(f"published version {outcome.version.number} ({change_kind})")


@app.command()
@friendly
def render(
    school: Annotated[str | None, typer.Option(help="School code")] = None,
    kind: Annotated[str | None, typer.Option(help="Document kind, e.g. internal")] = None,
    lang: Annotated[str, typer.Option(help="fr or en")] = "fr",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write the .docx")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every kind, language and school")] = False,
) -> None:
    """Render variants from the published root templates (cached: same inputs never render twice)."""
    from rich.progress import Progress

    from govkit.auth.roles import SYSTEM
    from govkit.documents import service
    from govkit.documents.kinds import LANGUAGES, catalogue
    from govkit.errors import InvalidInput

    settings = _settings()
    database, pool = _database(settings), _pool(settings)
    if all_:
        pairs = [(k, lg) for k in catalogue().kinds for lg in LANGUAGES]
        rendered = reused = 0
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("rendering", total=len(pairs))
            for kind_key, language in pairs:
                bar.update(task, description=f"{kind_key}/{language}")
                summary = service.render_variants(
                    db=database, actor=SYSTEM, pool=pool, kind=kind_key, language=language
                )
                rendered, reused = rendered + summary.rendered, reused + summary.reused
                for failure in summary.failures:
                    where = f"{failure.organisation_code} {kind_key}/{language}"
                    err.print(f"[yellow]{where}:[/yellow] {failure.message}")
                bar.advance(task)
        err.print(f"{rendered} variants rendered, {reused} unchanged (not rendered again)")
        return
    if not (school and kind and output):
        raise InvalidInput("Give --school, --kind and -o FILE, or --all.")
    summary = service.render_variants(db=database, actor=SYSTEM, pool=pool, kind=kind, language=lang, schools=[school])
    if summary.failures:
        failure = summary.failures[0]
        raise InvalidInput(failure.message)
    _org, variant = summary.variants[0]
    found = service.download(db=database, actor=SYSTEM, sha256=variant.sha256)
    output.write_bytes(found.data)
    state = "rendered" if summary.rendered else "unchanged inputs, not rendered again"
    err.print(f"wrote {output} ({len(found.data)} bytes, sha256 {variant.sha256}; {state})")


def _policy(settings: Settings) -> Any:
    from govkit.acknowledgements.campaigns import CampaignPolicy

    return CampaignPolicy(days=settings.campaign_days, webhook_urls=tuple(settings.webhook_urls))


@app.command("import-persons")
@friendly
def import_persons(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, comma or semicolon separated)")],
    school: Annotated[str, typer.Option(help="School code")],
) -> None:
    """Import a school's persons from CSV: every line is checked first; any error imports nothing."""
    from govkit.acknowledgements.persons import import_persons as run_import
    from govkit.auth.roles import SYSTEM

    settings = _settings()
    report = run_import(db=_database(settings), actor=SYSTEM, school=school, data=file.read_bytes())
    if not report.ok:
        for error in report.errors[:50]:
            column = f" ({error.column})" if error.column else ""
            err.print(f"line {error.line}{column}: {error.message}")
        _fail(f"nothing was imported: {len(report.errors)} problem(s) in {file.name}")
    err.print(
        f"{file.name}: {report.created} created, {report.updated} updated ({report.departed} departed), "
        f"{report.unchanged} unchanged"
    )


@audit_app.command("verify")
@friendly
def audit_verify() -> None:
    """Walk the acknowledgement chain from its start; name the first broken link."""
    from govkit.acknowledgements.chain import verify

    report = verify(_database(_settings()))
    if not report.ok:
        where = f"record {report.broken_at}" if report.broken_at else "the chain head"
        _fail(f"chain broken at {where} (after {report.records} records): {report.reason}")
    out.print(f"chain intact: {report.records} acknowledgements verified")


@audit_app.command("erase-client-data")
@friendly
def audit_erase(
    older_than_days: Annotated[int | None, typer.Option(help="Default: GOVKIT_CLIENT_DATA_RETENTION_DAYS")] = None,
) -> None:
    """Erase IP addresses and user agents older than the retention period (the proof stays verifiable)."""
    from govkit.acknowledgements.service import erase_client_data

    settings = _settings()
    days = older_than_days or settings.client_data_retention_days
    count = erase_client_data(db=_database(settings), older_than_days=days)
    err.print(f"client data erased from {count} acknowledgements older than {days} days")


@persons_app.command("export")
@friendly
def persons_export(
    school: Annotated[str, typer.Option(help="School code")],
    person: Annotated[str, typer.Option(help="The person's external id")],
) -> None:
    """Print, as JSON, everything govkit holds about a person (right of access)."""
    import json

    from govkit.acknowledgements.service import export_person

    data = export_person(db=_database(_settings()), school=school, external_id=person)
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
@friendly
def remind() -> None:
    """Queue the due reminders and overdue events, deliver pending webhooks, apply the retention period."""
    from govkit.acknowledgements.service import erase_client_data
    from govkit.acknowledgements.webhooks import deliver_pending, enqueue_due_events

    settings = _settings()
    database = _database(settings)
    queued = enqueue_due_events(
        db=database,
        urls=settings.webhook_urls,
        interval_days=settings.reminder_interval_days,
        days=settings.campaign_days,
    )
    sent = deliver_pending(
        db=database,
        secret=settings.webhook_secret,
        timeout=settings.webhook_timeout_seconds,
        attempts=settings.webhook_attempts,
    )
    erased = erase_client_data(db=database, older_than_days=settings.client_data_retention_days)
    err.print(
        f"{queued.reminders} reminders and {queued.overdue} overdue events queued; "
        f"{sent.delivered} deliveries sent, {sent.failed} failed; client data erased from {erased} old records"
    )
    if not settings.webhook_urls:
        err.print("no GOVKIT_WEBHOOK_URLS configured: nothing to send")


@app.command()
@friendly
def check(
    school: Annotated[str | None, typer.Option(help="Only this organisation")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD)")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    language: Annotated[str, typer.Option("--lang", help="fr or en messages")] = "fr",
) -> None:
    """Run the rules of the action plan; exit 1 when an unwaived error remains."""
    from datetime import date

    from govkit.auth.roles import SYSTEM
    from govkit.cli_tables import findings_table
    from govkit.errors import InvalidInput
    from govkit.rules.report import check_json
    from govkit.rules.service import run_rules

    if output_format not in ("table", "json"):
        raise InvalidInput("--format is table or json.")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InvalidInput(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).") from None
    result = run_rules(db=_database(_settings()), actor=SYSTEM, as_of=day, schools=[school] if school else None)
    if output_format == "json":
        sys.stdout.write(check_json(result) + "\n")
    else:
        rows = [f for f in result.findings if f.record.status != "resolved"]
        by_school: dict[str, list[Any]] = {}
        for f in rows:
            by_school.setdefault(f.organisation, []).append(f)
        for code in sorted(by_school):
            out.print(findings_table(code, by_school[code], language))
        counts = {s: sum(1 for f in rows if f.record.severity == s) for s in ("error", "warning", "info")}
        out.print(
            f"{counts['error']} errors ({len(result.blocking)} unwaived), {counts['warning']} warnings, "
            f"{counts['info']} info — run {result.run.id} as of {result.run.as_of}"
        )
    if result.blocking:
        raise typer.Exit(1)


@app.command("barometer")
@friendly
def barometer_command(
    year: Annotated[int, typer.Option(help="Year of the barometer")],
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the indicators as CSV")] = None,
) -> None:
    """The yearly barometer: indicators per school and for the group."""
    from govkit.auth.roles import SYSTEM
    from govkit.cli_tables import barometer_tables
    from govkit.csvsafe import csv_writer
    from govkit.rules.barometer import INDICATORS
    from govkit.rules.service import barometer

    data = barometer(db=_database(_settings()), actor=SYSTEM, year=year)
    rows = [*data.schools, data.group]
    for table in barometer_tables(data, year, INDICATORS, out.width):
        out.print(table)
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv_writer(handle)
            writer.writerow(["year", "as_of", "organisation", "indicator", "axe", "unit", "value"])
            for row in rows:
                for indicator in INDICATORS:
                    value = row.values.get(indicator.id)
                    writer.writerow(
                        [
                            year,
                            data.as_of,
                            row.organisation,
                            indicator.id,
                            indicator.axe,
                            indicator.unit,
                            "" if value is None else value,
                        ]
                    )
                for population, value in row.acknowledgement_by_population.items():
                    writer.writerow(
                        [year, data.as_of, row.organisation, f"acknowledgement_rate.{population}", 4, "rate", value]
                    )
        err.print(f"wrote {csv_file}")


def main() -> None:
    app(prog_name="govkit")  # also as `python -m govkit`: messages name the command users type


if __name__ == "__main__":
    main()
