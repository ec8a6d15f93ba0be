"""The background jobs page (legal staff): what is queued, running, done, and why a job failed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from govkit.errors import GovkitError
from govkit.jobs import service as jobs
from govkit.web.pages import Page

router = APIRouter()

PAGE_SIZE = 200


@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(page: Page, status: str | None = None, task: str | None = None) -> Response:
    status = status or None  # the form's "all" sends an empty value
    task = (task or "").strip() or None
    try:
        found = await page.call(jobs.list_jobs, status=status, task=task, first=PAGE_SIZE)
    except GovkitError as exc:
        return page.error(exc)
    return page.render(
        "jobs.html", jobs=found, statuses=list(jobs.JobStatus), chosen=status, task=task or "", page_size=PAGE_SIZE
    )
