"""The routers of the application, by area, in the order it includes them.

Pages (under /ui, server-rendered, signed in with a session cookie): sign-in, the member's
pages, the schools' dashboard, the template editor, the background jobs (legal staff), evidence files.
Plain routes (bearer tokens, JSON or files): downloads, receipts and their public
verification, evidence files, the health check, the chain's checkpoints and the public documents in
force (no token).
GraphQL is not among them: govkit.graphql.http serves it before FastAPI's routing.
"""

from __future__ import annotations

from fastapi import APIRouter

from govkit.web import (
    checkpoints,
    dashboard,
    downloads,
    evidence,
    health,
    jobs_page,
    link_signin,
    member,
    outbox,
    public,
    receipts,
    sealed_pdf,
    signin,
    template_editor,
)

PAGES: tuple[APIRouter, ...] = (
    signin.router,
    link_signin.router,
    member.router,
    sealed_pdf.pages,  # /ui/receipts/{code}.pdf
    dashboard.router,
    template_editor.router,
    jobs_page.router,
    evidence.pages,
    outbox.router,  # /ui/dev/outbox: dev only
)
ROUTES: tuple[APIRouter, ...] = (
    downloads.router,
    receipts.router,
    evidence.router,
    health.router,
    checkpoints.router,  # /public/chain/checkpoints/...: the chain's checkpoints, no token
    public.router,  # /public/...: documents in force, no token (govkit.documents.addresses)
)
#: Where the pages live.
PAGES_PREFIX = "/ui"
