"""Build strawberry output types from plain data, and plain data from strawberry inputs."""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import Enum
from typing import Any, TypeVar

from strawberry.types.base import has_object_definition
from strawberry.types.unset import UnsetType

T = TypeVar("T")


def _unwrap_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _build(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    hint = _unwrap_optional(hint)
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return [_build(item, v) for v in value]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if isinstance(hint, type) and has_object_definition(hint):
        return build(hint, value)
    return value


def build(cls: type[T], data: dict[str, Any], **extra: Any) -> T:
    """Instantiate output type ``cls`` from a dict keyed by its Python field names."""
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: _build(hints[f.name], data.get(f.name))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.init and f.name in data
    }
    return cls(**kwargs, **extra)


def to_plain(value: Any) -> Any:
    """A strawberry input (with UNSET fields dropped) as plain dicts, lists and scalars."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not isinstance(getattr(value, f.name), UnsetType)
        }
    return value
