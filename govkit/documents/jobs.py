"""The work done in render worker processes: validate an upload, render variants.

Module-level functions only (they cross process boundaries). Each worker keeps
the root template versions it compiled, keyed by SHA-256: a version is compiled
once per worker and reused for every school.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import catalogue
from govkit.documents.render import CompiledTemplate, MissingValues, RenderError, compile_template, render
from govkit.documents.validate import validate_template

_COMPILED: OrderedDict[str, CompiledTemplate] = OrderedDict()
_CACHE_SIZE = 64


def compiled(sha256: str, data: bytes) -> CompiledTemplate:
    found = _COMPILED.get(sha256)
    if found is None:
        found = compile_template(data)
        _COMPILED[sha256] = found
        while len(_COMPILED) > _CACHE_SIZE:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(sha256)
    return found


def validate_job(data: bytes, kind: str, language: str, max_bytes: int) -> dict[str, Any]:
    from govkit.documents.guard import GuardLimits

    report = validate_template(
        data,
        kind=kind,
        language=language,
        catalogue=catalogue(),
        limits=GuardLimits(max_file_bytes=max_bytes),
    )
    return report.to_json()


@dataclass(frozen=True)
class RenderOutcome:
    key: str
    data: bytes | None = None
    clauses: tuple[str, ...] = ()
    error: str | None = None
    missing: tuple[str, ...] = ()


def render_job(template_sha: str, template: bytes, key: str, context: dict[str, Any]) -> RenderOutcome:
    try:
        output = render(compiled(template_sha, template), context)
    except MissingValues as exc:
        return RenderOutcome(key, error=str(exc), missing=tuple(exc.paths))
    except RenderError as exc:
        return RenderOutcome(key, error=str(exc))
    return RenderOutcome(key, data=output, clauses=tuple(clause_keys(output)))


def warm_up() -> None:
    """Imported and called in the fork server so that workers start ready."""
    catalogue()
