"""`govkit rules params`: every rule parameter (deadline, thresholds, delays, populations) with its value
on a day and its source — a quote of the plan, a legal text, or a govkit default stated as such.
Thin over govkit.rules.parameter_service, as the system (legal staff's rights)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from govkit.cli.errors import friendly
from govkit.cli.rules import _day
from govkit.cli.wiring import out, wired
from govkit.errors import InvalidInput

if TYPE_CHECKING:
    from govkit.rules.parameter_service import ParameterState

rules_app = typer.Typer(help="The rules of the action plan: their parameters and sources.", no_args_is_help=True)


def full_source(source: dict[str, str] | None, language: str) -> str:
    """The whole source: « plan : « quote » », « défaut govkit : why », or the legal text and article."""
    french = language == "fr"
    if not source:
        return "source non donnée" if french else "no source given"
    text, kind = source.get("text", ""), source.get("kind")
    if kind == "plan":
        return f"plan : « {text} »" if french else f"plan: “{text}”"
    if kind == "law":
        return f"{text}, art. {source.get('article', '?')}"
    return f"défaut govkit : {text}" if french else f"govkit default: {text}"


def parameters_tables(states: list[ParameterState], language: str) -> list[Table]:
    """One table per rule (titled with its id, whole), a row per parameter: readable in 80 columns."""
    from govkit.rules.parameters import shown_value

    tables: dict[str, Table] = {}
    for s in states:
        table = tables.get(s.rule_id)
        if table is None:
            table = Table(title=s.rule_id, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, expand=True)
            table.add_column("parameter" if language == "en" else "paramètre", no_wrap=True)
            table.add_column("value" if language == "en" else "valeur", no_wrap=True)
            table.add_column("source", ratio=1, overflow="fold")
            tables[s.rule_id] = table
        value = Text(shown_value(s.name, s.value, language))
        if s.valid_from is not None:
            value.append(f"\n{'depuis le' if language == 'fr' else 'from'} {s.valid_from}", style="dim")
        source = Text(full_source(s.source, language))
        if s.recorded_by and s.recorded_at is not None:
            source.append(f"\n{s.recorded_by}, {s.recorded_at:%Y-%m-%d} : {s.reason}", style="dim")
        table.add_row(s.name, value, source)
    return list(tables.values())


def state_json(s: ParameterState) -> dict[str, object]:
    return {
        "rule": s.rule_id,
        "name": s.name,
        "value": s.value,
        "source": s.source,
        "valid_from": s.valid_from.isoformat() if s.valid_from else None,
        "recorded_at": s.recorded_at.isoformat() if s.recorded_at else None,
        "recorded_by": s.recorded_by,
        "reason": s.reason,
        "file_value": s.file_value,
        "file_source": s.file_source,
        "history": [
            {
                "value": v.value,
                "valid_from": v.valid_from.isoformat(),
                "source": v.source,
                "reason": v.reason,
                "recorded_at": v.recorded_at.isoformat(),
                "recorded_by": v.recorded_by,
            }
            for v in s.history
        ],
    }


@rules_app.command("params")
@friendly
def params(
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule (its id)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The values on this day (YYYY-MM-DD; today)")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    language: Annotated[str, typer.Option("--lang", help="fr or en")] = "fr",
) -> None:
    """List every rule parameter with its value on a day and its source (plan, law or govkit default)."""
    from govkit.access.roles import SYSTEM
    from govkit.rules.parameter_service import rule_parameters

    if output_format not in ("table", "json"):
        raise InvalidInput("--format is table or json.")
    if language not in ("fr", "en"):
        raise InvalidInput("--lang is fr or en.")
    day = _day("--as-of", as_of)
    with wired() as wiring:
        states = rule_parameters(db=wiring.db, actor=SYSTEM, rule_id=rule, as_of=day)
    if output_format == "json":
        sys.stdout.write(json.dumps([state_json(s) for s in states], ensure_ascii=False, indent=2) + "\n")
        return
    for table in parameters_tables(states, language):
        out.print(table)
