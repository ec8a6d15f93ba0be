"""Rendering a root template into a variant: pure, sandboxed, compiled once, deterministic.

``compile_template`` turns a guarded .docx into Jinja templates (docxtpl's tag
clean-up, then the sandbox); ``render`` fills them with a context and returns the
bytes of a new .docx. Neither touches the database nor the network.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import CodeType
from typing import Any

from docxtpl import DocxTemplate  # type: ignore[import-untyped]  # docxtpl lacks types (no stubs, no py.typed)
from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError
from lxml import etree

from govkit.documents import package_errors
from govkit.documents.ooxml import (
    CLAUSE_TAG_PREFIX,
    NS,
    PackedEntry,
    is_jinja_part,
    pack,
    read_some_entries,
    rezip,
    story_parts,
)
from govkit.documents.sandbox import TemplateSandbox, recording_missing, wrap

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_SANDBOX = TemplateSandbox()


class RenderError(Exception):
    """A template could not be rendered; the message is for the user."""

    #: The part, and the line of its prepared source, where an expression failed (when known).
    part: str | None = None
    line: int | None = None


class MissingValues(RenderError):
    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(f"{len(paths)} value(s) the template prints are unknown in the profile: {', '.join(paths)}")


def prepare_part(xml: str) -> str:
    """docxtpl's tag clean-up, then one line per paragraph so that errors name a paragraph."""
    patched = DocxTemplate.patch_xml(None, xml)  # a method that does not use its instance
    # docxtpl's escapes for literal braces in the template text ({_{ prints {{), resolved here so that
    # values from the profile are never rewritten after rendering
    for escaped, literal in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
        patched = patched.replace(escaped, '{{ "' + literal + '" }}')
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def finish_part(xml: str) -> str:
    return re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)


@dataclass(frozen=True)
class PortableTemplate:
    """A compiled root template version that can cross to another process (pickle), compiled once.

    The Jinja parts as marshalled Python code, every other entry compressed once: loading it
    in a worker takes a fraction of a millisecond, not a compilation. Compiled in pieces (see
    ``compile_portable``), possibly in parallel, then ``combine``d.
    """

    names: tuple[str, ...]  # every entry, in the order of the package
    code: tuple[bytes, ...]  # marshals of {part name: code object}, one per piece
    packed: Mapping[str, PackedEntry]  # every entry that is not a Jinja part, from every piece

    @staticmethod
    def combine(pieces: list[PortableTemplate]) -> PortableTemplate:
        return PortableTemplate(
            names=pieces[0].names,
            code=tuple(code for piece in pieces for code in piece.code),
            packed={name: entry for piece in pieces for name, entry in piece.packed.items()},
        )


@dataclass(frozen=True)
class CompiledTemplate:
    """A root template version ready to render any number of variants."""

    names: tuple[str, ...]
    parts: Mapping[str, Template]
    packed: Mapping[str, PackedEntry]


@dataclass(frozen=True)
class RenderedDocument:
    data: bytes
    clauses: tuple[str, ...]  # the clause keys, as inspect.clause_keys reads them from ``data``


def compile_portable(data: bytes, select: Callable[[str], bool] | None = None) -> PortableTemplate:
    """Compile every Jinja part, compress every other entry; raises TemplateSyntaxError naming the part and line.

    ``select`` limits the work to some entries, for compiling a template in pieces.
    """
    names, selected = read_some_entries(data, select or (lambda _name: True))
    codes: dict[str, CodeType] = {}
    packed: dict[str, PackedEntry] = {}
    for name, raw in selected.items():
        if is_jinja_part(name):
            source = prepare_part(raw.decode("utf-8"))
            try:
                codes[name] = _SANDBOX.compile(source)
            except TemplateSyntaxError as exc:
                exc.filename = name
                raise
        else:
            packed[name] = pack(name, raw)
    return PortableTemplate(names=tuple(names), code=(marshal.dumps(codes),), packed=packed)


def load_template(portable: PortableTemplate) -> CompiledTemplate:
    """The compiled template back from its portable form (the code Jinja compiled, as is)."""
    codes: dict[str, CodeType] = {}
    for piece in portable.code:
        codes.update(marshal.loads(piece))  # noqa: S302 -- the output of our own compiler
    missing = [n for n in portable.names if n not in codes and n not in portable.packed]
    if missing:
        raise ValueError(f"incomplete compiled template: {', '.join(missing)}")
    parts = {
        name: Template.from_code(_SANDBOX, codes[name], _SANDBOX.make_globals(None))
        for name in portable.names
        if name in codes
    }
    return CompiledTemplate(names=portable.names, parts=parts, packed=portable.packed)


def compile_template(data: bytes) -> CompiledTemplate:
    """Compile every Jinja part once; raises TemplateSyntaxError naming the part and line."""
    return load_template(compile_portable(data))


def render_document(compiled: CompiledTemplate, context: dict[str, Any]) -> RenderedDocument:
    """The variant's bytes and its clause keys; the same template and context always give the same bytes."""
    variables = {key: wrap(value, key) for key, value in context.items()}
    rendered: dict[str, bytes] = {}
    keys: dict[str, list[str]] = {}
    with recording_missing() as missing:
        for name, template in compiled.parts.items():
            try:
                xml = finish_part(template.render(variables))
            except Exception as exc:
                if isinstance(exc, SecurityError):
                    failed = RenderError(f"{name}: refused by the sandbox: {exc}")
                elif isinstance(exc, TemplateError):
                    failed = RenderError(f"{name}: {exc}")
                else:  # the template's own arithmetic or formatting on the profile's values
                    failed = RenderError(f"{name}: {package_errors.failed_computation(exc)}")
                failed.part, failed.line = name, package_errors.template_line(exc)
                raise failed from exc
            data = xml.encode("utf-8")
            try:
                root = etree.fromstring(data, SAFE_PARSER)
            except etree.XMLSyntaxError as exc:
                raise RenderError(f"{name}: {package_errors.rendered_xml(exc, xml)}") from exc
            rendered[name] = data
            keys[name] = clause_keys_in(root)
    if missing:
        raise MissingValues(sorted(missing))
    return RenderedDocument(
        data=rezip([(name, rendered[name] if name in rendered else compiled.packed[name]) for name in compiled.names]),
        clauses=tuple(key for part in story_parts(compiled.names) for key in keys[part]),
    )


def render(compiled: CompiledTemplate, context: dict[str, Any]) -> bytes:
    """The variant's bytes; the same template and context always give the same bytes."""
    return render_document(compiled, context).data


_CLAUSE_TAGS = etree.XPath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS)


def clause_keys_in(root: etree._Element) -> list[str]:
    """The clause keys of one parsed part, in document order."""
    return [str(v)[len(CLAUSE_TAG_PREFIX) :] for v in _CLAUSE_TAGS(root) if str(v).startswith(CLAUSE_TAG_PREFIX)]


def render_bytes(template: bytes, context: dict[str, Any]) -> bytes:
    return render(compile_template(template), context)
