"""The work done in render worker processes: validate an upload, compile and render variants.

Module-level functions only (they cross process boundaries). A root template version is
compiled once, by one worker (``compile_job``), into a portable form that every worker
loads in a fraction of a millisecond; each worker keeps the versions it loaded, keyed by
SHA-256, and reuses them for every school.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govkit.documents.kinds import Catalogue, catalogue
from govkit.documents.render import (
    CompiledTemplate,
    MissingValues,
    PortableTemplate,
    RenderError,
    compile_portable,
    load_template,
    render_document,
)
from govkit.documents.validate import validate_template

_COMPILED: OrderedDict[str, CompiledTemplate] = OrderedDict()
_CACHE_SIZE = 64


def _cached(sha256: str, make: Callable[[], CompiledTemplate]) -> CompiledTemplate:
    found = _COMPILED.get(sha256)
    if found is None:
        found = make()
        _COMPILED[sha256] = found
        while len(_COMPILED) > _CACHE_SIZE:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(sha256)
    return found


def compiled(sha256: str, data: bytes) -> CompiledTemplate:
    return _cached(sha256, lambda: load_template(compile_portable(data)))


def validate_job(
    data: bytes, kind: str, language: str, max_bytes: int, library: Catalogue | None = None
) -> dict[str, Any]:
    """Validate an upload against ``library`` (the clause library valid at upload,
    govkit.documents.clause_library.catalogue_on), else the seed's catalogue."""
    from govkit.documents.guard import GuardLimits

    report = validate_template(
        data,
        kind=kind,
        language=language,
        catalogue=library or catalogue(),
        limits=GuardLimits(max_file_bytes=max_bytes),
    )
    return report.to_json()


def upload_job(
    data: bytes, kind: str, language: str, max_bytes: int, library: Catalogue | None = None
) -> dict[str, Any]:
    """An upload's validation: ``{"report"}``, or for a package with tracked changes the review of
    them (``{"report", "clauses", "accepted_sha256"}``, govkit.documents.tracked_validate)."""
    from govkit.documents.guard import GuardLimits
    from govkit.documents.tracked_validate import review_upload

    limits = GuardLimits(max_file_bytes=max_bytes)
    tracked = review_upload(data, kind=kind, language=language, catalogue=library or catalogue(), limits=limits)
    return tracked if tracked is not None else {"report": validate_job(data, kind, language, max_bytes, library)}


#: The part that takes most of a compilation: compiled in one piece, everything else in another.
BODY = "word/document.xml"


def compile_job(sha256: str, data: bytes, body: bool | None = None) -> PortableTemplate:
    """Compile a root template version once, for every worker (this one keeps it loaded).

    ``body`` True or False compiles only the body or only the rest, so that two workers share the work.
    """
    if body is None:
        portable = compile_portable(data)
        _cached(sha256, lambda: load_template(portable))
        return portable
    return compile_portable(data, (lambda name: name == BODY) if body else (lambda name: name != BODY))


@dataclass(frozen=True)
class RenderOutcome:
    key: str
    data: bytes | None = None
    clauses: tuple[str, ...] = ()
    error: str | None = None
    missing: tuple[str, ...] = ()


def _render(template: Callable[[], CompiledTemplate], key: str, context: dict[str, Any]) -> RenderOutcome:
    try:
        document = render_document(template(), context)
    except MissingValues as exc:
        return RenderOutcome(key, error=str(exc), missing=tuple(exc.paths))
    except RenderError as exc:
        return RenderOutcome(key, error=str(exc))
    return RenderOutcome(key, data=document.data, clauses=document.clauses)


def render_job(template_sha: str, template: bytes, key: str, context: dict[str, Any]) -> RenderOutcome:
    """Render one variant from the template's bytes (compiled here unless this worker has it already)."""
    return _render(lambda: compiled(template_sha, template), key, context)


def render_compiled_job(
    template_sha: str, portable: PortableTemplate, key: str, context: dict[str, Any]
) -> RenderOutcome:
    """Render one variant from a template compiled once by ``compile_job`` (loaded unless this worker has it)."""
    return _render(lambda: _cached(template_sha, lambda: load_template(portable)), key, context)


def warm_up() -> None:
    """Imported and called in the fork server so that workers start ready."""
    catalogue()
