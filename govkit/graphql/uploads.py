"""Upload arguments: what every resolver taking an ``Upload`` hands to its service.

An ``Upload`` argument holds a file only when the request is multipart (the GraphQL multipart
request specification); written in the query or given as a JSON variable it holds a string, a
number or an object. The service reads the argument once it has authorised the caller (who is
told nothing about their input before), and a value that is not a file is invalid input that
names the argument.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import UploadFile

from govkit.errors import InvalidInput


def upload_reader(value: object, *, argument: str, limit: int) -> Callable[[], bytes]:
    """A function that reads the uploaded file ``value`` of ``argument`` (at most ``limit`` + 1
    bytes: above ``limit``, the file is too large), in a worker thread."""

    def read() -> bytes:
        if not isinstance(value, UploadFile):
            raise InvalidInput(f"{argument} must be an uploaded file (multipart request).")
        value.file.seek(0)
        return value.file.read(limit + 1)

    return read
