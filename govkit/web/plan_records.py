"""The school's commitments and arrangements in the pages: every commitment with its records (who,
when, what each corrected) and their evidence files; record one, correct it (a new record that
supersedes it), add a PDF to a record, download it by its SHA-256; join or leave a group arrangement.

Through the same services as GraphQL (govkit.organisations, govkit.flows.commitment_evidence), which
authorise: legal staff everywhere, a school's administration for its own school, auditors read.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.days import utc_today
from govkit.errors import GovkitError, InvalidInput, NotFound
from govkit.flows import commitment_evidence as evidence
from govkit.organisations import arrangements, record_history
from govkit.organisations.commitment_records import CommitmentInput
from govkit.organisations.vocabulary import ArrangementHow, CommitmentStatus, CommitmentType
from govkit.timeline import Precision
from govkit.web.pages import Page, PageRequest
from govkit.web.plan_forms import change, form_values, optional_date, refusal, required_date, status_of

router = APIRouter()

FIELDS = ("type", "status", "title", "effective_on", "expires_on", "how", "provider", "members", "note")


def _base(code: str) -> str:
    return f"/ui/schools/{code}/commitments"


async def _upload(file: UploadFile | None, page: PageRequest) -> evidence.EvidenceFile | None:
    """The file of a form (None when no file was chosen), read up to one byte past the limit."""
    if file is None or not file.filename:
        return None
    data = await file.read(page.settings.commitment_evidence_max_bytes + 1)
    return evidence.EvidenceFile(file.filename, data)


async def commitments_view(
    page: PageRequest,
    code: str,
    *,
    record_id: int | None = None,
    problem: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The list of a school's commitments (``record_id`` None), or one commitment's page."""
    try:
        found = await page.call(record_history.commitment_records, school=code)
    except GovkitError as exc:
        return page.error(exc)
    chosen = None
    if record_id is not None:
        chosen = next((h for h in found.commitments if any(e.record.id == record_id for e in h.records)), None)
        if chosen is None:
            return page.error(
                NotFound("No such record.", key="no_commitment_record", params={"id": record_id, "code": code})
            )
    message = None
    for name in ("saved", "attached", "joined", "left"):
        if page.request.query_params.get(name):
            message = f"commitment_{name}"
    latest = chosen.latest if chosen else None
    initial = form or (
        {
            "type": latest.type,
            "status": latest.status,
            "title": latest.title,
            "effective_on": latest.effective_on.isoformat() if latest.effective_on else "",
            "expires_on": latest.expires_on.isoformat() if latest.expires_on else "",
            "how": latest.how,
            "provider": latest.provider or "",
            "members": "",
            "note": latest.note or "",
        }
        if latest
        else {}
    )
    return page.render(
        "commitment.html" if chosen else "commitments.html",
        status=status,
        records=found,
        organisation=found.organisation,
        chosen=chosen,
        problem=problem,
        form=initial,
        message=message,
        types=[t.value for t in CommitmentType],
        statuses=[s.value for s in CommitmentStatus],
        hows=[h.value for h in ArrangementHow],
        max_bytes=page.settings.commitment_evidence_max_bytes,
        today=utc_today(),
    )


@router.get("/schools/{code}/commitments", response_class=HTMLResponse)
async def commitments_page(page: Page, code: str) -> Response:
    return await commitments_view(page, code)


@router.get("/schools/{code}/commitments/{record_id}", response_class=HTMLResponse)
async def commitment_page(page: Page, code: str, record_id: int) -> Response:
    return await commitments_view(page, code, record_id=record_id)


def _input(code: str, values: dict[str, str], supersedes: int | None) -> CommitmentInput:
    try:
        kind, state, how = (
            CommitmentType(values["type"]),
            CommitmentStatus(values["status"]),
            ArrangementHow(values["how"] or "own"),
        )
    except ValueError:
        raise InvalidInput("Choose a type, a status and how it is held.", key="commitment_invalid") from None
    effective_on = optional_date(values["effective_on"], "effective_on")
    members = tuple(m.strip() for m in values["members"].split(",") if m.strip())
    return CommitmentInput(
        organisation_code=code,
        type=kind,
        status=state,
        title=values["title"],
        effective_on=effective_on,
        date_precision=Precision.DAY if effective_on else None,
        expires_on=optional_date(values["expires_on"], "expires_on"),
        note=values["note"].strip() or None,
        supersedes=supersedes,
        how=how,
        members=members,
        provider=values["provider"].strip() or None,
    )


