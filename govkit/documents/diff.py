"""Clause-by-clause comparison of two documents (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from govkit.documents.inspect import ClauseText
from govkit.documents.kinds import catalogue


@dataclass(frozen=True)
class ClauseDiff:
    key: str
    title: str
    status: str  # added, removed, changed, unchanged
    before: str
    after: str
    diff: str  # unified diff, one paragraph per line


def diff_clauses(before: list[ClauseText], after: list[ClauseText], language: str) -> list[ClauseDiff]:
    """Each clause of either document, in the order of ``after`` then the removed ones."""
    old = {c.key: c.text for c in before}
    new = {c.key: c.text for c in after}
    keys = list(dict.fromkeys([c.key for c in after] + [c.key for c in before]))
    result = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        status = "added" if a is None else "removed" if b is None else "unchanged" if a == b else "changed"
        text = "\n".join(
            difflib.unified_diff(
                (a or "").splitlines(),
                (b or "").splitlines(),
                fromfile="before",
                tofile="after",
                lineterm="",
                n=1,
            )
        )
        result.append(ClauseDiff(key, catalogue().clause_title(key, language), status, a or "", b or "", text))
    return result
