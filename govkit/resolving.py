"""What the GraphQL resolvers of every domain share, and nothing of any domain.

- ``Context``, the typed per-request context (``Info`` in resolver signatures): who calls, the
  database, the settings, and ``call`` to run a service function as the caller;
- ``Batch`` and ``Context.loader``: a domain declares its batch reads, the context builds one
  DataLoader per batch and request, on first use;
- ``Wired`` and ``Context.wired``: what one domain's resolvers need of the objects built once at
  start-up (the acknowledgement recorder, the render pool...), each under a typed key declared by
  that domain and filled by govkit.composition — so this module imports no domain;
- ``public``: the metadata of a root query field anybody may ask for (govkit.graphql.access);
- ``build`` and ``to_plain``: strawberry output types from plain data, plain data from inputs;
- ``upload_reader``: the file of an ``Upload`` argument, read once the service has authorised.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types.base import has_object_definition
from strawberry.types.unset import UnsetType

from govkit.access.policy import PUBLIC_ACTIONS, Action
from govkit.access.roles import Principal
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.errors import InvalidInput
from govkit.settings import Settings

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, eq=False)
class Wired(Generic[T]):
    """The typed key of an object built once at start-up that some resolvers need (a key is
    compared by identity: declare it once, next to what it holds, as ``KEY: Wired[X] = Wired("x")``)."""

    name: str


@dataclass(frozen=True, eq=False)
class Batch(Generic[K, V]):
    """A batch read of a domain: ``function`` is a service function called as the request's actor
    with the keys as keyword ``keyword``, returning what it found by key (an exception for a key
    is raised to the field that loads it); ``missing`` makes the value of a key it did not find."""

    function: Callable[..., Mapping[K, V | Exception]]
    keyword: str
    missing: Callable[[], V]


@dataclass
class Context(BaseContext):
    """One request's context: created for each request, so that nothing is cached across callers."""

    db: Database
    settings: Settings
    actor: Principal
    #: The start-up objects resolvers may ask for (``wired``), filled by govkit.composition.
    wiring: Mapping[Wired[Any], object] = field(default_factory=dict)
    correlation_id: str = "-"
    client_ip: str | None = None
    #: Response keys of mutations whose service wrote their audit event in its own transaction.
    audited: set[str] = field(default_factory=set)
    _loaders: dict[Batch[Any, Any], DataLoader[Any, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        super().__init__()

    async def call(self, function: Callable[..., T], /, **kwargs: Any) -> T:
        """Call a service function as the request's actor (off the event loop)."""
        return await run_service(function, db=self.db, actor=self.actor, **kwargs)

    def loader(self, batch: Batch[K, V]) -> DataLoader[K, V]:
        """The request's DataLoader of ``batch``, built on first use (most requests use none)."""
        found = self._loaders.get(batch)
        if found is None:

            async def load(keys: list[K]) -> list[V | Exception]:
                rows = await self.call(batch.function, **{batch.keyword: keys})
                return [rows[key] if key in rows else batch.missing() for key in keys]

            found = self._loaders[batch] = DataLoader(load)
        return cast(DataLoader[K, V], found)

    def wired(self, key: Wired[T]) -> T:
        """The start-up object under ``key``."""
        try:
            return cast(T, self.wiring[key])
        except KeyError:
            raise LookupError(f"Nothing is wired as the {key.name}: see govkit.composition.") from None


Info = strawberry.Info[Context, None]


# --- public root fields ---------------------------------------------------------------------

#: The key of a field's strawberry metadata that names its public action.
PUBLIC = "govkit.public"


def public(action: Action) -> dict[str, Action]:
    """The strawberry metadata of a root query field anybody may ask for (its service authorises
    ``action``, a public one)."""
    if action not in PUBLIC_ACTIONS:
        raise ValueError(f"{action} is not a public action")
    return {PUBLIC: action}


# --- conversions --------------------------------------------------------------------------------


def _unwrap_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


Convert = Callable[[Any], Any]


def _converter(hint: Any) -> Convert | None:
    """How a value becomes one of type ``hint`` (``None`` when it is used as it is)."""
    hint = _unwrap_optional(hint)
    convert: Convert
    if typing.get_origin(hint) is list:
        (item_hint,) = typing.get_args(hint)
        item = _converter(item_hint)
        if item is None:
            return None
        convert = functools.partial(_each, item)
    elif hint is strawberry.ID:
        convert = _identifier
    elif isinstance(hint, type) and issubclass(hint, Enum):
        convert = hint
    elif isinstance(hint, type) and has_object_definition(hint):
        convert = functools.partial(build, hint)
    else:
        return None
    return functools.partial(_unless_none, convert)


def _unless_none(convert: Convert, value: Any) -> Any:
    return None if value is None else convert(value)


def _each(convert: Convert, values: Any) -> list[Any]:
    return [convert(v) for v in values]


def _identifier(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


_FIELDS: dict[type, tuple[tuple[str, Convert | None], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, Convert | None], ...]:
    """The fields of output type ``cls`` its constructor sets, with the conversion of each."""
    found = _FIELDS.get(cls)
    if found is None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a strawberry type")
        hints = typing.get_type_hints(cls)
        found = _FIELDS[cls] = tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls) if f.init)
    return found


def build(cls: type[T], data: Mapping[str, Any] | object, **extra: Any) -> T:
    """Instantiate output type ``cls`` from ``data``: a dict keyed by its Python field names, or an
    object (a row, a dataclass) with attributes of those names; ``extra`` gives the other fields
    (or replaces some: it is used as given, without conversion).

    Each value is converted to its field's type: lists item by item, an ``ID`` from its ``str``,
    an enum from its value, a nested output type by ``build`` itself; ``None`` stays ``None``."""
    found: dict[str, Any] = {}
    for name, convert in _fields(cls):
        if name in extra:
            continue
        if isinstance(data, Mapping):
            if name not in data:
                continue
            value = data[name]
        elif hasattr(data, name):
            value = getattr(data, name)
        else:
            continue
        found[name] = value if convert is None else convert(value)
    return cls(**found, **extra)


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


# --- uploads ------------------------------------------------------------------------------------


def upload_reader(value: object, *, argument: str, limit: int) -> Callable[[], bytes]:
    """A function that reads the uploaded file ``value`` of ``argument`` (at most ``limit`` + 1
    bytes: above ``limit``, the file is too large), for the service to call once it has authorised
    the caller, in its worker thread.

    An ``Upload`` argument holds a file only when the request is multipart (the GraphQL multipart
    request specification); written in the query or given as a JSON variable it holds a string, a
    number or an object: invalid input that names the argument."""

    def read() -> bytes:
        if not isinstance(value, UploadFile):
            raise InvalidInput(f"{argument} must be an uploaded file (multipart request).")
        value.file.seek(0)
        return value.file.read(limit + 1)

    return read
