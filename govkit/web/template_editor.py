"""The template editor: legal staff edit the root templates (a clause at a time, or a whole .docx),
preview them for a school and publish them; school administrations and auditors read them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govkit.access.roles import Role
from govkit.approvals.service import four_eyes
from govkit.days import utc_today
from govkit.documents import clause_service, jobs, reviews
from govkit.documents import service as documents
from govkit.documents.context import DocumentInfo, build_context
from govkit.documents.diff import diff_clauses
from govkit.documents.inspect import body_paragraphs, read_clauses
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError, InvalidInput, NotFound
from govkit.flows import publication_reviews, root_publication
from govkit.organisations import service as organisations
from govkit.organisations.profile import SchoolProfile
from govkit.web.dashboard import picked_day
from govkit.web.dependencies import PoolDep
from govkit.web.i18n import translator
from govkit.web.pages import Page, PageRequest
from govkit.web.publication_reviews import record_page_change

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def clause_title(lang: str) -> Callable[[str], str]:
    return lambda key: catalogue().clause_title(key, lang)


def _saved(kind: str, lang_code: str, number: int) -> Response:
    return RedirectResponse(f"/ui/templates/{kind}/{lang_code}?saved={number}", status_code=303)


def _message(page: PageRequest) -> str | None:
    """What the page says after a redirect (``?saved=N``: a draft saved, ``?published=N``), in its language."""
    t = translator(page.language)
    for name in ("saved", "published", "requested"):
        number = page.request.query_params.get(name, "")
        if number.isdigit() and len(number) < 10:
            return t(f"version_{name}").format(number=int(number))
    return None


@router.get("/templates", response_class=HTMLResponse)
async def template_list(page: Page) -> Response:
    try:
        found = {(t.kind, t.language): v[0] if v else None for t, v in await page.call(documents.list_root_templates)}
        library = await page.call(clause_service.current_catalogue)  # the required clauses of today
    except GovkitError as exc:
        return page.error(exc)
    rows = [(spec, lang, found.get((spec.key, lang))) for spec in library.kinds.values() for lang in ("fr", "en")]
    return page.render("templates.html", rows=rows)


async def template_view(
    page: PageRequest, kind: str, lang_code: str, message: str | None = None, report: Any = None, status: int = 200
) -> Response:
    """A root template's page: versions, clauses, upload and preview forms (and an upload's report), and
    each school's version in force on a day (GET ``as_of``, today by default) with its history."""
    today = utc_today()
    try:
        rows = await page.call(documents.list_root_templates, kind=kind)
        organisations_list = await page.call(organisations.list_organisations)
        day = picked_day(page) or today
        in_schools = await page.call(documents.histories, kind=kind, language=lang_code)
        library = await page.call(clause_service.current_catalogue)  # the required clauses of today
        tracked = await page.call(reviews.list_reviews, kind=kind, language=lang_code)
    except GovkitError as exc:
        return page.error(exc)
    versions = next((v for t, v in rows if t.language == lang_code), [])
    try:
        published = await page.call(publication_reviews.version_histories, version_ids=[v.id for v in versions])
    except GovkitError as exc:
        return page.error(exc)
    spec = library.kind(kind)
    return page.render(
        "template.html",
        status=status,
        spec=spec,
        language=lang_code,
        day=day,
        today=today,
        histories=in_schools,
        versions=versions,
        published=published,
        clauses=versions[0].clauses if versions else list(spec.required_clauses),
        clause_title=lambda key: library.clause_title(key, page.language),
        message=message,
        report=report,
        can_edit=page.actor.role is Role.LEGAL,
        schools=[o.code for o in organisations_list if o.type == "school"],
        reviews=[r.review for r in tracked],
    )


@router.get("/templates/diff", response_class=HTMLResponse)
async def template_diff(page: Page) -> Response:
    query = page.request.query_params
    try:
        diffs = await page.call(
            documents.diff_root_versions, from_id=int(query.get("from", "0")), to_id=int(query.get("to", "0"))
        )
    except (GovkitError, ValueError) as exc:
        return page.error(exc if isinstance(exc, GovkitError) else InvalidInput(str(exc), key="bad_version_ids"))
    return page.render("diff.html", diffs=diffs)


@router.get("/templates/{kind}/{lang_code}", response_class=HTMLResponse)
async def template_page(page: Page, kind: str, lang_code: str) -> Response:
    return await template_view(page, kind, lang_code, _message(page))


