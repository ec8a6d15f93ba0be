"""The interface's words of public documents in force, their PDF and HTML, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {}
