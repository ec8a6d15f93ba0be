"""How the command line fails: one sentence on stderr and exit status 1, never a box or a traceback.

Two places turn failures into that line:

- ``friendly`` wraps each command: govkit's own errors, settings, the database, the files it
  reads or writes (``OSError`` → a sentence naming the path), anything unexpected (its
  traceback with ``GOVKIT_DEBUG=1``);
- ``OneLineErrors``, the command group of the whole app, for what click decides before a
  command runs: unknown options, missing or invalid values, unknown commands.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar, cast

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

err = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

#: Set to 1 (any value) to let unexpected errors end with their traceback.
DEBUG_VARIABLE = "GOVKIT_DEBUG"
#: The attribute ``friendly`` sets on the commands it wraps.
FRIENDLY = "friendly"


def _usage_errors() -> tuple[type[Exception], ...]:
    """click's exceptions as typer raises them: its own copy of click (typer ≥ 0.22), or click."""
    try:
        import click
    except ImportError:  # pragma: no cover - typer ≥ 0.22 does not need click
        return (typer.TyperException,)
    return (typer.TyperException, click.ClickException)


#: UsageError, BadParameter, NoSuchOption, MissingParameter… and the rest of click's exceptions.
USAGE_ERRORS = _usage_errors()
#: What a command lets through: its own exit, an abort, usage errors (the app's group reports them).
PASSED_THROUGH: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, *USAGE_ERRORS)


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on one line of stderr and exit with status 1."""
    line = " ".join(message.split())  # one line, whatever the message holds
    err.print(f"[red]error:[/red] {escape(line)}", soft_wrap=True)
    raise typer.Exit(1)


def describe_os_error(exc: OSError) -> str:
    """A sentence for a failed file or system operation, naming the path; no errno, no class name."""
    where = _path(exc.filename)
    if exc.filename2 is not None and where is not None:
        where = f"{where} → {_path(exc.filename2)}"
    reason = exc.strerror or str(exc) or "operating system error"
    if where is None:
        return reason[:1].upper() + reason[1:]
    known = {
        errno.ENOENT: f"No such file or folder: {where}",
        errno.EISDIR: f"{where} is a folder, not a file",
        errno.ENOTDIR: f"{where}: part of this path is not a folder",
        errno.EACCES: f"Permission denied: {where}",
        errno.EPERM: f"Permission denied: {where}",
        errno.EEXIST: f"{where} already exists",
        errno.ENOSPC: f"No space left on the device to write {where}",
        errno.EROFS: f"{where} is on a read-only file system",
    }
    return known.get(exc.errno or 0, f"{reason}: {where}")


def _path(name: object) -> str | None:
    if name is None:
        return None
    return os.fsdecode(name) if isinstance(name, str | bytes) else str(name)


def friendly(function: F) -> F:
    """Turn every failure of a command into one clear line on stderr and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pydantic import ValidationError
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        from govkit.errors import GovkitError

        try:
            return function(*args, **kwargs)
        except PASSED_THROUGH:
            raise
        except GovkitError as exc:
            details = "; ".join(f"{p.path}: {p.message}" for p in exc.problems)
            fail(f"{exc.message}{' — ' + details if details else ''}")
        except ValidationError as exc:
            first = exc.errors()[0]
            fail(f"invalid setting {'.'.join(map(str, first['loc'])) or ''}: {first['msg']}")
        except OperationalError as exc:
            fail(f"cannot use the database: {str(exc.orig).strip().splitlines()[0]}")
        except SQLAlchemyError as exc:
            fail(f"database error: {str(exc).splitlines()[0]}")
        except OSError as exc:
            fail(describe_os_error(exc))
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            fail(f"internal error ({type(exc).__name__}: {exc}); run with {DEBUG_VARIABLE}=1 for the details")

    setattr(wrapper, FRIENDLY, True)  # tests check that every command has it
    return cast(F, wrapper)


def usage_message(exc: Exception) -> str:
    """click's message for a usage error, on one line, with where to find the command's help."""
    format_message = getattr(exc, "format_message", None)  # click's exceptions (and typer's copy of them)
    message = " ".join((format_message() if callable(format_message) else str(exc)).split())
    ctx = getattr(exc, "ctx", None)  # usage errors know their command
    if ctx is not None and ctx.command.get_help_option(ctx) is not None:
        message = f"{message.rstrip('.')} — see `{ctx.command_path} {ctx.help_option_names[0]}`"
    return message


class OneLineErrors(TyperGroup):
    """The app's command group: click's usage errors become one line and exit status 1."""

    def main(  # click's signature
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except USAGE_ERRORS as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                code = 0  # no arguments asks for the help, which is printed by now
            else:
                err.print(f"[red]error:[/red] {escape(usage_message(exc))}", soft_wrap=True)
                code = 1
        except typer.Abort:
            err.print("[red]error:[/red] aborted", soft_wrap=True)
            code = 1
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code
