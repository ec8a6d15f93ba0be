"""The errors of proofs, apart from the modules that raise them (which load pyHanko or fontTools):
whoever only catches them imports nothing heavy."""

from __future__ import annotations

from govkit.errors import GovkitError


class TimeStampUnavailable(GovkitError):
    """The time-stamping authority did not give a token."""

    code = "TIMESTAMP_UNAVAILABLE"


class FontMissing(GovkitError):
    """No font to embed in the receipts."""

    code = "FONT_MISSING"