@router.post("/templates/{kind}/{lang_code}/upload", response_class=HTMLResponse)
async def upload(
    page: Page, pool: PoolDep, kind: str, lang_code: str, csrf: str = Form(""), file: UploadFile = File(...)
) -> Response:
    try:
        page.check_csrf(csrf)
        data = await file.read(page.settings.upload_max_bytes + 1)
        outcome = await page.call(
            documents.upload_root_template_version,
            pool=pool,
            kind=kind,
            language=lang_code,
            filename=file.filename or "trame.docx",
            data=data,
            max_bytes=page.settings.upload_max_bytes,
            note="Téléversée dans l'éditeur",
        )
    except GovkitError as exc:
        return page.error(exc)
    if outcome.review is not None:  # tracked changes: reviewed clause by clause before any version
        return RedirectResponse(f"/ui/templates/{kind}/{lang_code}/reviews/{outcome.review.id}", status_code=303)
    if outcome.version is None:
        return await template_view(page, kind, lang_code, report=outcome.report, status=422)
    return _saved(kind, lang_code, outcome.version.number)


@router.get("/templates/versions/{version_id}/preview", response_model=None)
async def preview(page: Page, pool: PoolDep, version_id: int) -> Response:
    """A root template version rendered for one school (``?school=``): its text and how its
    clauses differ from the template's; ``&download=1``: the .docx."""
    code = page.request.query_params.get("school", "")
    try:
        template, version = await page.call(documents.get_root_version, version_id=version_id)
        organisation = await page.call(organisations.get_organisation, code=code)
        organisation_id = organisation.id
        assert organisation_id is not None  # read from the database
        profiles = await page.call(organisations.profiles_by_organisation, organisation_ids=[organisation_id])
        revision = profiles.get(organisation_id)
        if revision is None or isinstance(revision, Exception):
            raise (
                revision
                if isinstance(revision, GovkitError)
                else NotFound(f"{code} has no profile yet.", key="no_profile", params={"code": code})
            )
        campuses = (await page.call(organisations.campuses_by_organisation, organisation_ids=[organisation_id])).get(
            organisation_id, []
        )
        root = (await page.call(documents.download, sha256=version.sha256)).data
        spec = catalogue().kind(template.kind)
        context = build_context(
            code=code,
            profile=SchoolProfile.model_validate(revision.data),
            campuses=[(c.code, c.name) for c in campuses],
            document=DocumentInfo(template.kind, template.language, spec.title.get(template.language), version.number),
        )
        outcome = await anyio.to_thread.run_sync(lambda: pool.run(jobs.render_job, version.sha256, root, code, context))
        if outcome.data is None:
            raise GovkitError(outcome.error or "rendering failed", key="render_failed")
    except GovkitError as exc:
        return page.error(exc)
    if page.request.query_params.get("download"):
        return Response(
            outcome.data,
            media_type=DOCX,
            headers={
                "Content-Disposition": f'attachment; filename="apercu-{template.kind}-{code}.docx"',
                "Cache-Control": "private, no-store",
            },
        )
    return page.render(
        "preview.html",
        spec=spec,
        template=template,
        version=version,
        organisation=organisation,
        paragraphs=body_paragraphs(outcome.data),
        diffs=diff_clauses(read_clauses(root), read_clauses(outcome.data), template.language),
        query=f"school={code}",
    )


@router.post("/templates/versions/{version_id}/publish")
async def publish(
    page: Page,
    version_id: int,
    csrf: str = Form(""),
    change_kind: str = Form("substantive"),
    changelog: str = Form(""),
) -> Response:
    """Publish through the publication flow: the review opened (every school's variant rendered by
    jobs), or with four eyes the approval requested (govkit.flows.root_publication)."""
    try:
        page.check_csrf(csrf)
        done = await page.call(
            root_publication.publish_root_version,
            jobs=page.wiring.jobs,
            four_eyes=four_eyes(page.settings),
            version_id=version_id,
            change_kind=change_kind,
            changelog=changelog,
        )
    except GovkitError as exc:
        return page.error(exc)
    record_page_change(page, "publishRootVersion", {"versionId": version_id, "changeKind": change_kind})
    said = "requested" if done.approval is not None else "published"  # the version's row links to its review
    return RedirectResponse(
        f"/ui/templates/{done.template.kind}/{done.template.language}?{said}={done.version.number}", status_code=303
    )
