"""The context paths a template reads, every local name resolved to the value it stands for.

``{% for c in campuses %}{{ c.name }}{% endfor %}`` reads ``campuses[].name``; so do
``{{ campuses[0].name }}``, ``{{ (campuses|first).name }}``, ``{% set c = campuses|last %}{{ c.name }}``
and ``{{ campuses|map(attribute="name")|join }}``: validation checks each path against the profile
schema, so that a misspelt field of any object, at any depth, is found before a school's
document is rendered. ``[]`` stands for "an item of this list".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from jinja2 import nodes

#: Filters whose result is one item of the list they filter.
ITEM_FILTERS = frozenset({"first", "last", "random", "min", "max"})
#: Filters whose result is not the value they filter nor an item of it (pairs, groups, batches...).
OPAQUE_FILTERS = frozenset({"groupby", "dictsort", "items", "batch", "slice", "map", "tojson"})
#: Filters that read a field of each item: the field is (positional argument index, keyword).
FIELD_FILTERS = {
    "map": (None, "attribute"),
    "selectattr": (0, None),
    "rejectattr": (0, None),
    "sort": (None, "attribute"),
    "unique": (None, "attribute"),
    "min": (None, "attribute"),
    "max": (None, "attribute"),
    "sum": (None, "attribute"),
    "groupby": (0, "attribute"),
}


def read_paths(tree: nodes.Template) -> dict[str, set[int]]:
    """Every path the template reads from its context, with the lines that read it."""
    found: dict[str, set[int]] = {}
    #: local names: the path they stand for, or None when it is not a context path (a number, text...)
    aliases: dict[str, str | None] = {}

    def read(path: str, node: nodes.Node) -> None:
        found.setdefault(path, set()).add(node.lineno)

    def path_of(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            return aliases.get(node.name, node.name)
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem):
            base = path_of(node.node)
            if base is None:
                return None
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return f"{base}.{node.arg.value}"
            return base if isinstance(node.arg, nodes.Slice) else f"{base}[]"
        if isinstance(node, nodes.Filter) and node.node is not None:
            base = path_of(node.node)
            if base is None or node.name in OPAQUE_FILTERS:
                return None
            return f"{base}[]" if node.name in ITEM_FILTERS else base
        return None

    @contextmanager
    def bound(names: dict[str, str | None]) -> Iterator[None]:
        saved = {name: aliases[name] for name in names if name in aliases}
        aliases.update(names)
        try:
            yield
        finally:
            for name in names:
                aliases.pop(name, None)
            aliases.update(saved)

    def targets(target: nodes.Node, value: str | None) -> dict[str, str | None]:
        if isinstance(target, nodes.Name):
            return {target.name: value}
        return {name.name: None for name in target.find_all(nodes.Name)}  # unpacked: not followed

    def visit_all(children: Iterable[nodes.Node]) -> None:
        for child in children:
            visit(child)

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.For):
            visit(node.iter)
            iterated = path_of(node.iter)
            with bound(targets(node.target, f"{iterated}[]" if iterated else None)):
                if node.test is not None:
                    visit(node.test)
                visit_all(node.body)
            visit_all(node.else_)
            return
        if isinstance(node, nodes.Assign):
            visit(node.node)
            aliases.update(targets(node.target, path_of(node.node)))
            return
        if isinstance(node, nodes.AssignBlock):
            visit_all(node.body)
            aliases.update(targets(node.target, None))
            return
        if isinstance(node, nodes.With):
            visit_all(node.values)
            names: dict[str, str | None] = {}
            for target, value in zip(node.targets, node.values, strict=True):
                names |= targets(target, path_of(value))
            with bound(names):
                visit_all(node.body)
            return
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            visit_all(node.defaults)
            if isinstance(node, nodes.CallBlock):
                visit(node.call)
            with bound({arg.name: None for arg in node.args}):
                visit_all(node.body)
            return
        if isinstance(node, nodes.Filter) and node.node is not None:
            field = _field_of(node)
            base = path_of(node.node)
            if field and base:
                read(f"{base}[].{field}", node)
        if isinstance(node, nodes.Getattr | nodes.Name | nodes.Getitem):
            path = path_of(node)
            if path and not (isinstance(node, nodes.Name) and node.ctx != "load"):
                read(path, node)
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return found


def _field_of(node: nodes.Filter) -> str | None:
    """The item field a filter reads (``map(attribute="name")`` reads ``name``), if it names one."""
    where = FIELD_FILTERS.get(node.name)
    if where is None:
        return None
    position, keyword = where
    value: nodes.Node | None = None
    if keyword is not None:
        value = next((k.value for k in node.kwargs if k.key == keyword), None)
    if value is None and position is not None and len(node.args) > position:
        value = node.args[position]
    if isinstance(value, nodes.Const) and isinstance(value.value, str) and value.value:
        return value.value
    return None
