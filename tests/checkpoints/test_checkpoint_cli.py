"""`govkit audit checkpoint -o FILE` and `govkit audit verify --checkpoint FILE`, run as a user runs
them, on a database of their own: one line per check, exit status 1 and the rewritten record named
once history was rewritten after the checkpoint, one line for a file that is not a checkpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from govkit import migrations
from govkit.acknowledgements.models import Acknowledgement
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.proof.demo_pki import DemoPki
from tests.ack_helpers import publish_minimal_internal
from tests.checkpoints.chain_helpers import append_records, chain_ids, rewrite
from tests.checkpoints.conftest import PUBLIC_URL
from tests.conftest import BACKENDS, SECRET, fresh_database_url
from tests.proof_pki import LocalTsa

SCHOOL = "imt-atlantique"


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: the demo's schools and a few persons, one regulation in force."""
    url = fresh_database_url(request.param, "govkit_test_checkpoint_cli", tmp_path_factory.mktemp("cli"))
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=12)
    publish_minimal_internal(db, SCHOOL)
    yield url
    engine.dispose()


def govkit(*args: str, url: str, cwd: Path, pki: DemoPki, tsa: LocalTsa) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOVKIT_DATABASE_URL": url,
        "GOVKIT_SECRET_KEY": SECRET,
        "GOVKIT_ENV": "dev",
        "GOVKIT_PUBLIC_URL": PUBLIC_URL,
        "GOVKIT_SEAL_CERTIFICATE": str(pki.certificate),
        "GOVKIT_SEAL_KEY": str(pki.key),
        "GOVKIT_SEAL_TRUST_ROOTS": str(pki.ca_certificate),
        "GOVKIT_TSA_URL": tsa.url,
        "GOVKIT_TSA_TRUST_ROOTS": str(tsa.root_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "govkit.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_verify_against_a_checkpoint_names_the_rewritten_record(
    url: str, tmp_path: Path, demo_pki: DemoPki, tsa: LocalTsa
) -> None:
    db = Database(create_db_engine(url))
    append_records(db, 6, schools=(SCHOOL,))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return govkit(*args, url=url, cwd=tmp_path, pki=demo_pki, tsa=tsa)

    made = run("audit", "checkpoint", "-o", "yesterday.json")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("checkpoint ") and "6 records" in made.stdout and "timestamped" in made.stdout
    assert (tmp_path / "yesterday.json").is_file()
    append_records(db, 2, schools=(SCHOOL,))

    held = run("audit", "verify", "--checkpoint", "yesterday.json")
    assert held.returncode == 0, held.stderr
    assert [line.split()[0] for line in held.stdout.splitlines()] == ["ok"] * 4, held.stdout

    target = chain_ids(db)[2]
    rewrite(db, target)
    assert run("audit", "verify").returncode == 0  # the chain verifies by itself
    failed = run("audit", "verify", "--checkpoint", "yesterday.json")
    assert failed.returncode == 1
    with db.reading() as session:
        code = session.exec(select(Acknowledgement.verification_code).where(Acknowledgement.id == target)).one()
    last = failed.stdout.splitlines()[-1]
    assert (
        last.startswith("FAILED checkpoint: the chain diverges at record")
        and f"{target} (verification code {code}" in last
    )
    assert failed.stderr.count("\n") == 1 and failed.stderr.startswith("error:")
    assert "Traceback" not in failed.stdout + failed.stderr

    (tmp_path / "bad.json").write_text('{"format": "govkit-chain-checkpoint/1", "body": [')
    for name, said in (("bad.json", "not JSON"), ("missing.json", "No such file")):  # more: test_file_format.py
        refused = run("audit", "verify", "--checkpoint", name)
        assert refused.returncode == 1 and refused.stdout == "", (name, refused.stdout)
        assert refused.stderr.count("\n") == 1 and said in refused.stderr, (name, refused.stderr)
