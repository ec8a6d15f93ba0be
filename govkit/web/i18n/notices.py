"""The interface's words of e-mail notices, reminders and digests, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {}
