"""What a command works with: the settings, and what govkit.composition builds once per process
(the database, the render pool, the job queue, the campaign policy...).

    with wired() as wiring:
        service.function(db=wiring.db, ...)

At the end of the ``with``, the jobs the command deferred run (on SQLite, in this process) and
the pool stops: a command ends once its work is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

from govkit.settings import Settings, get_settings

if TYPE_CHECKING:
    from govkit.composition import Wiring

#: Where commands print their results (their messages go to stderr: govkit.cli.errors.err).
out = Console(highlight=False)


def settings() -> Settings:
    """The process's settings (GOVKIT_* environment)."""
    return get_settings()


@contextmanager
def wired(given: Settings | None = None) -> Iterator[Wiring]:
    """The process's wiring, for the time of a command (closed at its end)."""
    from govkit.composition import build_wiring

    wiring = build_wiring(given or settings())
    try:
        yield wiring
    finally:
        wiring.close()


def redact(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)
