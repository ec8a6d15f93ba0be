"""The interface's words of one-click sign-in links from the e-mails, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {}
