"""What govkit uses below uvicorn's and strawberry's documented surface, checked against the
versions pyproject.toml pins: a release that moves one of them fails here, by name, rather than
in a server process."""

from __future__ import annotations

import inspect
from importlib.metadata import requires, version

import pytest
import uvicorn
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from uvicorn.config import HTTP_PROTOCOLS
from uvicorn.importer import import_from_string

from govkit.serving import _HandedServer


def pinned(name: str) -> SpecifierSet:
    for text in requires("govkit") or []:
        requirement = Requirement(text)
        if requirement.name == name and not requirement.marker:
            return requirement.specifier
    raise AssertionError(f"govkit does not require {name}")


@pytest.mark.parametrize("name", ["uvicorn", "strawberry-graphql"])
def test_the_installed_version_is_the_pinned_one(name: str) -> None:
    assert version(name) in pinned(name), (name, version(name), str(pinned(name)))


@pytest.mark.parametrize("protocol", ["h11", "httptools"])
def test_uvicorn_protocols_take_the_loop_govkit_serve_gives_them(protocol: str) -> None:
    """govkit serve builds uvicorn's HTTP protocol for each connection handed to it (`_loop=`)."""
    cls = import_from_string(HTTP_PROTOCOLS[protocol])
    parameters = inspect.signature(cls.__init__).parameters
    for name in ("config", "server_state", "app_state", "_loop"):
        assert name in parameters, (protocol, name)
    assert hasattr(_HandedServer, "startup") and hasattr(uvicorn.Server, "startup")
    assert "sockets" in inspect.signature(uvicorn.Server.startup).parameters


def test_strawberry_internals_govkit_executes_with() -> None:
    from strawberry.execution.is_awaitable import optimized_is_awaitable
    from strawberry.extensions.max_aliases import create_validator as alias_rule
    from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
    from strawberry.utils.await_maybe import await_maybe

    assert callable(optimized_is_awaitable) and callable(await_maybe)
    assert "max_alias_count" in inspect.signature(alias_rule).parameters
    assert "max_depth" in inspect.signature(depth_rule).parameters


def test_strawberry_views_refuse_with_the_exception_govkit_answers() -> None:
    """govkit.graphql.http turns the view's refusals into GraphQL responses by catching this class."""
    import cross_web
    from strawberry.http import async_base_view

    assert async_base_view.HTTPException is cross_web.HTTPException


# procrastinate: govkit defers jobs through its SQL function, in the caller's transaction
# (govkit.jobs.queue.insert_procrastinate_job), and applies its schema from a pinned copy
# (alembic/versions/0006_jobs.py).


def test_procrastinate_is_the_pinned_version() -> None:
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    (specifier,) = [
        Requirement(r).specifier for r in project["project"]["dependencies"] if r.startswith("procrastinate")
    ]
    assert version("procrastinate") in specifier, (version("procrastinate"), str(specifier))


def test_procrastinate_schema_is_the_copy_revision_0006_applies() -> None:
    from pathlib import Path

    import procrastinate

    installed = Path(procrastinate.__file__).with_name("sql") / "schema.sql"
    pinned_copy = Path(__file__).resolve().parents[2] / "alembic/versions/0006_procrastinate_3.10.0_schema.sql"
    assert installed.read_text(encoding="utf-8") == pinned_copy.read_text(encoding="utf-8"), (
        "procrastinate's schema changed: add a revision applying its sql/migrations files (see 0006_jobs.py)"
    )


def test_procrastinate_defer_function_govkit_calls() -> None:
    import re
    from pathlib import Path

    import procrastinate

    sql = Path(procrastinate.__file__).with_name("sql")
    schema = (sql / "schema.sql").read_text(encoding="utf-8")
    composite = re.search(r"CREATE TYPE procrastinate_job_to_defer_v1 AS \((.*?)\);", schema, re.S)
    assert composite is not None
    fields = [line.split()[0] for line in composite.group(1).strip().splitlines()]
    assert fields == ["queue_name", "task_name", "priority", "lock", "queueing_lock", "args", "scheduled_at"]
    assert re.search(
        r"CREATE FUNCTION procrastinate_defer_jobs_v1\(\s*jobs procrastinate_job_to_defer_v1\[\]\s*\)", schema
    )
    # still the function procrastinate itself defers with
    assert "procrastinate_defer_jobs_v1(" in (sql / "queries.sql").read_text(encoding="utf-8")


def test_procrastinate_stalled_job_recovery_govkit_uses() -> None:
    from procrastinate.manager import JobManager
    from procrastinate.worker import Worker

    assert "seconds_since_heartbeat" in inspect.signature(JobManager.get_stalled_jobs).parameters
    worker = inspect.signature(Worker.__init__).parameters
    for name in ("update_heartbeat_interval", "stalled_worker_timeout", "install_signal_handlers", "concurrency"):
        assert name in worker, name
