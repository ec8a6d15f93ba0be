"""What a check yields: a violation at one organisation (shared by every module of checks)."""

from __future__ import annotations

from typing import Any, NamedTuple


class Violation(NamedTuple):
    """What a check found at one organisation (a tuple: thousands are made per run)."""

    key: str
    message_fr: str
    message_en: str
    evidence: dict[str, Any]
    severity: str | None = None  # instead of the rule's: "info" for what is not documented


#: The key suffix of a finding about a fact that is not documented (« non documenté »): recorded, or
#: required, but not dated or valued well enough to tell; distinct from the key of the missing fact.
NOT_DOCUMENTED = "not_documented"
