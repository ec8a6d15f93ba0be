"""The PDF/A conversion job: a batch of stored documents in one LibreOffice run (the runner built
once by govkit.composition), those already converted skipped."""

from __future__ import annotations

import logging

from govkit.documents.pdf_conversion import SOFFICE, ConversionError, SofficeRunner
from govkit.documents.renditions import CONVERT_RENDITIONS, convert_pending
from govkit.jobs.registry import FinalFailure, JobDeps, task

logger = logging.getLogger(__name__)


@task(CONVERT_RENDITIONS, retries=2, queue="renditions")
def convert_renditions(deps: JobDeps, *, sha256s: list[str]) -> None:
    """Convert to PDF/A-2b the documents of ``sha256s`` not converted yet; fail with the reason of
    each document that could not be (the others are kept). Only a time limit is worth a retry."""
    try:
        report = convert_pending(
            deps.db,
            sha256s=sha256s,
            runner=deps.extra(SOFFICE, SofficeRunner),  # noqa: S610 - JobDeps.extra, not Django's QuerySet.extra
            batch_size=deps.settings.pdf_batch_size,
        )
    except ConversionError as exc:  # LibreOffice cannot run here: trying again changes nothing
        raise FinalFailure(exc.message) from exc
    logger.info("%s", report.summary())
    if report.failed:
        reasons = "; ".join(report.failed[s] for s in sorted(report.failed))
        message = f"{len(report.failed)} of {len(set(sha256s))} documents not converted: {reasons}"
        if set(report.failed) <= report.transient:
            raise TimeoutError(message)
        raise FinalFailure(message)
