"""LibreOffice runs end when they must: a run past its time is killed (what it finished is kept,
the rest fails as worth a retry), and a process that stops kills its runs under way, leaving no
LibreOffice behind; names that cannot be files are refused before anything runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from govkit.documents import pdf_conversion
from govkit.documents.pdf_conversion import SofficeRunner
from tests.docx_factory import minimal_docx

ROOT = Path(__file__).resolve().parents[2]


def _group(pgid: int, wait: float = 5.0) -> list[int]:
    """The live processes of process group ``pgid`` (zombies are dead; a process killed is given
    ``wait`` seconds to go)."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split() if entry.name.isdigit() else []
            except OSError:
                continue
            if fields and int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_run_past_its_time_is_killed_and_its_documents_fail_as_worth_a_retry() -> None:
    documents = {f"d{i}": minimal_docx(body=f"Essai {i}") for i in range(6)}
    batch = SofficeRunner(start_seconds=0.3, seconds_per_document=0.01).convert(documents)
    assert batch.runs == 1 and set(batch.pdfs) | set(batch.failures) == set(documents)
    assert batch.timed_out == set(batch.failures) and batch.failures
    assert all("stopped at its time limit (0 s for 6 documents)" in r for r in batch.failures.values())
    assert not pdf_conversion._RUNNING


def test_names_that_cannot_be_files_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot name a file"):
        SofficeRunner().convert({"../escape": b""})


STOPPING = textwrap.dedent(
    """
    import threading, time
    from govkit.documents import pdf_conversion
    from tests.docx_factory import minimal_docx

    documents = {f"d{i}": minimal_docx(body=f"Essai {i}") for i in range(60)}
    done = {}
    worker = threading.Thread(target=lambda: done.update(batch=pdf_conversion.SofficeRunner().convert(documents)))
    worker.start()
    while not pdf_conversion._RUNNING:
        time.sleep(0.02)
    (process,) = pdf_conversion._RUNNING
    print(process.pid, flush=True)
    time.sleep(1.0)
    pdf_conversion.stop_conversions()  # what govkit.stopping does on SIGTERM or Ctrl-C
    worker.join(30)
    batch = done["batch"]
    reasons = {r.split(": ", 1)[1] for r in batch.failures.values()}
    print(len(batch.pdfs) + len(batch.failures), sorted(reasons), flush=True)
    after = pdf_conversion.SofficeRunner().convert({"late": documents["d0"]})
    print(after.runs, after.failures["late"], flush=True)
    """
)


def test_a_stopping_process_kills_its_runs_and_starts_no_other() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STOPPING], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    pid, counted, late = done.stdout.strip().splitlines()
    assert counted == "60 ['LibreOffice was stopped (SIGKILL)']"
    assert late == "0 LibreOffice did not convert late: the process is stopping"
    assert _group(int(pid)) == []  # nothing of that LibreOffice left


def test_without_libreoffice_publications_convert_nothing_and_a_conversion_job_fails_once_saying_why(
    tmp_path: Path,
) -> None:
    import hashlib

    from govkit import migrations
    from govkit.composition import build_wiring
    from govkit.documents.models import Blob
    from govkit.documents.ooxml import DOCX_MEDIA_TYPE
    from govkit.jobs.registry import FinalFailure, JobDeps
    from govkit.settings import Settings
    from govkit.tasks.renditions import convert_renditions

    missing = str(tmp_path / "no-soffice")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    migrations.upgrade(url=url)
    settings = Settings(database_url=url, soffice=missing, renditions_on_publish=True)
    wiring = build_wiring(settings)
    try:
        assert not wiring.campaign_policy.renditions  # nothing queued that could never run
        runner = SofficeRunner(executable=missing)
        assert not runner.available and SofficeRunner(executable=sys.executable).available
        docx = minimal_docx(body="Essai")
        sha256 = hashlib.sha256(docx).hexdigest()
        with wiring.db.transaction() as session:
            session.add(Blob(sha256=sha256, size=len(docx), media_type=DOCX_MEDIA_TYPE, data=docx))
        deps = JobDeps(db=wiring.db, settings=settings, jobs=wiring.jobs, extras={pdf_conversion.SOFFICE: runner})
        with pytest.raises(FinalFailure, match=r"LibreOffice could not be started .* install it"):
            convert_renditions(deps, sha256s=[sha256])  # final: trying again would change nothing
    finally:
        wiring.close()
