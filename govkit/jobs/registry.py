"""The task registry: every background task govkit knows, by name.

A task is a plain function ``fn(deps: JobDeps, **args) -> None`` registered with ``@task``::

    from govkit.jobs.registry import JobDeps, task

    @task("documents.render_variant", retries=5, queue="renders")
    def render_variant(deps: JobDeps, *, variant_id: int) -> None:
        with deps.db.transaction() as session:
            ...
            deps.jobs.defer(session, "webhooks.deliver", key=f"webhook:{event_id}", event_id=event_id)

Arguments are JSON values (int, str, float, bool, None, lists and dicts of them), passed as
keywords only. A task must be idempotent: it may run again after a crash or a retry, so it
checks what is already done before doing it (the ``key`` given to ``JobQueue.defer`` only stops
two *queued* copies). A task ends normally when done and raises to fail; the engine retries it
with exponential back-off up to ``retries`` times (``retries=0``: one attempt only), then shows
it as failed with the exception's message.

``cron`` (a five-field crontab, e.g. ``"0 6 * * *"``) makes the task periodic on PostgreSQL: the
workers defer it at each tick (once per tick however many workers run), and it is then called
with no arguments. On SQLite no scheduler runs: periodic tasks run when a command defers them.

The registry knows nothing of procrastinate: ``govkit.jobs.engine`` builds the engine's tasks
from it, ``govkit.jobs.inprocess`` runs the same functions on SQLite. Modules holding tasks are
imported by whoever builds the engine (``govkit.composition``, ``govkit worker``), plus any named
in GOVKIT_JOB_MODULES (tests register their own tasks that way).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from govkit.db import Database
    from govkit.jobs.queue import JobQueue
    from govkit.settings import Settings

T = TypeVar("T")
TaskFunction = Callable[..., None]
F = TypeVar("F", bound=TaskFunction)

DEFAULT_QUEUE = "default"


class FinalFailure(Exception):
    """Raised by a task whose job must fail now, without the retries left: retrying cannot help
    (e.g. a webhook delivery that made its last attempt). Shown as failed, with its message."""


@dataclass(frozen=True)
class JobDeps:
    """What a task is given: the database, the settings, the queue to chain further jobs, and
    any extra wiring built once at start-up (e.g. ``extras["render_pool"]``)."""

    db: Database
    settings: Settings
    jobs: JobQueue
    extras: Mapping[str, object] = field(default_factory=dict)

    def extra(self, name: str, kind: type[T]) -> T:
        """The extra wiring ``name``, checked to be a ``kind`` (a clear error when missing)."""
        value = self.extras.get(name)
        if not isinstance(value, kind):
            raise LookupError(f"job wiring {name!r} missing or not a {kind.__name__} (see govkit.composition)")
        return value


@dataclass(frozen=True)
class TaskSpec:
    """One registered task."""

    name: str
    fn: TaskFunction
    retries: int = 5
    queue: str = DEFAULT_QUEUE
    cron: str | None = None


_TASKS: dict[str, TaskSpec] = {}


def task(name: str, *, retries: int = 5, queue: str = DEFAULT_QUEUE, cron: str | None = None) -> Callable[[F], F]:
    """Register ``fn(deps, **args)`` as the task ``name``; the function itself is returned unchanged
    (it can still be called directly, e.g. by a CLI command or a test)."""
    if retries < 0:
        raise ValueError("retries must be 0 or more")
    if cron is not None and len(cron.split()) != 5:
        raise ValueError(f"cron {cron!r}: five fields expected (minute hour day month weekday)")

    def register(fn: F) -> F:
        spec = TaskSpec(name=name, fn=fn, retries=retries, queue=queue, cron=cron)
        known = _TASKS.get(name)
        if known is not None and (known.fn.__module__, known.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"task {name!r} is registered twice ({known.fn.__module__}, {fn.__module__})")
        _TASKS[name] = spec
        return fn

    return register


def get_task(name: str) -> TaskSpec:
    """The task registered as ``name``; LookupError names the unknown task."""
    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"no task named {name!r} is registered") from None


def registered_tasks() -> Mapping[str, TaskSpec]:
    """Every registered task, by name (a read-only view)."""
    return dict(_TASKS)


def import_task_modules(modules: Iterable[str]) -> None:
    """Import the modules whose ``@task`` functions register themselves (idempotent)."""
    for module in modules:
        importlib.import_module(module)


def call_task(spec: TaskSpec, deps: JobDeps, args: Mapping[str, Any]) -> None:
    """Run one task's function (the one place both engines call it)."""
    spec.fn(deps, **args)
