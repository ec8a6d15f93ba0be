"""What a GraphQL request over HTTP must be, checked before anything runs: each defect is a 400
with a message that says what is wrong (never a Python error, never a 500).

A JSON body must be UTF-8 JSON of bounded nesting, an object (or a list: a batch, which the view
refuses); ``query`` a string, ``variables`` and ``extensions`` objects, ``operationName`` a string
(each may be null). A multipart body (the GraphQL multipart request specification) must carry
``operations`` and ``map`` fields of JSON, the map naming files of the request and places in the
operations where they go.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette.datastructures import UploadFile

NOT_AN_OPERATION = "The request body must be a JSON object with a `query` (and `variables`, `operationName`)."
#: (key, the types it may have, what it must be) of a single operation.
_FIELDS = (
    ("query", (str, type(None)), "a string or null"),
    ("variables", (dict, type(None)), "an object or null"),
    ("operationName", (str, type(None)), "a string or null"),
    ("extensions", (dict, type(None)), "an object or null"),
)


def bad_request(message: str) -> HTTPException:
    """The exception strawberry's view answers with a 400 (GraphQLEndpoint shapes it as GraphQL)."""
    return HTTPException(400, message)


def decode_json(data: str | bytes, what: str = "The request body") -> Any:
    """``data`` decoded, or a 400 saying why it is not JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise bad_request(f"{what} nests arrays and objects too deeply.") from None
    except UnicodeDecodeError as exc:
        raise bad_request(f"{what} is not valid JSON: it is not UTF-8 text (byte {exc.start + 1}).") from None
    except json.JSONDecodeError as exc:
        raise bad_request(f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except ValueError:
        raise bad_request(f"{what} is not valid JSON.") from None


def operation_problem(data: object) -> str | None:
    """Why ``data`` (a decoded body) is not a GraphQL request, or None (a list: a batch, for the view)."""
    if isinstance(data, list):
        return None
    if not isinstance(data, dict):
        return NOT_AN_OPERATION
    for key, types, expected in _FIELDS:
        if not isinstance(data.get(key), types):
            return f"The GraphQL operation's `{key}` must be {expected}, if provided."
    return None


def checked_operation(data: object) -> Any:
    """``data``, if it is a GraphQL request (or a batch); a 400 otherwise."""
    problem = operation_problem(data)
    if problem is not None:
        raise bad_request(problem)
    return data


def multipart_operations(form: Mapping[str, Any]) -> Any:
    """The operations of a multipart request, with its files in the places its map names."""
    texts = {}
    for name in ("operations", "map"):
        value = form.get(name)
        if not isinstance(value, str):
            raise bad_request(f"A multipart GraphQL request needs a `{name}` field of JSON text.")
        texts[name] = value
    operations = checked_operation(decode_json(texts["operations"], "The multipart `operations` field"))
    files_map = decode_json(texts["map"], "The multipart `map` field")
    if not isinstance(files_map, dict):
        raise bad_request("The multipart `map` field must be a JSON object of file fields and paths.")
    for field, paths in files_map.items():
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise bad_request(f"The multipart `map` names a file `{field}` that the request does not carry.")
        if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
            raise bad_request(f"The multipart `map` entry of `{field}` must be a list of paths.")
        for path in paths:
            _place(operations, path, upload)
    return operations


def _place(operations: Any, path: str, upload: UploadFile) -> None:
    """Put ``upload`` at ``path`` ("variables.file", "0.variables.files.1") in ``operations``."""
    keys = path.split(".")
    target = operations
    for position, key in enumerate(keys):
        index: Any
        if isinstance(target, list) and key.isascii() and key.isdigit() and len(key) < 10 and int(key) < len(target):
            index = int(key)
        elif isinstance(target, dict) and key in target:
            index = key
        else:
            raise bad_request(f"The multipart `map` path `{path}` is not a place in the operations.")
        if position == len(keys) - 1:
            target[index] = upload
        else:
            target = target[index]
