"""The school's training sessions and surveys in the pages: every record in force with the records it
corrected (who, when), record one, correct one (a new record that supersedes it).

Through the same services as GraphQL (govkit.rules.records_service: ``recordTraining``,
``recordSurvey``), which authorise: legal staff everywhere, a school's administration for its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.errors import GovkitError, NotFound
from govkit.rules import records_history, records_service
from govkit.rules.records_input import current_academic_year
from govkit.vocabulary import SurveyAudience, SurveyStatus, TrainingAudience
from govkit.web.pages import Page, PageRequest
from govkit.web.plan_forms import change, form_values, refusal, status_of

router = APIRouter()

TRAINING_FIELDS = ("academic_year", "audience", "training", "title", "trained", "total", "held_on", "note")
SURVEY_FIELDS = ("year", "title", "audience", "status", "invited", "respondents", "population_total", "note")
KINDS = ("training", "survey")


def _values(record: Any, names: tuple[str, ...]) -> dict[str, str]:
    values = {n: "" if getattr(record, n, None) is None else str(getattr(record, n)) for n in names}
    if "held_on" in values and getattr(record, "held_on", None) is not None:
        values["held_on"] = record.held_on.isoformat()
    values["everyone"] = "1" if getattr(record, "everyone", False) else ""
    return values


async def training_view(
    page: PageRequest,
    code: str,
    *,
    kind: str | None = None,
    record_id: int | None = None,
    problem: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The school's training and survey records, or (``kind``, ``record_id``) one record's page."""
    try:
        found = await page.call(records_history.training_and_surveys, school=code)
        chain = None
        if kind is not None:
            chains = found.training if kind == "training" else found.surveys
            chain = next((c for c in chains if any(r.id == record_id for r in c.records)), None)
            if chain is None or kind not in KINDS:
                raise NotFound("No such record.", key="no_training_record", params={"id": record_id})
    except GovkitError as exc:
        return page.error(exc)
    message = next((f"plan_{n}" for n in ("saved",) if page.request.query_params.get(n)), None)
    if chain is not None and form is None:
        form = _values(chain.current, TRAINING_FIELDS if kind == "training" else SURVEY_FIELDS)
    return page.render(
        "training_record.html" if chain else "training.html",
        status=status,
        records=found,
        organisation=found.organisation,
        chain=chain,
        kind=kind,
        problem=problem,
        problem_kind=kind or (form or {}).get("_kind"),
        form=form or {},
        message=message,
        audiences=[a.value for a in TrainingAudience],
        survey_audiences=[a.value for a in SurveyAudience],
        survey_statuses=[s.value for s in SurveyStatus],
        year=current_academic_year(),
    )


@router.get("/schools/{code}/training", response_class=HTMLResponse)
async def training_page(page: Page, code: str) -> Response:
    return await training_view(page, code)


@router.get("/schools/{code}/training/{kind}/{record_id}", response_class=HTMLResponse)
async def training_record_page(page: Page, code: str, kind: str, record_id: int) -> Response:
    return await training_view(page, code, kind=kind, record_id=record_id)


@router.post("/schools/{code}/training/{kind}", response_class=HTMLResponse)
async def record(page: Page, code: str, kind: str) -> Response:
    """A new training or survey record; with ``supersedes`` (a record's page), the correction of that one."""
    form = await page.request.form()
    if kind not in KINDS:
        return page.error(NotFound("No such page.", key="no_page"))
    names = TRAINING_FIELDS if kind == "training" else SURVEY_FIELDS
    values = form_values(form, *names)
    supersedes = str(form.get("supersedes") or "").strip() or None
    try:
        page.check_csrf(str(form.get("csrf") or ""))
        target = {"school": code, "kind": kind, "supersedes": supersedes}
        if kind == "training":
            function: Any = records_service.record_training
            given: dict[str, Any] = {**values, "everyone": "1" if form.get("everyone") else "0"}
        else:
            function, given = records_service.record_survey, dict(values)
        saved = await change(
            page, f"record{kind.capitalize()}", target, function, school=code, supersedes=supersedes, **given
        )
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            return page.error(exc)
        record_id = int(supersedes) if supersedes and supersedes.isdigit() else None
        return await training_view(
            page,
            code,
            kind=kind if record_id else None,
            record_id=record_id,
            problem=shown,
            form={**values, "everyone": "1" if form.get("everyone") else "", "_kind": kind},
            status=status_of(exc),
        )
    return RedirectResponse(f"/ui/schools/{code}/training/{kind}/{saved.id}?saved=1", status_code=303)
