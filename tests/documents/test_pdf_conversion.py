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
