"""The validation of an upload with tracked changes (pure, run in a render worker).

The package passes the guard (tracked changes allowed); the document with every change accepted —
the draft legal staff would make of it — passes the whole validation of an upload; and every Jinja
tag that an insertion or a deletion touches passes the sandbox's checks on its own, so that a hostile
tag is refused with the clause, the author and the tag named.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from govkit.documents.guard import GuardLimits, guard
from govkit.documents.kinds import Catalogue
from govkit.documents.markup import TAG
from govkit.documents.sandbox import TemplateSandbox
from govkit.documents.tracked import ChangedParagraph, ClauseChanges, has_tracked_changes, read_changes, resolve
from govkit.documents.validate import ValidationReport, _check_part, validate_template

_ENDS = {w: "{% end" + w + " %}" for w in ("if", "for", "macro", "call", "filter", "with", "set")}
_CLOSERS = re.compile(r"^end\w+$|^else$")
_WHAT = {"insertion": "inserted", "deletion": "deleted"}


def _snippet(tag: str) -> str | None:
    """A tag as a template of its own (blocks closed), or None for a tag that only closes a block."""
    if tag.startswith(("{{", "{#")):
        return tag
    statement = re.sub(r"^\{%-?\s*(?:p|r|tr|tc)?\s", "{% ", tag)
    words = statement[2:].strip(" -%}").split()
    word = words[0] if words else ""
    if _CLOSERS.match(word):
        return None
    if word == "elif":
        return "{% if true %}" + statement + "{% endif %}"
    if word == "set" and "=" in statement:
        return statement
    return statement + _ENDS.get(word, "")


def tag_problems(tag: str) -> list[str]:
    """What the sandbox's checks say of one tag (the variables are checked on the whole document)."""
    snippet = _snippet(tag)
    if snippet is None:
        return []
    report = ValidationReport(sha256="", kind="", language="")
    _check_part(report, TemplateSandbox(), "(change)", snippet)
    return [i.message for i in report.items if not i.message.startswith(("unknown variable", "unknown loop"))]


def _paragraph_problems(clause: ClauseChanges, paragraph: ChangedParagraph, kind: str) -> list[tuple[str, str]]:
    text, changed = paragraph.text(kind)
    authors = sorted({c.author for c in clause.changes if c.kind == kind})
    problems = []
    for tag in TAG.finditer(text):
        if any(changed[tag.start() : tag.end()]):
            for message in tag_problems(tag.group()):
                where = f"clause {clause.key}" if clause.key else "outside the clauses"
                who = ", ".join(authors) or "?"
                problems.append(
                    (
                        paragraph.part,
                        f"text {_WHAT[kind]} by {who} in {where}: {message} — {tag.group()[:160]}",
                    )
                )
    return problems


def review_upload(
    data: bytes, *, kind: str, language: str, catalogue: Catalogue, limits: GuardLimits | None = None
) -> dict[str, Any] | None:
    """None for a package without tracked changes (validated as any upload); else the changes clause by
    clause, and the report: the guard's, the sandbox's on each changed tag, and the validation of the
    document with every change accepted (``accepted_sha256``)."""
    guarded = guard(data, limits, tracked_changes=True)
    if not guarded.ok or not has_tracked_changes(guarded.entries):
        return None
    clauses = read_changes(guarded.entries)
    accepted = resolve(data, accept=True)
    report = validate_template(accepted, kind=kind, language=language, catalogue=catalogue, limits=limits)
    precise = ValidationReport(sha256=hashlib.sha256(data).hexdigest(), kind=kind, language=language)
    for clause in clauses:
        for paragraph in clause.paragraphs:
            for change_kind in ("insertion", "deletion"):
                for part, message in _paragraph_problems(clause, paragraph, change_kind):
                    precise.error(part, message, paragraph.number)
    precise.items += report.items
    precise.clauses, precise.variables = report.clauses, report.variables
    return {
        "report": precise.to_json(),
        "clauses": [c.to_json() for c in clauses],
        "accepted_sha256": hashlib.sha256(accepted).hexdigest(),
    }
