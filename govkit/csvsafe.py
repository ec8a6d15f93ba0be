"""CSV that a spreadsheet opens as data: no text cell starts a formula (OWASP "CSV injection").

Every CSV govkit writes goes through ``csv_writer``: a text cell whose first character a
spreadsheet reads as the start of a formula or of a command (``= + - @``, a tab, a line break,
and their full-width forms) is written with a single quote in front, so that a person named
``=cmd|'/C calc'!A0`` is shown as that text, never run. Numbers are written as numbers (a
negative number is a value, not a formula). What people typed is kept as it is in the database;
only the files written are neutralised, and ``original_cell`` gives the text back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

#: The first characters that make Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
QUOTE = "'"


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _needs_quote(text: str) -> bool:
    # text that begins with quotes before such a character gets one more, so that the quote added
    # is always the first one and ``original_cell`` is exact
    bare = text.lstrip(QUOTE)
    return bool(bare) and bare[0] in FORMULA_STARTS


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet should read it: text that could start a formula gets a leading quote."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def original_cell(text: str) -> str:
    """The text a cell written by ``csv_writer`` held (the added quote removed)."""
    return text[1:] if text.startswith(QUOTE) and _needs_quote(text) else text


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: _Writable, **options: Any) -> SafeWriter:
    """The CSV writer of govkit's exports (``options`` as for ``csv.writer``)."""
    return SafeWriter(handle, **options)
