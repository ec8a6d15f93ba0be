"""LibreOffice headless converting a batch of .docx to PDF/A-2b in ONE process invocation.

Starting LibreOffice costs about a second; converting one of govkit's documents, about a tenth of
that. So a batch of documents is converted by one ``soffice --convert-to`` run, given every file
(bench/pdf.py measures it against one process per document)::

    runner = SofficeRunner.of(settings)          # built once (govkit.composition)
    batch = runner.convert({"a": docx_a, "b": docx_b})
    batch.pdfs["a"]                               # the PDF's bytes
    batch.failures.get("b")                       # why b was not converted, if it was not

Each run has its own LibreOffice profile (``-env:UserInstallation``) in its own temporary
directory, so that runs in parallel (two workers, a worker and the CLI) never share one: a profile
in use by another instance would make a second ``soffice`` hand its files to the first, or fail.
The import filter is forced to Word 2007-365 (a damaged .docx fails, instead of being read as
plain text), and the export asks for PDF/A-2b (``SelectPdfVersion`` 2), tagged, which embeds
every font used. A file LibreOffice could not convert is reported by its name; the others are
kept. A run that exceeds its time (``start_seconds`` plus ``seconds_per_document`` per file) is
killed with its process group: the PDFs finished before are kept, the rest fail (worth a retry).
A process that stops (SIGTERM, Ctrl-C: govkit.stopping) kills its runs under way the same way
(``stop_conversions``): no LibreOffice outlives it.

The PDFs are not checked here: govkit.documents.pdfa reads their PDF/A identification, output
intent and fonts, and govkit.documents.renditions stores only those that pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from govkit.errors import GovkitError
from govkit.settings import Settings

#: LibreOffice's Writer PDF export, as PDF/A-2b (SelectPdfVersion 2), tagged (structure for
#: assistive technologies), with the document's outline as bookmarks.
PDF_EXPORT_OPTIONS = {
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
}
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(PDF_EXPORT_OPTIONS, separators=(",", ":"))
#: The .docx import filter: a file that is not a Word document fails instead of being read as text.
DOCX_IMPORT_FILTER = "MS Word 2007 XML"
#: The name of the runner in the jobs' extra wiring (JobDeps.extras, built by govkit.composition).
SOFFICE = "soffice"
_RUNNING: set[subprocess.Popen[bytes]] = set()
_RUNNING_LOCK = threading.Lock()
_STOPPING = threading.Event()
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class ConversionError(GovkitError):
    """LibreOffice could not run at all (not installed, not startable); the message says why."""

    code = "CONVERSION_UNAVAILABLE"


@dataclass
class Batch:
    """What one LibreOffice run gave: each converted name's PDF, each other name's reason."""

    pdfs: dict[str, bytes] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    #: Names that failed because the run was stopped at its time limit (worth a retry).
    timed_out: set[str] = field(default_factory=set)
    seconds: float = 0.0
    #: LibreOffice processes started (one per batch).
    runs: int = 0


@dataclass(frozen=True)
class SofficeRunner:
    """Runs LibreOffice headless on batches of .docx (see the module's documentation)."""

    executable: str = "soffice"
    start_seconds: float = 60.0
    seconds_per_document: float = 20.0
    #: LibreOffice's --convert-to argument (PDF/A-2b; another only to test what checks the PDFs).
    export_filter: str = PDF_FILTER

    @classmethod
    def of(cls, settings: Settings) -> SofficeRunner:
        return cls(
            executable=settings.soffice,
            start_seconds=settings.pdf_start_seconds,
            seconds_per_document=settings.pdf_seconds_per_document,
        )

    @property
    def available(self) -> bool:
        """Whether the LibreOffice program can be found (a path, or a name on PATH)."""
        return shutil.which(self.executable) is not None

    def version(self) -> str:
        """LibreOffice's version, e.g. ``LibreOffice 7.4.7.2`` (asked once per process)."""
        return _version(self.executable)

    def timeout(self, documents: int) -> float:
        return self.start_seconds + self.seconds_per_document * documents

    def convert(self, documents: Mapping[str, bytes]) -> Batch:
        """Convert every .docx of ``documents`` (name → bytes; names are file-name safe: letters,
        digits, ``.``, ``_``, ``-``) to PDF/A-2b in one LibreOffice run."""
        for name in documents:
            if not _NAME.match(name):
                raise ValueError(f"{name!r} cannot name a file: use letters, digits, '.', '_' and '-'")
        batch = Batch()
        if not documents:
            return batch
        if _STOPPING.is_set():
            batch.failures = {
                name: f"LibreOffice did not convert {name}: the process is stopping" for name in documents
            }
            batch.timed_out = set(documents)
            return batch
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="govkit-soffice-") as tmp:
            root = Path(tmp)
            inputs, outputs = root / "in", root / "out"
            inputs.mkdir()
            outputs.mkdir()
            paths = []
            for name, data in documents.items():
                path = inputs / f"{name}.docx"
                path.write_bytes(data)
                paths.append(path)
            stopped, errors = self._run(root, outputs, paths, self.timeout(len(paths)))
            batch.runs = 1
            produced = [name for name in documents if (outputs / f"{name}.pdf").exists()]
            if stopped and produced:
                produced.pop()  # the one being written when the run was killed may be incomplete
            for name in documents:
                if name in produced:
                    batch.pdfs[name] = (outputs / f"{name}.pdf").read_bytes()
                elif stopped:
                    batch.failures[name] = f"LibreOffice did not convert {name}: {stopped}"
                    batch.timed_out.add(name)
                else:
                    why = "; ".join(errors) or "no PDF was produced"
                    batch.failures[name] = f"LibreOffice could not convert {name} (not a readable .docx?): {why}"
        batch.seconds = time.monotonic() - started
        return batch

    def _run(self, root: Path, outputs: Path, paths: list[Path], timeout: float) -> tuple[str | None, list[str]]:
        """Run soffice once on ``paths``: (why it was stopped before its end, if it was; its error lines)."""
        command = [
            self.executable,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            f"--infilter={DOCX_IMPORT_FILTER}",
            "--convert-to",
            self.export_filter,
            "--outdir",
            str(outputs),
            *(str(p) for p in paths),
        ]
        env = {**os.environ, "HOME": str(root)}  # nothing written in the user's own home
        with _RUNNING_LOCK:
            if _STOPPING.is_set():
                return "the process is stopping", []
            try:
                process = subprocess.Popen(  # noqa: S603 - a fixed command line; the files are ours
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=root,
                    env=env,
                    start_new_session=True,  # its own process group, killed whole on timeout or stop
                )
            except OSError as exc:
                raise ConversionError(
                    f"LibreOffice could not be started ({self.executable!r}: {exc.strerror or exc}): "
                    "install it (Debian: libreoffice-writer-nogui) or set GOVKIT_SOFFICE"
                ) from exc
            _RUNNING.add(process)
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return f"stopped at its time limit ({timeout:.0f} s for {len(paths)} documents)", []
        finally:
            _kill_group(process)  # a helper LibreOffice left behind, if any
            with _RUNNING_LOCK:
                _RUNNING.discard(process)
        if process.returncode is not None and process.returncode < 0:
            return f"LibreOffice was stopped ({signal.Signals(-process.returncode).name})", []
        errors = sorted({line.strip() for line in err.decode(errors="replace").splitlines() if "Error" in line})
        return None, errors


def stop_conversions() -> None:
    """Kill the LibreOffice runs under way in this process, and start no other: the process stops
    (govkit.stopping; a conversion is in its own process group, which a Ctrl-C does not reach)."""
    with _RUNNING_LOCK:
        _STOPPING.set()
        running = list(_RUNNING)
    for process in running:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group has ended already
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        process.communicate()


@cache
def _version(executable: str) -> str:
    with tempfile.TemporaryDirectory(prefix="govkit-soffice-") as tmp:
        try:
            done = subprocess.run(  # noqa: S603 - a fixed command line
                [executable, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless", "--version"],
                capture_output=True,
                timeout=60,
                check=False,
                env={**os.environ, "HOME": tmp},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConversionError(f"LibreOffice's version could not be read ({executable!r}: {exc})") from exc
    match = re.search(r"LibreOffice\s+([0-9][0-9.]*)", done.stdout.decode(errors="replace"))
    if match is None:
        raise ConversionError(f"{executable!r} did not give a LibreOffice version: {done.stdout[:200]!r}")
    return f"LibreOffice {match.group(1)}"
