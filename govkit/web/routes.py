"""Server-rendered pages: sign-in, the member's page, the school dashboard (same services, same rules)."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from govkit.acknowledgements import service as acks
from govkit.acknowledgements.campaigns import encode_cursor
from govkit.auth import service as auth
from govkit.auth.roles import ANONYMOUS, Principal, Role
from govkit.auth.tokens import InvalidToken
from govkit.csvsafe import csv_writer
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.documents import service as documents
from govkit.documents.inspect import body_paragraphs
from govkit.documents.kinds import catalogue
from govkit.errors import GovkitError, NotAuthenticated
from govkit.organisations import service as organisations
from govkit.rules import service as rules
from govkit.rules.barometer import INDICATORS
from govkit.settings import Settings
from govkit.web import charts
from govkit.web.i18n import translator

HERE = Path(__file__).resolve().parent
COOKIE = "govkit_session"
templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape is on by default


def web_router(*, db: Database, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/ui", include_in_schema=False)
    key = settings.signing_key().encode()

    def csrf_for(token: str | None) -> str:
        return hmac.new(key, f"csrf:{token or ''}".encode(), hashlib.sha256).hexdigest()[:32]

    async def call(function: Callable[..., Any], **kwargs: Any) -> Any:
        return await run_service(function, db=db, **kwargs)

    async def actor_of(request: Request) -> tuple[Principal, str | None]:
        token = request.cookies.get(COOKIE)
        if not token:
            return ANONYMOUS, None
        try:
            return await run_service(auth.authenticate, db=db, settings=settings, token=token), token
        except InvalidToken:
            return ANONYMOUS, None

    def language(request: Request) -> str:
        wanted = request.query_params.get("lang") or request.cookies.get("govkit_lang") or "fr"
        return wanted if wanted in ("fr", "en") else "fr"

    def page(
        request: Request, name: str, actor: Principal, token: str | None, status: int = 200, **values: Any
    ) -> HTMLResponse:
        lang = language(request)
        response = templates.TemplateResponse(
            request,
            name,
            {
                "lang": lang,
                "t": translator(lang),
                "actor": actor,
                "csrf": csrf_for(token),
                "sso": bool(settings.oidc_issuer and settings.oidc_client_id),
                "title": lambda d: catalogue().kind(d.kind).title.get(d.language),
                **values,
            },
            status_code=status,
        )
        response.headers["Cache-Control"] = "no-store"
        if request.query_params.get("lang") in ("fr", "en"):
            response.set_cookie("govkit_lang", lang, samesite="strict", httponly=True, path="/ui")
        return response

    def check_csrf(token: str | None, given: str) -> None:
        if not token or not hmac.compare_digest(csrf_for(token), given):
            raise NotAuthenticated("The form expired or did not come from govkit: sign in again.")

    def home_of(actor: Principal) -> str:
        if actor.role is Role.MEMBER:
            return "/ui/me"
        if actor.role in (Role.SCHOOL_ADMIN, Role.INTRANET) and actor.organisation_code:
            return f"/ui/schools/{actor.organisation_code}"
        if actor.role is Role.LEGAL:
            return "/ui/templates"
        return "/ui/schools"

    def error_page(request: Request, actor: Principal, token: str | None, exc: GovkitError) -> HTMLResponse:
        if isinstance(exc, NotAuthenticated):
            return page(request, "signin.html", ANONYMOUS, None, status=401, error=exc.message)
        status = {"FORBIDDEN": 403, "NOT_FOUND": 404}.get(exc.code, 400)
        return page(
            request,
            "signin.html" if not actor.is_authenticated else "error.html",
            actor,
            token,
            status=status,
            error=exc.message,
        )

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        actor, token = await actor_of(request)
        if actor.is_authenticated:
            return RedirectResponse(home_of(actor), status_code=303)
        return page(request, "signin.html", actor, token)

    @router.post("/signin")
    async def signin(request: Request, token: str = Form(...)) -> Response:
        token = token.strip()
        try:
            actor = await anyio.to_thread.run_sync(lambda: auth.authenticate(db=db, settings=settings, token=token))
        except InvalidToken as exc:
            return page(request, "signin.html", ANONYMOUS, None, status=401, error=str(exc))
        response = RedirectResponse(home_of(actor), status_code=303)
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", secure=not settings.is_dev, path="/ui", max_age=12 * 3600
        )
        return response

    @router.get("/signin/oidc")
    async def oidc_start(request: Request) -> Response:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            return page(
                request, "signin.html", ANONYMOUS, None, status=404, error="No identity provider is configured."
            )
        state = secrets.token_urlsafe(24)
        endpoint = settings.oidc_authorization_endpoint or settings.oidc_issuer.rstrip("/") + "/authorize"
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.oidc_client_id,
                "scope": "openid profile",
                "redirect_uri": str(request.url_for("oidc_callback")),
                "state": state,
            }
        )
        response = RedirectResponse(f"{endpoint}?{query}", status_code=303)
        response.set_cookie(
            "govkit_oidc_state",
            state,
            httponly=True,
            samesite="lax",
            secure=not settings.is_dev,
            path="/ui/signin",
            max_age=600,
        )
        return response

    @router.get("/signin/oidc/callback", name="oidc_callback")
    async def oidc_callback(request: Request) -> Response:
        import httpx

        state = request.cookies.get("govkit_oidc_state")
        if not state or not hmac.compare_digest(state, request.query_params.get("state", "")):
            return page(request, "signin.html", ANONYMOUS, None, status=401, error="The sign-in expired: try again.")
        assert settings.oidc_issuer is not None
        endpoint = settings.oidc_token_endpoint or settings.oidc_issuer.rstrip("/") + "/token"
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.post(
                    endpoint,
                    data={
                        "grant_type": "authorization_code",
                        "code": request.query_params.get("code", ""),
                        "redirect_uri": str(request.url_for("oidc_callback")),
                        "client_id": settings.oidc_client_id,
                        "client_secret": settings.oidc_client_secret or "",
                    },
                )
            answer.raise_for_status()
            id_token = answer.json()["id_token"]
            actor = await anyio.to_thread.run_sync(lambda: auth.authenticate(db=db, settings=settings, token=id_token))
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            return page(
                request,
                "signin.html",
                ANONYMOUS,
                None,
                status=401,
                error=f"The identity provider did not sign you in ({type(exc).__name__}).",
            )
        except InvalidToken as exc:
            return page(request, "signin.html", ANONYMOUS, None, status=401, error=str(exc))
        response = RedirectResponse(home_of(actor), status_code=303)
        response.set_cookie(
            COOKIE, id_token, httponly=True, samesite="strict", secure=not settings.is_dev, path="/ui", max_age=8 * 3600
        )
        response.delete_cookie("govkit_oidc_state", path="/ui/signin")
        return response

    @router.post("/signout")
    async def signout(request: Request, csrf: str = Form("")) -> Response:
        response = RedirectResponse("/ui/", status_code=303)
        response.delete_cookie(COOKIE, path="/ui")
        return response

    @router.get("/me", response_class=HTMLResponse)
    async def me(request: Request) -> Response:
        actor, token = await actor_of(request)
        try:
            view = await call(acks.me, actor=actor, days=settings.campaign_days)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        return page(request, "me.html", actor, token, view=view)

    @router.get("/me/documents/{document_id}", response_class=HTMLResponse)
    async def read(request: Request, document_id: int) -> Response:
        actor, token = await actor_of(request)
        try:
            view = await call(acks.me, actor=actor, days=settings.campaign_days)
            pending = next((p for p in view.pending if p.document.id == document_id), None)
            in_force = await call(documents.published_documents, actor=actor, school=view.organisation.code)
            document = next((d for _o, d in in_force if d.id == document_id), None)
            if document is None:
                raise GovkitError("This document is not in force at your school.")
            data = (await call(documents.download, actor=actor, sha256=document.sha256)).data
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        translation = pending.translation if pending else None
        return page(
            request,
            "document.html",
            actor,
            token,
            document=document,
            translation=translation,
            paragraphs=body_paragraphs(data),
            acknowledgeable=pending is not None,
            wording=pending.wording if pending else "",
        )

    @router.post("/me/documents/{document_id}/acknowledge")
    async def acknowledge(request: Request, document_id: int, csrf: str = Form(""), sha256: str = Form("")) -> Response:
        actor, token = await actor_of(request)
        try:
            check_csrf(token, csrf)
            client = acks.ClientInfo(
                ip=request.client.host if request.client else None, user_agent=request.headers.get("user-agent")
            )
            receipt = await call(
                acks.acknowledge,
                actor=actor,
                document_version_id=document_id,
                client=client,
                shown_sha256=sha256 or None,
            )
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        return RedirectResponse(f"/ui/me/receipts/{receipt.record.verification_code}", status_code=303)

    @router.get("/me/receipts/{code}", response_class=HTMLResponse)
    async def receipt_page(request: Request, code: str) -> Response:
        actor, token = await actor_of(request)
        try:
            receipt = await call(acks.receipt, actor=actor, code=code)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        return page(request, "receipt.html", actor, token, receipt=receipt)

    @router.get("/receipts/{code}.docx")
    async def certificate(request: Request, code: str) -> Response:
        from govkit.acknowledgements.certificate import certificate_docx

        actor, token = await actor_of(request)
        try:
            receipt = await call(acks.receipt, actor=actor, code=code)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        content = certificate_docx(receipt.to_json(), f"{settings.public_url.rstrip('/')}/verify/{code}")
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            headers={
                "Content-Disposition": f'attachment; filename="attestation-{code}.docx"',
                "Cache-Control": "private, no-store",
            },
        )

    @router.get("/files/{sha256}")
    async def file(request: Request, sha256: str) -> Response:
        actor, token = await actor_of(request)
        try:
            found = await call(documents.download, actor=actor, sha256=sha256)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        return Response(
            found.data,
            media_type=found.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    @router.get("/schools", response_class=HTMLResponse)
    async def schools(request: Request) -> Response:
        actor, token = await actor_of(request)
        if not actor.is_authenticated:
            return page(request, "signin.html", actor, token, status=401)
        rows = await call(organisations.list_organisations, actor=actor)
        return page(request, "schools.html", actor, token, organisations=[o for o in rows if o.type == "school"])

    @router.get("/schools/{code}", response_class=HTMLResponse)
    async def school(request: Request, code: str) -> Response:
        actor, token = await actor_of(request)
        lang = language(request)
        t = translator(lang)
        try:
            organisation = await call(organisations.get_organisation, actor=actor, code=code)
            in_force = [d for _o, d in await call(documents.published_documents, actor=actor, school=code)]
            campaigns = await call(acks.campaigns, actor=actor, school=code, days=settings.campaign_days)
            findings = await call(rules.findings, actor=actor, school=code)
            barometer = await call(rules.barometer, actor=actor, year=date.today().year)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        mine = next((r for r in barometer.schools if r.organisation == code), None)
        labels = [
            (
                i.label_fr if lang == "fr" else i.label_en,
                (mine.values.get(i.id) if mine else None),
                barometer.group.values.get(i.id),
            )
            for i in INDICATORS
        ]
        svg = charts.paired_bars(f"{t('barometer')} {barometer.year}", labels, (organisation.short_name, t("group")))

        def ctitle(status: Any) -> str:
            return catalogue().kind(status.campaign.kind).title.get(lang)

        def population_bars(status: Any) -> str:
            return charts.bars(f"{ctitle(status)} — {t('rate')}", [(p.population, p.rate) for p in status.populations])

        return page(
            request,
            "school.html",
            actor,
            token,
            organisation=organisation,
            documents=in_force,
            campaigns=campaigns,
            findings=findings,
            barometer=barometer,
            barometer_svg=svg,
            ctitle=ctitle,
            bars=population_bars,
        )

    @router.get("/schools/{code}/campaigns/{campaign_id}", response_class=HTMLResponse)
    async def pending(request: Request, code: str, campaign_id: int) -> Response:
        actor, token = await actor_of(request)
        q = request.query_params.get("q") or None
        after = request.query_params.get("after") or None
        try:
            organisation = await call(organisations.get_organisation, actor=actor, code=code)
            rows, has_next, total = await call(
                acks.pending_persons,
                actor=actor,
                campaign_id=campaign_id,
                first=50,
                after=after,
                search=q,
                days=settings.campaign_days,
            )
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        cursor = encode_cursor(rows[-1].person.id) if has_next and rows else None  # type: ignore[arg-type]
        return page(
            request,
            "pending.html",
            actor,
            token,
            organisation=organisation,
            page=rows,
            total=total,
            q=q,
            next_cursor=cursor,
            campaign_id=campaign_id,
        )

    @router.get("/schools/{code}/campaigns/{campaign_id}/pending.csv")
    async def pending_csv(request: Request, code: str, campaign_id: int) -> Response:
        actor, token = await actor_of(request)
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow(["external_id", "family_name", "given_name", "email", "populations", "overdue"])
        after = None
        try:
            while True:
                rows, has_next, _total = await call(
                    acks.pending_persons,
                    actor=actor,
                    campaign_id=campaign_id,
                    first=500,
                    after=after,
                    days=settings.campaign_days,
                )
                for p in rows:
                    writer.writerow(
                        [
                            p.person.external_id,
                            p.person.family_name,
                            p.person.given_name,
                            p.person.email,
                            "|".join(p.populations),
                            "yes" if p.overdue else "no",
                        ]
                    )
                if not has_next:
                    break
                after = encode_cursor(rows[-1].person.id)  # type: ignore[arg-type]
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="pending-{code}-{campaign_id}.csv"',
                "Cache-Control": "private, no-store",
            },
        )

    # --- the template editor (legal staff edit; school administrations and auditors read) ---------

    def clause_title(lang: str) -> Callable[[str], str]:
        return lambda key: catalogue().clause_title(key, lang)

    @router.get("/templates", response_class=HTMLResponse)
    async def template_list(request: Request) -> Response:
        actor, token = await actor_of(request)
        try:
            found = {
                (t.kind, t.language): v[0] if v else None
                for t, v in await call(documents.list_root_templates, actor=actor)
            }
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        rows = [
            (spec, lang, found.get((spec.key, lang))) for spec in catalogue().kinds.values() for lang in ("fr", "en")
        ]
        return page(request, "templates.html", actor, token, rows=rows)

    async def template_view(
        request: Request, kind: str, lang_code: str, message: str | None = None, report: Any = None, status: int = 200
    ) -> Response:
        """A root template's page: versions, clauses, upload and preview forms (and an upload's report)."""
        actor, token = await actor_of(request)
        try:
            rows = await call(documents.list_root_templates, actor=actor, kind=kind)
            organisations_list = await call(organisations.list_organisations, actor=actor)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        versions = next((v for t, v in rows if t.language == lang_code), [])
        spec = catalogue().kind(kind)
        return page(
            request,
            "template.html",
            actor,
            token,
            status=status,
            spec=spec,
            language=lang_code,
            versions=versions,
            clauses=versions[0].clauses if versions else list(spec.required_clauses),
            clause_title=clause_title(language(request)),
            message=message,
            report=report,
            can_edit=actor.role is Role.LEGAL,
            schools=[o.code for o in organisations_list if o.type == "school"],
        )

    @router.get("/templates/diff", response_class=HTMLResponse)
    async def template_diff(request: Request) -> Response:
        actor, token = await actor_of(request)
        try:
            diffs = await call(
                documents.diff_root_versions,
                actor=actor,
                from_id=int(request.query_params.get("from", "0")),
                to_id=int(request.query_params.get("to", "0")),
            )
        except (GovkitError, ValueError) as exc:
            return error_page(request, actor, token, exc if isinstance(exc, GovkitError) else GovkitError(str(exc)))
        return page(request, "diff.html", actor, token, diffs=diffs)

    @router.get("/templates/{kind}/{lang_code}", response_class=HTMLResponse)
    async def template_page(request: Request, kind: str, lang_code: str) -> Response:
        return await template_view(request, kind, lang_code, request.query_params.get("message"))

    async def latest_version(actor: Principal, kind: str, lang_code: str) -> Any:
        rows = await call(documents.list_root_templates, actor=actor, kind=kind)
        versions = next((v for t, v in rows if t.language == lang_code), [])
        if not versions:
            raise GovkitError(f"No version of {kind} ({lang_code}) to edit yet.")
        return versions[0]

    @router.get("/templates/{kind}/{lang_code}/clauses/{key}", response_class=HTMLResponse)
    async def clause_form(request: Request, kind: str, lang_code: str, key: str) -> Response:
        from govkit.documents.edit import clause_source

        actor, token = await actor_of(request)
        try:
            version = await latest_version(actor, kind, lang_code)
            data = (await call(documents.download, actor=actor, sha256=version.sha256)).data
            text = clause_source(data, key)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        return page(
            request,
            "clause.html",
            actor,
            token,
            spec=catalogue().kind(kind),
            language=lang_code,
            key=key,
            text=text,
            clause_title=clause_title(language(request)),
            report=None,
        )

    @router.post("/templates/{kind}/{lang_code}/clauses/{key}", response_class=HTMLResponse)
    async def clause_save(
        request: Request, kind: str, lang_code: str, key: str, csrf: str = Form(""), text: str = Form("")
    ) -> Response:
        from govkit.documents.edit import replace_clause
        from govkit.graphql.context import worker_pool

        actor, token = await actor_of(request)
        try:
            check_csrf(token, csrf)
            version = await latest_version(actor, kind, lang_code)
            data = (await call(documents.download, actor=actor, sha256=version.sha256)).data
            edited = replace_clause(data, key, text)
            outcome = await call(
                documents.upload_root_template_version,
                actor=actor,
                pool=worker_pool(settings),
                kind=kind,
                language=lang_code,
                filename=f"trame-{kind}-{lang_code}.docx",
                data=edited,
                max_bytes=settings.upload_max_bytes,
                note=f"Clause {key} modifiée dans l'éditeur",
            )
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        if outcome.version is None:
            return page(
                request,
                "clause.html",
                actor,
                token,
                spec=catalogue().kind(kind),
                language=lang_code,
                key=key,
                text=text,
                clause_title=clause_title(language(request)),
                report=outcome.report,
                status=422,
            )
        message = f"Version {outcome.version.number} enregistrée en brouillon (validée)."
        return RedirectResponse(f"/ui/templates/{kind}/{lang_code}?message={message}", status_code=303)

    @router.post("/templates/{kind}/{lang_code}/upload", response_class=HTMLResponse)
    async def upload(
        request: Request, kind: str, lang_code: str, csrf: str = Form(""), file: UploadFile = File(...)
    ) -> Response:
        from govkit.graphql.context import worker_pool

        actor, token = await actor_of(request)
        try:
            check_csrf(token, csrf)
            data = await file.read(settings.upload_max_bytes + 1)
            outcome = await call(
                documents.upload_root_template_version,
                actor=actor,
                pool=worker_pool(settings),
                kind=kind,
                language=lang_code,
                filename=file.filename or "trame.docx",
                data=data,
                max_bytes=settings.upload_max_bytes,
                note="Téléversée dans l'éditeur",
            )
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        if outcome.version is None:
            return await template_view(request, kind, lang_code, report=outcome.report, status=422)
        message = f"Version {outcome.version.number} enregistrée en brouillon (validée)."
        return RedirectResponse(f"/ui/templates/{kind}/{lang_code}?message={message}", status_code=303)

    @router.get("/templates/versions/{version_id}/preview", response_model=None)
    async def preview(request: Request, version_id: int) -> Response:
        from govkit.documents import jobs
        from govkit.documents.context import DocumentInfo, build_context
        from govkit.documents.diff import diff_clauses
        from govkit.documents.inspect import read_clauses
        from govkit.graphql.context import worker_pool
        from govkit.organisations.profile import SchoolProfile

        actor, token = await actor_of(request)
        code = request.query_params.get("school", "")
        try:
            template, version = await call(documents.get_root_version, actor=actor, version_id=version_id)
            organisation = await call(organisations.get_organisation, actor=actor, code=code)
            profiles = await call(
                organisations.profiles_by_organisation, actor=actor, organisation_ids=[organisation.id]
            )
            revision = profiles.get(organisation.id)
            if revision is None or isinstance(revision, Exception):
                raise revision if isinstance(revision, GovkitError) else GovkitError(f"{code} has no profile yet.")
            campuses = (
                await call(organisations.campuses_by_organisation, actor=actor, organisation_ids=[organisation.id])
            ).get(organisation.id, [])
            root = (await call(documents.download, actor=actor, sha256=version.sha256)).data
            spec = catalogue().kind(template.kind)
            context = build_context(
                code=code,
                profile=SchoolProfile.model_validate(revision.data),
                campuses=[(c.code, c.name) for c in campuses],
                document=DocumentInfo(
                    template.kind, template.language, spec.title.get(template.language), version.number
                ),
            )
            outcome = await anyio.to_thread.run_sync(
                lambda: worker_pool(settings).run(jobs.render_job, version.sha256, root, code, context)
            )
            if outcome.data is None:
                raise GovkitError(outcome.error or "rendering failed")
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        if request.query_params.get("download"):
            return Response(
                outcome.data,
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                headers={
                    "Content-Disposition": f'attachment; filename="apercu-{template.kind}-{code}.docx"',
                    "Cache-Control": "private, no-store",
                },
            )
        diffs = diff_clauses(read_clauses(root), read_clauses(outcome.data), template.language)
        return page(
            request,
            "preview.html",
            actor,
            token,
            spec=spec,
            template=template,
            version=version,
            organisation=organisation,
            paragraphs=body_paragraphs(outcome.data),
            diffs=diffs,
            query=f"school={code}",
        )

    @router.post("/templates/versions/{version_id}/publish")
    async def publish(
        request: Request,
        version_id: int,
        csrf: str = Form(""),
        change_kind: str = Form("substantive"),
        changelog: str = Form(""),
    ) -> Response:
        actor, token = await actor_of(request)
        try:
            check_csrf(token, csrf)
            version = await call(
                documents.publish_root_template_version,
                actor=actor,
                version_id=version_id,
                change_kind=change_kind,
                changelog=changelog,
            )
            template, _v = await call(documents.get_root_version, actor=actor, version_id=version.id)
        except GovkitError as exc:
            return error_page(request, actor, token, exc)
        message = f"Version {version.number} publiée."
        return RedirectResponse(f"/ui/templates/{template.kind}/{template.language}?message={message}", status_code=303)

    return router


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(HERE / "static"))
