"""Rendering a root template into a variant: pure, sandboxed, compiled once, deterministic.

``compile_template`` turns a guarded .docx into Jinja templates (docxtpl's tag
clean-up, then the sandbox); ``render`` fills them with a context and returns the
bytes of a new .docx. Neither touches the database nor the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError
from lxml import etree

from govkit.documents.ooxml import is_jinja_part, read_entries, rezip
from govkit.documents.sandbox import TemplateSandbox, recording_missing, wrap

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_SANDBOX = TemplateSandbox()


class RenderError(Exception):
    """A template could not be rendered; the message is for the user."""


class MissingValues(RenderError):
    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(f"{len(paths)} value(s) the template prints are unknown in the profile: {', '.join(paths)}")


def prepare_part(xml: str) -> str:
    """docxtpl's tag clean-up, then one line per paragraph so that errors name a paragraph."""
    patched = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]
    # docxtpl's escapes for literal braces in the template text ({_{ prints {{), resolved here so that
    # values from the profile are never rewritten after rendering
    for escaped, literal in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
        patched = patched.replace(escaped, '{{ "' + literal + '" }}')
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def finish_part(xml: str) -> str:
    return re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)


@dataclass(frozen=True)
class CompiledTemplate:
    """A root template version ready to render any number of variants."""

    entries: tuple[tuple[str, bytes], ...]
    parts: Mapping[str, Template]


def compile_template(data: bytes) -> CompiledTemplate:
    """Compile every Jinja part once; raises TemplateSyntaxError naming the part and line."""
    entries = tuple(read_entries(data))
    parts: dict[str, Template] = {}
    for name, raw in entries:
        if is_jinja_part(name):
            source = prepare_part(raw.decode("utf-8"))
            try:
                parts[name] = _SANDBOX.from_string(source)
            except TemplateSyntaxError as exc:
                exc.filename = name
                raise
    return CompiledTemplate(entries=entries, parts=parts)


def render(compiled: CompiledTemplate, context: dict[str, Any]) -> bytes:
    """The variant's bytes; the same template and context always give the same bytes."""
    variables = {key: wrap(value, key) for key, value in context.items()}
    rendered: dict[str, bytes] = {}
    with recording_missing() as missing:
        for name, template in compiled.parts.items():
            try:
                xml = finish_part(template.render(variables))
            except SecurityError as exc:
                raise RenderError(f"{name}: refused by the sandbox: {exc}") from exc
            except TemplateError as exc:
                raise RenderError(f"{name}: {exc}") from exc
            try:
                etree.fromstring(xml.encode("utf-8"), SAFE_PARSER)
            except etree.XMLSyntaxError as exc:
                raise RenderError(f"{name}: the rendered part is not well-formed XML ({exc})") from exc
            rendered[name] = xml.encode("utf-8")
    if missing:
        raise MissingValues(sorted(missing))
    return rezip([(name, rendered.get(name, data)) for name, data in compiled.entries])


def render_bytes(template: bytes, context: dict[str, Any]) -> bytes:
    return render(compile_template(template), context)