async def _record(page: PageRequest, code: str, record_id: int | None, file: UploadFile | None) -> Response:
    """A new record (``record_id`` None), or on a commitment's page a new state from its date or, when
    the form says so, a correction of ``record_id`` (it no longer counts)."""
    form = await page.request.form()
    values = form_values(form, *FIELDS)
    supersedes = record_id if record_id is not None and form.get("change") == "correction" else None
    try:
        page.check_csrf(str(form.get("csrf") or ""))
        data = _input(code, values, supersedes)
        upload = await _upload(file, page)
        target = {"school": code, "type": values["type"], "supersedes": supersedes, "file": bool(upload)}
        commitment, _link = await change(
            page,
            "recordCommitment",
            target,
            evidence.record,
            data=data,
            upload=upload,
            max_bytes=page.settings.commitment_evidence_max_bytes,
        )
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            return page.error(exc)
        return await commitments_view(
            page, code, record_id=record_id, problem=shown, form=values, status=status_of(exc)
        )
    return RedirectResponse(f"{_base(code)}/{commitment.id}?saved=1", status_code=303)


@router.post("/schools/{code}/commitments", response_class=HTMLResponse)
async def record_commitment(page: Page, code: str, file: UploadFile | None = File(None)) -> Response:
    return await _record(page, code, None, file)


@router.post("/schools/{code}/commitments/{record_id}", response_class=HTMLResponse)
async def correct_commitment(page: Page, code: str, record_id: int, file: UploadFile | None = File(None)) -> Response:
    return await _record(page, code, record_id, file)


@router.post("/schools/{code}/commitments/{record_id}/evidence", response_class=HTMLResponse)
async def attach_evidence(
    page: Page, code: str, record_id: int, csrf: str = Form(""), file: UploadFile | None = File(None)
) -> Response:
    try:
        page.check_csrf(csrf)
        upload = await _upload(file, page) or evidence.EvidenceFile("", b"")
        await change(
            page,
            "attachCommitmentEvidence",
            {"school": code, "record": record_id},
            evidence.attach,
            school=code,
            commitment_id=record_id,
            upload=upload,
            max_bytes=page.settings.commitment_evidence_max_bytes,
        )
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            return page.error(exc)
        return await commitments_view(page, code, record_id=record_id, problem=shown, status=status_of(exc))
    return RedirectResponse(f"{_base(code)}/{record_id}?attached=1", status_code=303)


@router.get("/schools/{code}/commitments/files/{sha256}")
async def download_evidence(page: Page, code: str, sha256: str) -> Response:
    try:
        found = await page.call(evidence.download, sha256=sha256)
    except GovkitError as exc:
        return page.error(exc)
    return Response(
        found.data,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "ETag": f'"{sha256}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/schools/{code}/arrangements/{record_id}/{move}", response_class=HTMLResponse)
async def join_or_leave(
    page: Page,
    code: str,
    record_id: int,
    move: str,
    csrf: str = Form(""),
    valid_from: str = Form(""),
    reason: str = Form(""),
) -> Response:
    try:
        page.check_csrf(csrf)
        day = required_date(valid_from, "valid_from")
        target = {"school": code, "arrangement": record_id, "valid_from": day.isoformat()}
        if move == "join":
            await change(
                page,
                "joinArrangement",
                target,
                arrangements.join_arrangement,
                commitment_id=record_id,
                school=code,
                valid_from=day,
                source=reason.strip() or None,
            )
        elif move == "leave":
            await change(
                page,
                "optOutOfArrangement",
                target,
                arrangements.opt_out_of_arrangement,
                commitment_id=record_id,
                school=code,
                valid_from=day,
                reason=reason,
            )
        else:
            return page.error(InvalidInput("No such page.", key="no_page"))
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            return page.error(exc)
        return await commitments_view(page, code, problem=shown, status=status_of(exc))
    done = "joined" if move == "join" else "left"
    return RedirectResponse(f"{_base(code)}?{done}=1#group-arrangements", status_code=303)
