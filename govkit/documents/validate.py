"""Validation of a root template version: the report legal staff read after an upload.

Pure: guard the package, compile every Jinja part in the sandbox, check the
variables against the profile schema, list the clauses against the kind's common
base, and try a render with a complete and with a minimal profile.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel

from govkit.documents.context import (
    CAMPUS_FIELDS,
    DOCUMENT_FIELDS,
    RESIDENCE_EXTRA,
    DocumentInfo,
    build_context,
    provision_places,
)
from govkit.documents.guard import GuardLimits, guard
from govkit.documents.inspect import clause_keys
from govkit.documents.kinds import Catalogue
from govkit.documents.kinds import catalogue as shipped_catalogue
from govkit.documents.ooxml import is_jinja_part
from govkit.documents.render import RenderError, compile_template, prepare_part, render
from govkit.documents.sandbox import TemplateSandbox
from govkit.documents.template_paths import read_paths
from govkit.organisations.profile import SchoolProfile

ERROR, WARNING = "error", "warning"
_LOCAL_NAMES = {"loop", "range", "true", "false", "none", "True", "False", "None"}
_PARAGRAPH_START = re.compile(r"<w:p[ >]")
_LINES = re.compile(r"\r\n|\r|\n")  # as Jinja counts lines


@dataclass(frozen=True)
class ReportItem:
    severity: str
    part: str
    message: str
    paragraph: int | None = None
    excerpt: str | None = None


@dataclass
class ValidationReport:
    sha256: str
    kind: str
    language: str
    items: list[ReportItem] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(i.severity == ERROR for i in self.items)

    def error(self, part: str, message: str, paragraph: int | None = None, excerpt: str | None = None) -> None:
        self.items.append(ReportItem(ERROR, part, message, paragraph, excerpt))

    def warn(self, part: str, message: str, paragraph: int | None = None) -> None:
        self.items.append(ReportItem(WARNING, part, message, paragraph))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "valid": self.valid}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValidationReport:
        items = [ReportItem(**i) for i in data.get("items", [])]
        return cls(
            data["sha256"],
            data["kind"],
            data["language"],
            items,
            data.get("clauses", []),
            data.get("variables", []),
        )


# --- the variables a template may use ---------------------------------------------


def _model_paths(model: type[BaseModel], prefix: str) -> set[str]:
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        paths.add(path)
        annotation = info.annotation
        optional = typing.get_origin(annotation) in (typing.Union, types.UnionType)
        for candidate in typing.get_args(annotation) if optional else (annotation,):  # X | None: X
            origin = typing.get_origin(candidate)
            if origin is list:
                paths.add(path + "[]")
                (item,) = typing.get_args(candidate)
                if isinstance(item, type) and issubclass(item, BaseModel):
                    paths |= _model_paths(item, path + "[]")
            elif isinstance(candidate, type) and issubclass(candidate, BaseModel):
                paths |= _model_paths(candidate, path)
    return paths


@cache
def allowed_paths() -> frozenset[str]:
    paths = {
        "school",
        "school.code",
        "campuses",
        "campuses[]",
        "residences_by_school",
        "residences_by_others",
        "document",
    }
    paths |= _model_paths(SchoolProfile, "school")
    paths |= {"school.listening_cell.kind_label", "school.reporting_channel.kind_label"}
    residence = {
        p.removeprefix("school.housing.residences[]") for p in paths if p.startswith("school.housing.residences[].")
    }
    for root in ("school.housing.residences[]", "residences_by_school[]", "residences_by_others[]"):
        paths |= {root} | {root + suffix for suffix in residence} | {f"{root}.{e}" for e in RESIDENCE_EXTRA}
    paths |= {f"campuses[].{f}" for f in CAMPUS_FIELDS} | {f"document.{f}" for f in DOCUMENT_FIELDS}
    places = {p.key for spec in shipped_catalogue().kinds.values() for p in spec.provision_places}
    paths |= {"provisions"} | {f"provisions.{p}" for p in places} | {f"provisions.{p}[]" for p in places}
    return frozenset(paths)


_LOOP_FIELDS = {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem"}


def _check_path(path: str, local: set[str]) -> str | None:
    """None when ``path`` is a known variable, else the message."""
    root = re.split(r"[.\[]", path, maxsplit=1)[0]
    if root == "loop":
        rest = path[len("loop") :].lstrip(".")
        return None if not rest or rest in _LOOP_FIELDS else f"unknown loop variable {path}"
    if root in _LOCAL_NAMES:
        return None if path == root else f"attribute access on {root} is not allowed: {path}"
    if root in local:
        return None
    allowed = allowed_paths()
    if path in allowed or (path.endswith((".length",)) and path.removesuffix(".length") in allowed):
        return None
    if path.endswith("[]") and path[:-2] in allowed:  # a character of a text: {{ name[0] }}
        return None
    parent, _, leaf = path.rpartition(".")
    fields = _fields(parent)
    if parent + "[]" in allowed:
        shown = parent.replace("[]", "")
        return f"unknown variable {path.replace('[]', '')}: {shown} is a list (loop over it, or use {shown}[0])"
    if parent in allowed and fields:  # an unknown field of a known object: name the object's fields
        close = difflib.get_close_matches(leaf, fields, n=1, cutoff=0.75)
        owner = f"an item of {parent[:-2]}" if parent.endswith("[]") else parent
        hint = (
            f" (did you mean {parent.replace('[]', '')}.{close[0]}?)"
            if close
            else f" ({owner.replace('[]', '')} has no field {leaf}; its fields: {', '.join(fields)})"
        )
    else:
        close = difflib.get_close_matches(path, sorted(allowed), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0].replace('[]', '')}?)" if close else ""
    return f"unknown variable {path.replace('[]', '')}{hint}"


@cache
def _fields(path: str) -> list[str]:
    """The fields of the object (or list item) at ``path``, in alphabetical order."""
    prefix = path + "."
    found = [p[len(prefix) :].removesuffix("[]") for p in allowed_paths() if p.startswith(prefix)]
    return sorted({f for f in found if f and "." not in f})


def _locals(tree: nodes.Template) -> set[str]:
    """Names a template binds itself: loop targets, set variables, macros and their arguments."""
    names: set[str] = set()
    for node in tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.For, nodes.Macro)):
        target = getattr(node, "target", None)
        if isinstance(target, nodes.Name):
            names.add(target.name)
        elif target is not None:
            names |= {n.name for n in target.find_all(nodes.Name)}
        if isinstance(node, nodes.Macro):
            names.add(node.name)
            names |= {a.name for a in node.args}
    return names


def _line_excerpt(source: str, lineno: int) -> str:
    lines = _LINES.split(source)
    if 0 < lineno <= len(lines):
        text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()
        return text[:160]
    return ""


def paragraph_finder(source: str) -> Callable[[int | None], int | None]:
    """The paragraph (1-based, as Word counts them in the part) of a line of a prepared part:
    ``prepare_part`` starts each paragraph on a line of its own, whatever precedes the first one."""
    starts = [number for number, line in enumerate(_LINES.split(source), 1) if _PARAGRAPH_START.match(line)]
    return lambda line: (bisect.bisect_right(starts, line) or None) if line else None


def _check_part(report: ValidationReport, env: TemplateSandbox, name: str, source: str) -> set[str]:
    paragraph = paragraph_finder(source)
    try:
        tree = env.parse(source)
        env.compile(source)  # also checks that every filter and test exists
    except TemplateSyntaxError as exc:
        report.error(
            name,
            f"template syntax error: {exc.message}",
            paragraph(exc.lineno),
            _line_excerpt(source, exc.lineno),
        )
        return set()
    local = _locals(tree)
    used: set[str] = set()
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            report.error(
                name,
                f"access to the private attribute {node.attr!r} is not allowed (template injection)",
                paragraph(node.lineno),
            )
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Const | nodes.List | nodes.Tuple | nodes.Dict):
            report.error(name, f"attribute access on a literal (.{node.attr}) is not allowed", paragraph(node.lineno))
    for statement in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        tag = {nodes.Extends: "extends", nodes.Include: "include"}.get(type(statement), "import")
        report.error(name, f"{{% {tag} %}} is not allowed: a template is one document", paragraph(statement.lineno))
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Getattr):
            report.error(name, f"method call .{call.node.attr}() is not allowed in templates", paragraph(call.lineno))
    for path, lines in sorted(read_paths(tree).items()):
        problem = _check_path(path, local)
        if problem:
            for where in sorted({paragraph(line) or 0 for line in lines}):  # every paragraph to correct
                report.error(name, problem, where or None)
        else:
            root = re.split(r"[.\[]", path, maxsplit=1)[0]
            if root not in _LOCAL_NAMES and root not in local:
                used.add(path.replace("[]", ""))
    return used


# --- sample profiles for trial renders ------------------------------------------------


def full_sample_context(kind: str, language: str, title: str) -> dict[str, Any]:
    profile = SchoolProfile.model_validate(
        {
            "official_name": "École d'essai & Cie",
            "short_name": "Essai",
            "address": {"street": "1 rue de l'Essai", "postal_code": "75000", "city": "Paris"},
            "director": {
                "name": "Directrice d'essai",
                "role": "Directrice",
                "email": "direction@essai.example",
            },
            "equality_referent": {
                "name": "Référente d'essai",
                "email": "egalite@essai.example",
                "time_share_percent": 50,
                "relays": [{"name": "Relais", "role": "Relais campus"}],
            },
            "listening_cell": {
                "kind": "mixed",
                "description": "Cellule d'essai",
                "members_count": 8,
                "partners": ["Partenaire"],
                "contacts": [{"name": "Contact", "email": "ecoute@essai.example"}],
            },
            "reporting_channel": {
                "kind": "platform",
                "description": "Plateforme d'essai",
                "url": "https://signalement.essai.example",
                "email": "signalement@essai.example",
                "anonymous": True,
            },
            "disciplinary_board": {"name": "Conseil de discipline", "convened_by": "La directrice"},
            "housing": {
                "has_residences": True,
                "residences": [
                    {
                        "code": "r1",
                        "name": "Résidence école",
                        "campus": "a",
                        "managed_by": "school",
                        "places": 100,
                    },
                    {
                        "code": "r2",
                        "name": "Maison des élèves",
                        "campus": "b",
                        "managed_by": "alumni_association",
                        "manager_name": "Association",
                    },
                ],
            },
            "websites": {
                "public_site": "https://essai.example",
                "public_equality_page": "https://essai.example/egalite",
                "intranet_vss_page": "https://intranet.essai.example/vss",
            },
            "languages": ["fr", "en"],
        }
    )
    return build_context(
        code="essai",
        profile=profile,
        campuses=[("a", "Campus A"), ("b", "Campus B")],
        document=DocumentInfo(kind, language, title, 1),
        provisions={
            place: ["Disposition locale d'essai & <Cie>.", "Second paragraphe."] for place in provision_places(kind)
        },
    )


def minimal_sample_context(kind: str, language: str, title: str) -> dict[str, Any]:
    profile = SchoolProfile.model_validate({"official_name": "École minimale", "short_name": "Minimale"})
    return build_context(code="minimale", profile=profile, campuses=[], document=DocumentInfo(kind, language, title, 1))


# --- the whole validation ---------------------------------------------------------------


def validate_template(
    data: bytes, *, kind: str, language: str, catalogue: Catalogue, limits: GuardLimits | None = None
) -> ValidationReport:
    """Everything legal staff need to know about an uploaded root template version."""
    spec = catalogue.kind(kind)
    report = ValidationReport(sha256=hashlib.sha256(data).hexdigest(), kind=kind, language=language)
    guarded = guard(data, limits)
    for finding in guarded.problems:
        report.error(finding.part, finding.message, finding.paragraph)
    if not guarded.ok:
        return report
    env = TemplateSandbox()
    used: set[str] = set()
    paragraphs: dict[str, Callable[[int | None], int | None]] = {}
    for name, content in guarded.entries.items():
        if is_jinja_part(name):
            source = prepare_part(content.decode("utf-8"))
            paragraphs[name] = paragraph_finder(source)
            used |= _check_part(report, env, name, source)

    def where(exc: RenderError) -> tuple[str, int | None]:
        """The part and paragraph of an expression that failed while rendering, when known."""
        if exc.part in paragraphs:
            return exc.part, paragraphs[exc.part](exc.line)
        return "(render)", None

    report.variables = sorted(used)
    keys = clause_keys(data)
    report.clauses = keys
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            report.error("word/document.xml", f"clause {key} appears twice")
        seen.add(key)
        if key not in catalogue.clauses:
            report.error(
                "word/document.xml",
                f"clause {key} is not in the clause library: correct the key, or add the clause to the "
                "library first (legal staff: the clause library page, or the addClause mutation)",
            )
    for key in spec.required_clauses:
        if key not in seen:
            report.error(
                "word/document.xml",
                f"required clause {key} ({catalogue.clause_title(key, language)}) is missing",
            )
    for key, day in catalogue.planned.get(kind, ()):
        if key not in seen:
            report.warn(
                "word/document.xml",
                f"clause {key} ({catalogue.clause_title(key, language)}) will be required from {day}: "
                "add it before then",
            )
    if not report.valid:
        return report
    title = spec.title.get(language)
    try:
        compiled = compile_template(data)
    except TemplateSyntaxError as exc:
        report.error(exc.filename or "(template)", f"template error: {exc.message}")
        return report
    try:
        full = clause_keys(render(compiled, full_sample_context(kind, language, title)))
    except RenderError as exc:
        part, paragraph = where(exc)
        report.error(part, f"rendering with a complete profile failed: {exc}", paragraph)
        return report
    for key in spec.required_clauses:
        if key not in full:
            report.error("(render)", f"required clause {key} disappears from the rendered document")
    try:
        minimal = clause_keys(render(compiled, minimal_sample_context(kind, language, title)))
        lost = [k for k in spec.required_clauses if k not in minimal]
        if lost:
            report.warn(
                "(render)",
                f"for a school whose profile is almost empty, required clauses disappear: {', '.join(lost)}",
            )
    except RenderError as exc:
        part, paragraph = where(exc)
        report.warn(part, f"a school whose profile is almost empty cannot be rendered: {exc}", paragraph)
    return report
