"""What the documents domain offers the entry points and flows: every read and write of kinds,
root templates, variants and published documents, each authorised where it is defined
(root_templates.py, variants.py, published.py). Publishing a variant, which opens its campaign,
is govkit.flows.publication.publish_variant (over ``put_in_force``)."""

from __future__ import annotations

from govkit.documents.published import (
    Download,
    History,
    Period,
    Publication,
    document_history,
    download,
    histories,
    published_documents,
    put_in_force,
    slug,
)
from govkit.documents.root_templates import (
    CHANGE_KINDS,
    UploadOutcome,
    diff_root_versions,
    get_root_version,
    list_kinds,
    list_root_templates,
    publish_root_template_version,
    upload_root_template_version,
)
from govkit.documents.variants import (
    RENDERER_VERSION,
    RenderFailure,
    RenderSummary,
    diff_variant_with_root,
    get_variant,
    queue_renders,
    render_variants,
    variant_inputs_sha256,
)

__all__ = [
    "CHANGE_KINDS",
    "RENDERER_VERSION",
    "Download",
    "History",
    "Period",
    "Publication",
    "RenderFailure",
    "RenderSummary",
    "UploadOutcome",
    "diff_root_versions",
    "diff_variant_with_root",
    "document_history",
    "download",
    "get_root_version",
    "get_variant",
    "histories",
    "list_kinds",
    "list_root_templates",
    "publish_root_template_version",
    "published_documents",
    "put_in_force",
    "queue_renders",
    "render_variants",
    "slug",
    "upload_root_template_version",
    "variant_inputs_sha256",
]
