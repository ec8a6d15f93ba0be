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
    clause_library,
    clause_pages,
    dashboard,
    downloads,
    evidence,
    health,
    jobs_page,
    legal_holds_page,
    link_signin,
    member,
    my_data,
    outbox,
    plan_records,
    plan_rules,
    plan_training,
    privacy_page,
    provisions_page,
    public,
    publication_reviews,
    receipts,
    sealed_pdf,
    search_page,
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
    publication_reviews.router,  # /ui/reviews, /ui/approvals: publication reviews, four eyes
    clause_library.router,  # /ui/clauses: the clause library and the required clauses
    clause_pages.router,  # /ui/templates/{kind}/{lang}/clauses/{key}, tracked changes
    jobs_page.router,
    provisions_page.router,  # /ui/schools/{code}/provisions, /ui/provisions
    evidence.pages,
    plan_records.router,  # /ui/schools/{code}/commitments...: commitments, arrangements, evidence files
    plan_training.router,  # /ui/schools/{code}/training...: training and surveys
    plan_rules.router,  # /ui/waivers, /ui/rules/parameters
    outbox.router,  # /ui/dev/outbox: dev only
    search_page.router,  # /ui/search: the clause search, and each version's clauses with their anchors
    my_data.router,  # /ui/me/data(.json), /ui/me/corrections, /ui/corrections: one's own data (issue 20)
    legal_holds_page.router,  # /ui/legal-holds: legal staff suspend the erasure of named persons
)
ROUTES: tuple[APIRouter, ...] = (
    downloads.router,
    receipts.router,
    evidence.router,
    health.router,
    checkpoints.router,  # /public/chain/checkpoints/...: the chain's checkpoints, no token
    public.router,  # /public/...: documents in force, no token (govkit.documents.addresses)
    privacy_page.router,  # /privacy, /privacy.json: the register of processing, no token
)
#: Where the pages live.
PAGES_PREFIX = "/ui"
