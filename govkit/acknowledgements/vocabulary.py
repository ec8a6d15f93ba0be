"""Closed vocabularies of the acknowledgements domain (populations are shared: govkit.vocabulary)."""

from __future__ import annotations

from enum import StrEnum


class PersonStatus(StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"
