"""A command builds the process's wiring without importing the GraphQL schema's modules (strawberry
and the resolvers were about half of every command's start-up), and a GraphQL context still gets
everything its resolvers ask for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from govkit.access.roles import SYSTEM
from govkit.composition import build_wiring
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from govkit.cli.wiring import wired
from govkit.settings import Settings
import govkit.cli.root
with wired(Settings(database_url="sqlite://", secret_key="k" * 40, render_workers=0)) as wiring:
    assert wiring.approval_handlers
loaded = sorted(m for m in sys.modules if m.startswith(("strawberry", "govkit.graphql")) or m.endswith(".resolvers"))
print(",".join(loaded))
"""


def test_a_command_builds_its_wiring_without_the_graphql_schema() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "", f"a command imported GraphQL modules: {probe.stdout.strip()}"


def test_a_graphql_context_gets_every_key_its_resolvers_ask_for() -> None:
    """Every ``Wired`` key declared by a module of the schema is in a context, once made."""
    import govkit.graphql.schema  # noqa: F401 - every resolver module, with its keys
    from govkit.resolving import Wired

    declared = {
        f"{name}.{attribute}": value
        for name, module in list(sys.modules.items())
        if name.startswith("govkit.")
        for attribute, value in vars(module).items()
        if isinstance(value, Wired) and not attribute.startswith("_")
    }
    assert len(declared) >= 10
    wiring = build_wiring(make_settings(render_workers=0))
    try:
        context = wiring.context(actor=SYSTEM)
        missing = [name for name, key in declared.items() if key not in wiring.resolvers]
        assert not missing, f"declared but not wired in govkit.resolver_wiring: {missing}"
        assert wiring.resolvers is wiring.resolvers  # made once, on the first context
        assert context.wired(declared["govkit.approvals.resolvers.HANDLERS"]) is wiring.approval_handlers
        assert context.wired(declared["govkit.documents.resolvers.JOB_QUEUE"]) is wiring.jobs
    finally:
        wiring.close()
