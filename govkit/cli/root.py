"""The `govkit` command: every area's commands, registered on one group.

Each area is a module of this package, its commands thin over the services; the wiring they
need (database, render pool, job queue...) comes from govkit.composition (govkit.cli.wiring).
"""

from __future__ import annotations

import typer

from govkit.cli import (
    audit,
    database,
    evidence,
    persons,
    privacy,
    receipts,
    records,
    reminders,
    renditions,
    rule_params,
    rules,
    search,
    serving,
    templates,
    tokens,
    worker,
)
from govkit.cli.errors import OneLineErrors

app = typer.Typer(
    name="govkit",
    help="govkit: the IMT action plan against sexual and sexist violence, made enforceable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=OneLineErrors,
)
app.add_typer(templates.templates_app, name="templates")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(persons.persons_app, name="persons")
app.add_typer(database.db_app, name="db")
app.add_typer(database.schema_app, name="schema")
app.add_typer(tokens.token_app, name="token")
app.add_typer(rule_params.rules_app, name="rules")
app.add_typer(renditions.documents_app, name="documents")
app.add_typer(receipts.receipts_app, name="receipts")
app.add_typer(search.search_app, name="search")
app.add_typer(privacy.privacy_app, name="privacy")
app.command()(serving.serve)
app.command()(serving.demo)
app.command()(worker.worker)
app.command()(reminders.remind)
app.command()(templates.render)
app.command("import-persons")(persons.import_persons)
app.command("import-training")(records.import_training)
app.command("import-surveys")(records.import_surveys)
app.command()(rules.check)
app.command("barometer")(rules.barometer)
app.command()(evidence.evidence)
app.command()(receipts.verify)


def main() -> None:
    app(prog_name="govkit")  # also as `python -m govkit`: messages name the command users type
