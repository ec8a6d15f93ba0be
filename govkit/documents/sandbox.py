"""The Jinja sandbox every template runs in.

Immutable sandboxed environment, XML autoescape, no globals but a bounded
``range``, no private attributes, no access to docx/docxtpl/lxml objects, bounded
string and list multiplication, and a record of every missing value so that one
error can list them all.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2 import ChainableUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT_ITEMS = 100_000  # characters of a multiplied string, items of a multiplied list
MAX_RANGE = 10_000
FORBIDDEN_MODULE_PREFIXES = (
    "docx",
    "docxtpl",
    "lxml",
    "sqlalchemy",
    "sqlmodel",
    "govkit",
    "os",
    "sys",
    "subprocess",
)
REMOVED_FILTERS = ("attr", "wordwrap", "center", "indent", "pprint", "xmlattr", "urlize", "filesizeformat")


class Node(Mapping[str, Any]):
    """A read-only mapping that knows its path, so a missing value is named precisely."""

    __slots__ = ("_data", "_path")

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self._data = data
        self._path = path

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<{self._path}>"

    @property
    def path(self) -> str:
        return self._path


def wrap(value: Any, path: str) -> Any:
    """Plain data as Nodes and tuples, with None values dropped (they are unknown)."""
    if isinstance(value, Mapping):
        return Node({k: wrap(v, f"{path}.{k}") for k, v in value.items() if v is not None}, path)
    if isinstance(value, list | tuple):
        return tuple(wrap(v, f"{path}[{i}]") for i, v in enumerate(value))
    return value


_missing_values: ContextVar[set[str] | None] = ContextVar("govkit_missing_values", default=None)


@contextmanager
def recording_missing() -> Iterator[set[str]]:
    """Collect the paths of the unknown values a render tried to print."""
    record: set[str] = set()
    token = _missing_values.set(record)
    try:
        yield record
    finally:
        _missing_values.reset(token)


class Missing(ChainableUndefined):
    """An unknown value: falsy and silent in tests; recorded when printed or iterated."""

    __slots__ = ()

    def _record(self) -> None:
        record = _missing_values.get()
        if record is not None:
            record.add(self._undefined_hint or self._undefined_name or "?")

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        base = self._undefined_hint or self._undefined_name or "?"
        return Missing(hint=f"{base}.{name}", obj=self._undefined_obj, name=name)

    def __str__(self) -> str:
        self._record()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._record()
        return iter(())

    def __html__(self) -> str:
        return str(self)


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """The only Jinja environment govkit renders with."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(
            autoescape=True,
            undefined=Missing,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=0,
        )
        self.globals.clear()
        self.globals["range"] = self._range
        for name in REMOVED_FILTERS:
            self.filters.pop(name, None)

    @staticmethod
    def _range(*args: int) -> range:
        result = range(*args)
        if len(result) > MAX_RANGE:
            raise SecurityError(f"range of {len(result)} items is over the limit of {MAX_RANGE}")
        return result

    # -- attribute access ---------------------------------------------------------
    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        module = type(obj).__module__ or ""
        if any(module == p or module.startswith(p + ".") for p in FORBIDDEN_MODULE_PREFIXES):
            return False
        return not attr.startswith("_") and super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise SecurityError(f"access to the private attribute {attribute!r} is not allowed")
        if isinstance(obj, Node):
            if attribute in obj:
                return obj[attribute]
            return Missing(hint=f"{obj.path}.{attribute}", obj=obj, name=attribute)
        if isinstance(obj, Missing):
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Node) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)

    # -- operators ------------------------------------------------------------------
    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("exponent over the limit of 64")
            return operator.pow(left, right)
        if operator_name == "*":
            for sequence, count in ((left, right), (right, left)):
                sized = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if sized and len(sequence) * count > MAX_OUTPUT_ITEMS:
                    size = len(sequence) * count
                    raise SecurityError(f"multiplying gives {size} items, over the limit of {MAX_OUTPUT_ITEMS}")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)
