"""`govkit token`: create an identity and its bearer token, list the tokens that exist, revoke one.

The commands act as the system (legal staff's rights); ``govkit.auth.token_admin`` does the
work of listing and revoking, writes the audit event and tells every server process of a revocation.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from govkit.cli.errors import err, friendly
from govkit.cli.wiring import out, wired

if TYPE_CHECKING:
    from govkit.auth.token_admin import TokenInfo

token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)


def _day(value: datetime | None) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d}"


def token_table(tokens: list[TokenInfo], now: datetime) -> Table:
    """One row per token, readable in 80 columns: the scope (role, school, person) in one cell."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, padding=(0, 1))
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("name", overflow="fold", ratio=1)
    table.add_column("role / school / person", no_wrap=True)
    for header in ("created", "expires", "revoked"):
        table.add_column(header, no_wrap=True)
    for token in tokens:
        scope = "\n".join(part for part in (token.role, token.school, token.person, token.scopes) if part)
        expires = _day(token.expires_at) + ("\nexpired" if token.status(now) == "expired" else "")
        table.add_row(str(token.id), token.name, scope, _day(token.created_at), expires, _day(token.revoked_at))
    return table


@token_app.command("create")
@friendly
def token_create(
    role: Annotated[str, typer.Option(help="legal, school_admin, member, intranet or auditor")],
    school: Annotated[str | None, typer.Option(help="School code (school_admin, intranet, member)")] = None,
    person: Annotated[str | None, typer.Option(help="Person's external id (member)")] = None,
    ttl: Annotated[str | None, typer.Option(help="Lifetime, e.g. 90m, 12h, 30d (default: 30d)")] = None,
    name: Annotated[str | None, typer.Option(help="Display name of the identity")] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(help="A named scope, repeatable: persons:read lets an intranet see persons' names and e-mails"),
    ] = None,
) -> None:
    """Create an identity with a role and print its bearer token alone on stdout."""
    from govkit.access.roles import Role
    from govkit.auth.service import create_token, parse_ttl
    from govkit.errors import InvalidInput

    try:
        parsed_role = Role(role)
    except ValueError:
        raise InvalidInput(f"Unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}.") from None
    with wired() as wiring:
        token, _grant = create_token(
            db=wiring.db,
            settings=wiring.settings,
            role=parsed_role,
            school_code=school,
            person_external_id=person,
            ttl=parse_ttl(ttl) if ttl else None,
            display_name=name,
            scopes=scope or (),
        )
    sys.stdout.write(token + "\n")


@token_app.command("list")
@friendly
def token_list(
    role: Annotated[str | None, typer.Option(help="Only this role")] = None,
    school: Annotated[str | None, typer.Option(help="Only this school's tokens (school code)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also the revoked and expired tokens")] = False,
) -> None:
    """List the tokens (never their text): id, name, role, school, person, dates."""
    from govkit.access.roles import SYSTEM
    from govkit.auth.token_admin import list_tokens
    from govkit.db import utcnow

    with wired() as wiring:
        found = list_tokens(db=wiring.db, actor=SYSTEM, role=role, school=school, include_inactive=all_)
    if not found:
        err.print("no tokens" + ("" if all_ else " in force (--all also lists the revoked and expired ones)"))
        return
    out.print(token_table(found, utcnow()))
    err.print(f"{len(found)} token(s)" + ("" if all_ else " in force"))


@token_app.command("revoke")
@friendly
def token_revoke(
    token: Annotated[str, typer.Argument(help="The token's id, or its name (`govkit token list`)")],
) -> None:
    """Revoke a token: from now on it answers HTTP 401, in every server process."""
    from govkit.access.roles import SYSTEM
    from govkit.auth.token_admin import revoke_token

    with wired() as wiring:
        revocation = revoke_token(
            db=wiring.db, actor=SYSTEM, token=token, action="cli.token.revoke", correlation_id="cli"
        )
    found = revocation.token
    who = f"{found.name} ({found.role}{', ' + found.school if found.school else ''})"
    if revocation.already_revoked:
        err.print(f"token {found.id}, {who}, was already revoked on {_day(found.revoked_at)}: nothing changed")
    else:
        err.print(f"revoked token {found.id}, {who}: it now answers HTTP 401")
