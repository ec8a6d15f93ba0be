"""CEL programs over an organisation: what they read of its profile, and their results, each computed once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import cel

from govkit.rules.facts import OrganisationFacts


def _known(value: Any) -> Any:
    """Drop unknown (None) values so that CEL's has() tells known from unknown."""
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_known(v) for v in value]
    return value


def _context(org: OrganisationFacts, fields: frozenset[str] | None = None) -> dict[str, Any]:
    """The CEL variables of ``org``; with ``fields``, only those fields of its profile."""
    profile = org.profile or {}
    if fields is not None:
        profile = {k: v for k, v in profile.items() if k in fields}
    return {"org": {"code": org.code, "type": org.type, "name": org.name}, "profile": _known(profile)}


def _passes(program: Any, org: OrganisationFacts) -> bool:
    """Whether ``program`` holds at ``org``: false when it fails (a value it needs is unknown)."""
    try:
        return bool(program.execute(_context(org)))
    except Exception:
        return False


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: ``profile`` in a CEL expression, the fields it selects (``profile.a.b``), and a call after them.
_PROFILE_USE = re.compile(r"\bprofile\b((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)(\s*\()?")


def profile_paths(expressions: Iterable[str]) -> frozenset[tuple[str, ...]] | None:
    """The paths of profile fields the expressions select, or None when one uses the profile otherwise.

    ``profile.a.b`` reads the profile only through field ``b`` of field ``a``: the rest of
    the profile cannot change its value. ``profile.a.b.size()`` reads ``profile.a.b`` as a
    whole. Any other use (``profile["a"]``, ``size(profile)``, a macro on the profile, the
    word in a string) reads the whole profile.
    """
    paths: set[tuple[str, ...]] = set()
    for expression in expressions:
        for use in _PROFILE_USE.finditer(expression):
            path = tuple(_NAME.findall(use.group(1)))
            if use.group(2) is not None:
                path = path[:-1]  # the last name is a method called on the field before it
            if not path:
                return None
            paths.add(path)
    return frozenset(paths)


def profile_fields(expressions: Iterable[str]) -> frozenset[str] | None:
    """The top-level profile fields the expressions select, or None when one uses the profile otherwise."""
    paths = profile_paths(expressions)
    return None if paths is None else frozenset(path[0] for path in paths)


def _trie(paths: Iterable[tuple[str, ...]]) -> dict[str, Any]:
    """The paths as nested dicts; None where a path ends (everything below it is read)."""
    trie: dict[str, Any] = {}
    for path in sorted(paths, key=len):  # a shorter path first: it covers the longer ones below it
        node: dict[str, Any] = trie
        for name in path[:-1]:
            below = node.setdefault(name, {})
            if below is None:  # a shorter path ends here
                break
            node = below
        else:
            node[path[-1]] = None
    return trie


def _selected(value: dict[str, Any], trie: dict[str, Any]) -> dict[str, Any]:
    """What ``trie`` selects of ``value``, known values only (as _known leaves them)."""
    selected: dict[str, Any] = {}
    for name, below in trie.items():
        item = value.get(name)
        if item is None:
            continue
        selected[name] = _selected(item, below) if below is not None and isinstance(item, dict) else _known(item)
    return selected


class _Programs:
    """CEL programs evaluated on organisations, each once per distinct value of what it reads.

    A program reads the fields of the profile it selects (and ``org`` if it names it): two
    organisations alike in those give it the same result. Most schools share the few values
    a check reads (a flag, a percentage), so a thousand schools take a few evaluations, and
    the whole profile of each is never converted for CEL.
    """

    def __init__(self) -> None:
        self._reads: dict[int, tuple[dict[str, Any] | None, bool]] = {}  # by id(program)
        self._results: dict[tuple[int, str], bool] = {}

    def passes(self, program: Any, org: OrganisationFacts) -> bool:
        """``_passes(program, org)``."""
        reads = self._reads.get(id(program))
        if reads is None:
            paths = profile_paths([program.source])
            reads = (None if paths is None else _trie(paths), "org" in program.variables())
            self._reads[id(program)] = reads
        trie, reads_org = reads
        profile = _known(org.profile or {}) if trie is None else _selected(org.profile or {}, trie)
        variables = {"org": {"code": org.code, "type": org.type, "name": org.name}, "profile": profile}
        try:
            key = json.dumps(variables if reads_org else profile)  # types and order kept: 1, 1.0, true differ
        except (TypeError, ValueError):  # a value JSON does not hold: no reuse
            return self._execute(program, variables)
        result = self._results.get((id(program), key))
        if result is None:
            result = self._results[id(program), key] = self._execute(program, variables)
        return result

    @staticmethod
    def _execute(program: Any, variables: dict[str, Any]) -> bool:
        try:
            return bool(program.execute(cel.Context(variables)))
        except Exception:
            return False


@cache
def _read_paths(source: str) -> frozenset[tuple[str, ...]] | None:
    return profile_paths([source])


def unknown_paths(program: Any, org: OrganisationFacts) -> frozenset[tuple[str, ...]] | None:
    """The profile paths ``program`` reads that ``org``'s profile leaves unknown (absent or null), or
    None when every one is known. A program that reads the profile as a whole finds it unknown only
    when there is no profile."""
    paths = _read_paths(program.source)
    profile = org.profile
    if paths is None:
        return frozenset({()}) if profile is None else None
    unknown = frozenset(path for path in paths if not _is_known(profile, path))
    return unknown or None


def _is_known(value: Any, path: tuple[str, ...]) -> bool:
    for name in path:
        if not isinstance(value, dict):
            return False
        value = value.get(name)
    return value is not None
