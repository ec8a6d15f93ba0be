"""Worker processes stop templates that run too long or take too much memory, and recover."""

from __future__ import annotations

import pytest

from govkit.access.roles import SYSTEM
from govkit.db import Database
from govkit.documents import jobs
from govkit.documents import service as documents
from govkit.documents.render import RenderError
from govkit.documents.workers import RenderTimeout, WorkerPool
from tests.docx_factory import minimal_docx

SLOW = "{% for a in range(9000) %}{% for b in range(9000) %}{% endfor %}{% endfor %}"


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


@pytest.fixture
def tight_pool():
    pool = WorkerPool(processes=1, timeout=2.0, memory_mb=700)
    yield pool
    pool.close()


def test_a_slow_template_is_stopped_and_the_pool_recovers(tight_pool: WorkerPool) -> None:
    data = minimal_docx(body=SLOW, extra_clause="vss.inquiry")
    with pytest.raises(RenderTimeout, match="longer than 2 s"):
        tight_pool.run(jobs.validate_job, data, "internal", "fr", 10**7)
    assert tight_pool.run(jobs.validate_job, minimal_docx(), "internal", "fr", 10**7)["valid"] is True


def test_a_memory_hungry_job_is_stopped(tight_pool: WorkerPool) -> None:
    with pytest.raises(RenderError, match="memory"):
        tight_pool.run(allocate, 2000)
    assert tight_pool.run(allocate, 10) == 10 * 1024 * 1024


def test_a_slow_upload_answers_with_a_report_and_stores_nothing(db: Database, tight_pool: WorkerPool) -> None:
    outcome = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=tight_pool,
        kind="internal",
        language="fr",
        filename="slow.docx",
        data=minimal_docx(body=SLOW, extra_clause="vss.inquiry"),
        max_bytes=10**7,
    )
    assert outcome.version is None
    assert "longer than 2 s" in outcome.report.items[0].message
