"""The publication reviews (legal staff; auditors read): a published root template version's
variants school by school — the renders' progress, ready or failed, the diffs — and one button that
puts the ready schools (or those chosen) in force from a date; and the requests waiting for a
second legal officer (four eyes), approved or refused with a comment here."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access import audit
from govkit.approvals import service as approvals
from govkit.days import utc_today
from govkit.errors import GovkitError, InvalidInput
from govkit.flows import publication_reviews, review_in_force, root_publication
from govkit.web.i18n import translator
from govkit.web.pages import Page, PageRequest

router = APIRouter()


def record_page_change(page: PageRequest, action: str, target: dict[str, object]) -> None:
    """A change made on a page, in the audit log (as the GraphQL mutations are)."""
    audit.record(
        page.db,
        actor=page.actor,
        action=action,
        outcome="ok",
        correlation_id=getattr(page.request.state, "correlation_id", "-"),
        target=audit.summarise(target),
    )


@router.get("/reviews", response_class=HTMLResponse)
async def reviews_page(page: Page) -> Response:
    try:
        reviews = await page.call(publication_reviews.list_reviews, first=50)
        waiting = await page.call(approvals.pending)
    except GovkitError as exc:
        return page.error(exc)
    return page.render("reviews.html", reviews=reviews, waiting=waiting, message=_said(page))


def _said(page: PageRequest) -> str | None:
    """What the page says after a redirect (``?done=approved`` …), in its language."""
    done = page.request.query_params.get("done", "")
    return (
        page_text(page, f"review_done_{done}") if done in ("approved", "refused", "in_force", "render_again") else None
    )


def page_text(page: PageRequest, key: str) -> str:
    return translator(page.language)(key)


def handlers(page: PageRequest) -> approvals.Handlers:
    return page.wiring.approval_handlers


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
async def review_page(page: Page, review_id: int) -> Response:
    try:
        found = await page.call(publication_reviews.get_review, review_id=review_id)
        diffs = {
            row.school: await page.call(publication_reviews.school_diffs, review_id=review_id, school=row.school)
            for row in found.schools
            if row.variant_id is not None
        }
    except GovkitError as exc:
        return page.error(exc)
    return page.render(
        "review.html",
        found=found,
        diffs=diffs,
        today=utc_today(),
        can_decide=page.actor.role is not None and page.actor.role.value == "legal",
        message=_said(page),
    )


@router.post("/reviews/{review_id}/in-force")
async def put_in_force(
    page: Page,
    review_id: int,
    csrf: str = Form(""),
    effective_from: str = Form(""),
    scope: str = Form("all"),
    schools: list[str] = Form(default_factory=list),
) -> Response:
    try:
        page.check_csrf(csrf)
        try:
            day = date.fromisoformat(effective_from)
        except ValueError:
            raise InvalidInput("Give the date the versions come into force.", key="review_date_required") from None
        await page.call(
            review_in_force.put_in_force,
            review_id=review_id,
            effective_from=day,
            schools=None if scope == "all" else schools,
            policy=page.wiring.campaign_policy,
        )
    except GovkitError as exc:
        return page.error(exc)
    record_page_change(
        page, "putReviewInForce", {"reviewId": review_id, "effectiveFrom": effective_from, "schools": schools}
    )
    return RedirectResponse(f"/ui/reviews/{review_id}?done=in_force", status_code=303)


@router.post("/reviews/{review_id}/render-again")
async def render_again(page: Page, review_id: int, csrf: str = Form("")) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(root_publication.render_again, jobs=page.wiring.jobs, review_id=review_id)
    except GovkitError as exc:
        return page.error(exc)
    record_page_change(page, "renderReviewAgain", {"reviewId": review_id})
    return RedirectResponse(f"/ui/reviews/{review_id}?done=render_again", status_code=303)


@router.post("/approvals/{approval_id}/approve")
async def approve(page: Page, approval_id: int, csrf: str = Form(""), comment: str = Form("")) -> Response:
    try:
        page.check_csrf(csrf)
        done = await page.call(
            approvals.approve,
            handlers=handlers(page),
            approval_id=approval_id,
            comment=comment or None,
        )
    except GovkitError as exc:
        return page.error(exc)
    record_page_change(page, "approve", {"approvalId": approval_id})
    review = done.outcome.get("review_id")
    return RedirectResponse(f"/ui/reviews/{review}?done=approved" if review else "/ui/reviews?done=approved", 303)


@router.post("/approvals/{approval_id}/refuse")
async def refuse(page: Page, approval_id: int, csrf: str = Form(""), comment: str = Form("")) -> Response:
    try:
        page.check_csrf(csrf)
        await page.call(approvals.refuse, approval_id=approval_id, comment=comment)
    except GovkitError as exc:
        return page.error(exc)
    record_page_change(page, "refuseApproval", {"approvalId": approval_id})
    return RedirectResponse("/ui/reviews?done=refused", status_code=303)
