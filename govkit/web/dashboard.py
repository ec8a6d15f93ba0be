"""The schools' dashboard: the list of schools, a school's documents, campaigns, findings and
barometer, and the persons who have not acknowledged yet (page and CSV)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from govkit.access.policy import Action, is_allowed
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.campaign_progress import encode_cursor
from govkit.acknowledgements.person_view import ShownPending
from govkit.csvsafe import csv_writer
from govkit.days import utc_today
from govkit.documents import service as documents
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError, InvalidInput
from govkit.labels import label
from govkit.notifications import reads as notices
from govkit.organisations import arrangements
from govkit.organisations import service as organisations
from govkit.rules import service as rules
from govkit.rules.barometer import INDICATORS, Barometer
from govkit.timeline import AsOf
from govkit.web import charts
from govkit.web.i18n import translator
from govkit.web.pages import Page

router = APIRouter()

#: The persons of a campaign's page, and of each service call the CSV is written from.
PAGE_SIZE = 50
CSV_BATCH = 500


def _note(page: Page, channel: str) -> acks.ReadNote:
    """How a page reads persons, for the read log (govkit.privacy.reads)."""
    client = page.request.client
    return acks.ReadNote(
        channel,
        page.settings.pseudonym_secret(),
        str(getattr(page.request.state, "correlation_id", "-"))[:64],
        client.host if client else None,
    )


def _cursor_after(rows: list[ShownPending]) -> str:
    """The cursor of the page after ``rows`` (persons read from the database: each has an id)."""
    person_id = rows[-1].person.id
    assert person_id is not None
    return encode_cursor(person_id)


@router.get("/schools", response_class=HTMLResponse)
async def schools(page: Page) -> Response:
    if not page.actor.is_authenticated:
        return page.render("signin.html", status=401)
    rows = await page.call(organisations.list_organisations)
    return page.render("schools.html", organisations=[o for o in rows if o.type == "school"])


def picked_day(page: Page) -> date | None:
    """The day picked on the page (GET ``as_of``, YYYY-MM-DD), or None for the present."""
    text = (page.request.query_params.get("as_of") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"Date « {text} » non reconnue (AAAA-MM-JJ). / Date {text!r} not recognised (YYYY-MM-DD).",
            key="bad_date",
            params={"text": text},
        ) from None


@router.get("/schools/{code}", response_class=HTMLResponse)
async def school(page: Page, code: str) -> Response:
    lang = page.language
    t = translator(lang)
    today = utc_today()
    try:
        as_of = picked_day(page)  # None: the present (the latest current run, this year's barometer)
        past = as_of if as_of is not None and as_of < today else None
        organisation = await page.call(organisations.get_organisation, code=code)
        in_force = [d for _o, d in await page.call(documents.published_documents, school=code, as_of=as_of)]
        history = await page.call(documents.histories, school=code)
        campaigns = await page.call(acks.campaigns, school=code, days=page.settings.campaign_days, as_of=as_of)
        findings = await page.call(rules.findings, school=code, as_of=as_of)
        # each shared, group or external arrangement it holds or is in, once, with its members
        held = await page.call(arrangements.list_arrangements, when=AsOf.of(as_of), school=code)
        year = (past or today).year
        # the e-mails not delivered, for those who may read the school's notices
        failed = (
            await page.call(notices.failed_notices, school=code)
            if is_allowed(page.actor, Action.READ_NOTICES, organisation_id=organisation.id)
            else None
        )
        barometer = (  # none before the first year measured: the rest of the page still answers
            await page.call(rules.barometer, year=year, as_of=past) if year >= rules.FIRST_BAROMETER_YEAR else None
        )
    except GovkitError as exc:
        return page.error(exc)
    svg = _barometer_svg(barometer, code, organisation.short_name, lang) if barometer else ""

    def ctitle(status: Any) -> str:
        return catalogue().kind(status.campaign.kind).title.get(lang)

    def population_bars(status: Any) -> str:
        rows = [(label("population", p.population, lang), p.rate) for p in status.populations]
        return charts.bars(f"{ctitle(status)} — {t('rate')}", rows)

    return page.render(
        "school.html",
        organisation=organisation,
        documents=in_force,
        history=history,
        day=as_of or today,
        today=today,
        campaigns=campaigns,
        as_of=as_of,
        findings=findings,
        arrangements=held,
        barometer=barometer,
        barometer_svg=svg,
        failed_notices=failed,
        ctitle=ctitle,
        bars=population_bars,
    )


def _barometer_svg(barometer: Barometer, code: str, short_name: str, lang: str) -> str:
    """The school's indicators beside the group's, as paired bars."""
    t = translator(lang)
    mine = next((r for r in barometer.schools if r.organisation == code), None)
    labels = [
        (
            i.label_fr if lang == "fr" else i.label_en,
            (mine.values.get(i.id) if mine else None),
            barometer.group.values.get(i.id),
        )
        for i in INDICATORS
    ]
    return charts.paired_bars(f"{t('barometer')} {barometer.year}", labels, (short_name, t("group")))


@router.get("/schools/{code}/campaigns/{campaign_id}", response_class=HTMLResponse)
async def pending(page: Page, code: str, campaign_id: int) -> Response:
    q = page.request.query_params.get("q") or None
    after = page.request.query_params.get("after") or None
    try:
        as_of = picked_day(page)
        organisation = await page.call(organisations.get_organisation, code=code)
        rows, has_next, total = await page.call(
            acks.pending_persons,
            campaign_id=campaign_id,
            first=PAGE_SIZE,
            after=after,
            search=q,
            days=page.settings.campaign_days,
            as_of=as_of,
            note=_note(page, "page"),
        )
    except GovkitError as exc:
        return page.error(exc)
    cursor = _cursor_after(rows) if has_next and rows else None
    return page.render(
        "pending.html",
        organisation=organisation,
        page=rows,
        total=total,
        q=q,
        next_cursor=cursor,
        campaign_id=campaign_id,
        as_of=as_of,
    )


@router.get("/schools/{code}/campaigns/{campaign_id}/pending.csv")
async def pending_csv(page: Page, code: str, campaign_id: int) -> Response:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["external_id", "family_name", "given_name", "email", "populations", "overdue"])
    after = None
    try:
        as_of = picked_day(page)
        while True:
            rows, has_next, _total = await page.call(
                acks.pending_persons,
                campaign_id=campaign_id,
                first=CSV_BATCH,
                after=after,
                days=page.settings.campaign_days,
                as_of=as_of,
                note=_note(page, "csv"),
            )
            for p in rows:
                writer.writerow(
                    [
                        p.person.external_id or p.person.pseudonym,
                        p.person.family_name,
                        p.person.given_name,
                        p.person.email,
                        "|".join(p.populations),
                        "yes" if p.overdue else "no",
                    ]
                )
            if not has_next:
                break
            after = _cursor_after(rows)
    except GovkitError as exc:
        return page.error(exc)
    suffix = f"-{as_of.isoformat()}" if as_of else ""
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="pending-{code}-{campaign_id}{suffix}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
