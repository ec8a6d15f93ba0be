"""Legal staff's pages of the rules: the waivers (the findings to waive, every waiver granted with who,
when, why and until when; grant one) and the rule parameters (each value with its source and its
history; give one a new value from a date). Auditors and school administrations read them.

Granting goes through govkit.flows.waiver_grants.grant (the one place a waiver is granted from the
pages, where four eyes will route a waiver of an ``error`` finding); a parameter through
govkit.rules.parameter_service.set_rule_parameter, which writes its audit event itself.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access.policy import Action, is_allowed
from govkit.approvals import service as approvals
from govkit.approvals.models import Approval
from govkit.days import utc_today
from govkit.errors import GovkitError, InvalidInput, NotFound
from govkit.flows import waiver_grants
from govkit.organisations import service as organisations
from govkit.rules import parameter_service, waiver_reads
from govkit.rules import service as rules
from govkit.rules.loader import load_rules
from govkit.rules.parameters import shown_source, shown_value
from govkit.web.pages import Page, PageRequest
from govkit.web.plan_forms import audit_refusal, change, form_values, refusal, required_date, status_of

router = APIRouter()

WAIVER_FIELDS = ("rule_id", "school", "key", "reason", "expires_on")
DONE = ("granted", "requested", "approved", "refused")
PARAMETER_FIELDS = ("parameter", "value", "valid_from", "source_kind", "source_text", "article", "reason")


async def waivers_view(
    page: PageRequest, *, problem: dict[str, Any] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    query = page.request.query_params
    try:
        granted = await page.call(waiver_reads.waivers)
        requests = await page.call(waiver_reads.waiver_approvals)
        findings = await page.call(rules.findings)
        schools = [o for o in await page.call(organisations.list_organisations) if o.type == "school"]
    except GovkitError as exc:
        return page.error(exc)
    can_grant = is_allowed(page.actor, Action.GRANT_WAIVER)
    to_waive = waiver_reads.rules_to_waive(actor=page.actor) if can_grant else []
    initial = form or {name: query.get(name, "") for name in WAIVER_FIELDS}
    return page.render(
        "waivers.html",
        status=status,
        waivers=granted,
        findings=[f for f in findings if f.record.severity in ("error", "warning") and not f.waived],
        schools=schools,
        rules=to_waive,
        can_grant=can_grant,
        four_eyes={r.id for r in to_waive if waiver_grants.needs_second_approval(page.settings, r.severity)},
        pending=[a for a in requests if a.status == "pending"],
        approved={a.outcome.get("waiver"): a for a in requests if a.status == "approved"},
        decided=[a for a in requests if a.status == "refused"],
        can_decide=is_allowed(page.actor, Action.DECIDE_APPROVAL),
        form=initial,
        problem=problem,
        message=next(
            (f"plan_waiver_{n}" for n in ("granted", "requested", "approved", "refused") if query.get(n)), None
        ),
        today=utc_today(),
        latest=utc_today() + timedelta(days=730),
    )


@router.get("/waivers", response_class=HTMLResponse)
async def waivers_page(page: Page) -> Response:
    return await waivers_view(page)


@router.post("/waivers", response_class=HTMLResponse)
async def grant_waiver(page: Page) -> Response:
    form = await page.request.form()
    values = form_values(form, *WAIVER_FIELDS)
    try:
        page.check_csrf(str(form.get("csrf") or ""))
        expires_on = required_date(values["expires_on"], "expires_on")
        target = {"rule": values["rule_id"], "school": values["school"], "key": values["key"] or None}
        outcome = await change(
            page,
            "grantWaiver",
            target,
            waiver_grants.grant,
            settings=page.settings,
            rule_id=values["rule_id"],
            school=values["school"],
            reason=values["reason"],
            expires_on=expires_on,
            key=values["key"].strip() or None,
        )
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            return page.error(exc)
        return await waivers_view(page, problem=shown, form=values, status=status_of(exc))
    if isinstance(outcome, Approval):  # an error finding, under four eyes: a second legal officer decides
        return RedirectResponse(f"/ui/waivers?requested={outcome.id}#request-{outcome.id}", status_code=303)
    return RedirectResponse(f"/ui/waivers?granted={outcome.id}#waiver-{outcome.id}", status_code=303)


@router.post("/waivers/requests/{approval_id}/{decision}", response_class=HTMLResponse)
async def decide(
    page: Page, approval_id: int, decision: str, csrf: str = Form(""), comment: str = Form("")
) -> Response:
    """A second legal officer approves (the waiver is granted) or refuses, with a comment, a request."""
    try:
        page.check_csrf(csrf)
        target = {"approval": approval_id}
        if decision == "approve":
            handlers = page.wiring.approval_handlers
            await change(
                page,
                "approveWaiver",
                target,
                approvals.approve,
                handlers=handlers,
                approval_id=approval_id,
                comment=comment,
            )
        elif decision == "refuse":
            await change(page, "refuseWaiver", target, approvals.refuse, approval_id=approval_id, comment=comment)
        else:
            return page.error(NotFound("No such page.", key="no_page"))
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            return page.error(exc)
        return await waivers_view(page, problem=shown, status=status_of(exc))
    done = "approved" if decision == "approve" else "refused"
    return RedirectResponse(f"/ui/waivers?{done}={approval_id}#granted", status_code=303)


async def parameters_view(
    page: PageRequest, *, problem: dict[str, Any] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    query = page.request.query_params
    try:
        states = await page.call(parameter_service.rule_parameters)
    except GovkitError as exc:
        return page.error(exc)
    lang = page.language
    initial = form or {name: query.get(name, "") for name in PARAMETER_FIELDS}
    return page.render(
        "parameters.html",
        status=status,
        states=states,
        can_set=is_allowed(page.actor, Action.SET_RULE_PARAMETER),
        form=initial,
        problem=problem,
        message="plan_parameter_saved" if query.get("saved") else None,
        value_of=lambda name, value: shown_value(name, value, lang),
        titles={r.id: r.title.fr if lang == "fr" else r.title.en for r in load_rules().rules},
        source_of=lambda source: shown_source(source, lang),
        today=utc_today(),
    )


@router.get("/rules/parameters", response_class=HTMLResponse)
async def parameters_page(page: Page) -> Response:
    return await parameters_view(page)


def _value(text: str) -> Any:
    """A value as written in a rule file: JSON (0.8, 2, ["staff"], "text"), or a date / word as is."""
    text = text.strip()
    if not text:
        raise InvalidInput("Give a value.", key="parameter_value_json")
    try:
        return json.loads(text)
    except ValueError:
        if text[:1] in '[{"':
            raise InvalidInput("Not a JSON value.", key="parameter_value_json") from None
        return text


@router.post("/rules/parameters", response_class=HTMLResponse)
async def set_parameter(page: Page) -> Response:
    form = await page.request.form()
    values = form_values(form, *PARAMETER_FIELDS)
    try:
        page.check_csrf(str(form.get("csrf") or ""))
        rule_id, _dot, name = values["parameter"].partition(":")
        kind = values["source_kind"] if values["source_kind"] in ("plan", "law", "default") else "default"
        source = {kind: values["source_text"].strip() or None}
        if kind == "law":
            source["article"] = values["article"].strip() or None
        request = page.request
        await page.call(
            parameter_service.set_rule_parameter,
            rule_id=rule_id,
            name=name,
            value=_value(values["value"]),
            valid_from=required_date(values["valid_from"], "valid_from"),
            source=source,
            reason=values["reason"],
            action="page.setRuleParameter",
            correlation_id=getattr(request.state, "correlation_id", "-"),
            client_ip=request.client.host if request.client else None,
        )
    except GovkitError as exc:
        shown = refusal(page, exc)
        if shown is None:
            await audit_refusal(page, "setRuleParameter", {"parameter": values["parameter"]}, exc)
            return page.error(exc)
        return await parameters_view(page, problem=shown, form=values, status=status_of(exc))
    anchor = values["parameter"].replace(":", "-").replace(".", "-")
    return RedirectResponse(f"/ui/rules/parameters?saved=1#p-{anchor}", status_code=303)
