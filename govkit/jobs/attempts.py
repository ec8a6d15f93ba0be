"""What both engines share about an attempt: the back-off before the next one, the reason of a
failure in plain words, and its record in ``job_failure``."""

from __future__ import annotations

import logging

from govkit.db import Database
from govkit.errors import GovkitError
from govkit.jobs.models import JobFailure
from govkit.settings import Settings

logger = logging.getLogger(__name__)

REASON_MAX_CHARS = 2000


def retry_delay(settings: Settings, failed_attempts: int) -> float:
    """Seconds to wait before the next attempt, after ``failed_attempts`` (1 or more) failures:
    base, 2 × base, 4 × base… up to the maximum."""
    exponent = max(failed_attempts - 1, 0)
    return min(settings.job_retry_base_seconds * 2.0 ** min(exponent, 30), settings.job_retry_max_seconds)


def failure_reason(exc: BaseException) -> str:
    """The exception in words a person can read: govkit's own message, else ``Kind: message``."""
    if isinstance(exc, GovkitError):
        text = exc.message
    else:
        message = str(exc).strip()
        text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 1] + "…"


def record_failure(db: Database, *, engine: str, job_id: int, attempt: int, task_name: str, reason: str) -> None:
    """Write why an attempt failed, in a transaction of its own (the task's own work was rolled
    back with it). A failure to record is logged, never raised over the task's own error."""
    try:
        with db.transaction() as session:
            session.add(JobFailure(engine=engine, job_id=job_id, attempt=attempt, task_name=task_name, reason=reason))
    except Exception:
        logger.exception("could not record the failure of job %s (%s): %s", job_id, task_name, reason)
