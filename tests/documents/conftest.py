"""The renditions' shared fixture: `govkit demo` run once per test session with the PDF/A conversion
on (GOVKIT_RENDITIONS_ON_PUBLISH=true, off in every other test), as a user runs it, on SQLite,
where its jobs run in the command: every published demo variant converted in one job."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from govkit.db import create_db_engine
from tests.conftest import SECRET


@dataclass
class ConvertedDemo:
    url: str
    where: Path
    engine: Engine
    stderr: str
    seconds: float

    def govkit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return govkit(*args, url=self.url, cwd=self.where)


def govkit(*args: str, url: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "GOVKIT_DATABASE_URL": url,
        "GOVKIT_SECRET_KEY": SECRET,
        "GOVKIT_ENV": "dev",
        "GOVKIT_RENDITIONS_ON_PUBLISH": "true",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "govkit.cli", *args],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="session")
def converted_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConvertedDemo]:
    where = tmp_path_factory.mktemp("renditions")
    url = f"sqlite:///{where / 'demo.db'}"
    started = time.monotonic()
    done = govkit("demo", "--no-serve", url=url, cwd=where)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    engine = create_db_engine(url)
    yield ConvertedDemo(url=url, where=where, engine=engine, stderr=done.stderr, seconds=seconds)
    engine.dispose()
